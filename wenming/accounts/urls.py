from django.urls import path

from wenming.accounts import throttle_views, views

app_name = "accounts"
urlpatterns = [
    path("", views.account_list, name="list"),
    path("bulk-create/", views.accounts_bulk_create, name="bulk_create"),
    path("<int:user_id>/reset/", views.account_reset, name="reset"),
    path("throttles/", throttle_views.throttle_list, name="throttles"),
    path("throttles/<int:pk>/clear/", throttle_views.throttle_clear, name="throttle_clear"),
    path("allowances/new/", throttle_views.allowance_new, name="allowance_new"),
    path("allowances/<int:pk>/remove/", throttle_views.allowance_remove, name="allowance_remove"),
]
