from django.urls import path

from wenming.balance import views

app_name = "balance"
urlpatterns = [
    path("", views.balance_index, name="index"),
    path("export.xlsx", views.balance_export, name="export"),
    path("thresholds/", views.threshold_list, name="thresholds"),
]
