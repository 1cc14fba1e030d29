from django.urls import path

from wenming.attachments import views

app_name = "files"
urlpatterns = [
    path("<int:pk>/", views.download, name="download"),
    path("<int:pk>/thumb.jpg", views.thumb, name="thumb"),
]
