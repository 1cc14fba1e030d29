from django.urls import include, path

from wenming.accounts import sso_views
from wenming.accounts import views as account_views
from wenming.api import views as api_views
from wenming.api.routes import api as api_v1
from wenming.campaigns import urls as campaign_urls
from wenming.citizen import urls as citizen_urls
from wenming.documents import urls as document_urls
from wenming.notices import views as notice_views
from wenming.web import health, mapping_views
from wenming.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/", include("wenming.accounts.urls")),
    path("logout/", sso_views.LogoutView.as_view(), name="logout"),
    path("frameworks/mapping/", mapping_views.mapping_page, name="edition_mapping"),
    path(
        "frameworks/mapping/export.xlsx",
        mapping_views.mapping_export,
        name="edition_mapping_export",
    ),
    path("frameworks/", include("wenming.frameworks.urls")),
    path("units/", include("wenming.web.unit_urls")),
    path("imports/", include("wenming.imports.urls")),
    path("self-assessments/", include("wenming.assessments.urls")),
    path("audit/", include("wenming.audit.urls")),
    path("files/", include("wenming.attachments.urls")),
    path("jobs/", include("wenming.jobs.urls")),
    path("review/", include("wenming.review.urls")),
    path("ledger/", include("wenming.ledger.urls")),
    path("todo/", notice_views.todo_list, name="todo"),
    path("notices/", include("wenming.notices.urls")),
    path(
        "campaigns/",
        include(
            ([*campaign_urls.urlpatterns, *document_urls.campaign_public], campaign_urls.app_name)
        ),
    ),
    path("dashboards/", include("wenming.dashboards.urls")),
    path("calendar/", include("wenming.workdays.urls")),
    path("titles/", include("wenming.titles.urls")),
    path("balance/", include("wenming.balance.urls")),
    path("documents/", include("wenming.documents.urls")),
    path("rectification/", include("wenming.rectification.urls")),
    path("draws/", include("wenming.draws.urls")),
    path("onsite/", include("wenming.onsite.urls")),
    path("report/", include(citizen_urls.public)),
    path("citizen/", include(citizen_urls.office)),
    path("open311/v2/<path:rest>", api_views.open311_moved, name="open311_moved"),
    path("surveys/", include("wenming.surveys.urls")),
    path("s/", include("wenming.surveys.public_urls")),
    path("webhooks/", include("wenming.webhooks.urls")),
    path("api/v1/", api_v1.urls),
    path("api/", include("wenming.api.urls")),
]

handler400 = "wenming.web.errors.bad_request"
handler403 = "wenming.web.errors.permission_denied"
handler404 = "wenming.web.errors.page_not_found"
handler500 = "wenming.web.errors.server_error"
