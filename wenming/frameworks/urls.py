from django.urls import path

from wenming.frameworks import views

app_name = "frameworks"
urlpatterns = [
    path("", views.edition_list, name="list"),
    path("upload/", views.edition_upload, name="upload"),
    path("<str:code>/<str:edition>/", views.edition_detail, name="detail"),
    path("<str:code>/<str:edition>/export.<str:fmt>", views.edition_export, name="export"),
]
