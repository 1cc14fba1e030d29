"""Two groups of URLs, each included by wenming/urls.py under its own prefix and namespace:
``public`` (/report/, no login) and ``office`` (/citizen/). The Open311 intake for other
systems is part of the API (wenming/api/endpoints/open311.py, ``/api/v1/open311/``)."""

from django.urls import path

from wenming.citizen import office_views, views

public = (
    [
        path("", views.report_home, name="home"),
        path("lookup/", views.report_lookup, name="lookup"),
        path("<int:region>/", views.report_new, name="new"),
    ],
    "report",
)

office = (
    [
        path("", office_views.report_list, name="list"),
        path("<int:pk>/", office_views.report_detail, name="detail"),
        path("<int:pk>/reply/", office_views.report_reply_view, name="reply"),
        path("<int:pk>/duplicate/", office_views.report_duplicate_view, name="duplicate"),
        path("categories/", office_views.categories, name="categories"),
        path("places/", office_views.places, name="places"),
        path("clients/", office_views.clients, name="clients"),
        path("clients/revoke/", office_views.client_revoke_view, name="client_revoke"),
    ],
    "citizen",
)
