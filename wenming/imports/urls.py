from django.urls import path

from wenming.imports import views

app_name = "imports"
urlpatterns = [
    path("<str:kind>/", views.upload, name="upload"),
    path("<str:kind>/export.xlsx", views.export, name="export"),
    path("batch/<int:batch_id>/", views.preview, name="preview"),
    path("batch/<int:batch_id>/commit/", views.commit, name="commit"),
]
