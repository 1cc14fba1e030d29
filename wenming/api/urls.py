from django.urls import path

from wenming.api import views

app_name = "api_pages"
urlpatterns = [
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("reference/", views.reference, name="reference"),
]
