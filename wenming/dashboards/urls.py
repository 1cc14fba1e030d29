from django.urls import path

from wenming.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard, name="index"),
    path("export/<slug:key>.xlsx", views.export, name="export"),
]
