from django.urls import path

from wenming.organizations import views

app_name = "units"
urlpatterns = [
    path("", views.unit_list_view, name="list"),
    path("<int:pk>/", views.unit_detail, name="detail"),
]
