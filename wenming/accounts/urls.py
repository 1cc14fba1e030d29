from django.urls import path

from wenming.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account_list, name="list"),
    path("bulk-create/", views.accounts_bulk_create, name="bulk_create"),
    path("<int:user_id>/reset/", views.account_reset, name="reset"),
]
