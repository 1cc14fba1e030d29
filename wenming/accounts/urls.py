from django.urls import path

from wenming.accounts import sso_views, throttle_views, views

app_name = "accounts"
urlpatterns = [
    path("", views.account_list, name="list"),
    path("bulk-create/", views.accounts_bulk_create, name="bulk_create"),
    path("<int:user_id>/reset/", views.account_reset, name="reset"),
    path("throttles/", throttle_views.throttle_list, name="throttles"),
    path("throttles/<int:pk>/clear/", throttle_views.throttle_clear, name="throttle_clear"),
    path("allowances/new/", throttle_views.allowance_new, name="allowance_new"),
    path("allowances/<int:pk>/remove/", throttle_views.allowance_remove, name="allowance_remove"),
    path("directory-rules/", sso_views.directory_rules, name="directory_rules"),
    path(
        "directory-rules/<int:pk>/remove/",
        sso_views.directory_rule_remove,
        name="directory_rule_remove",
    ),
    path("no-role/", sso_views.no_role, name="no_role"),
    path("oidc/login/", sso_views.oidc_start, name="oidc_start"),
    path("oidc/callback/", sso_views.oidc_callback, name="oidc_callback"),
]
