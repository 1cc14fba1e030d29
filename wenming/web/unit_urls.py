"""/units/: the list is organizations' own page, a unit's page gathers from several apps
(wenming.web.unit_views); one namespace for both, so it is declared here in the top row."""

from django.urls import path

from wenming.organizations import views as organization_views
from wenming.web import unit_views

app_name = "units"
urlpatterns = [
    path("", organization_views.unit_list_view, name="list"),
    path("<int:pk>/", unit_views.unit_detail, name="detail"),
]
