from django.urls import path

from wenming.review import views

app_name = "review"
urlpatterns = [
    path("applications/<int:pk>/", views.application_review, name="application"),
    path("applications/<int:pk>/check/", views.check_begin, name="check"),
    path("applications/<int:pk>/verdict/", views.verdict, name="verdict"),
    path("applications/<int:pk>/files/", views.report_file_upload, name="file_upload"),
    path(
        "applications/<int:pk>/files/<int:text_id>/",
        views.report_file_download,
        name="file_download",
    ),
    path("applications/<int:pk>/files/remove/", views.report_file_delete, name="file_remove"),
    path("campaigns/<int:pk>/", views.campaign_review, name="campaign"),
    path("library/", views.library, name="library"),
    path("library/remove/", views.library_delete, name="library_remove"),
]
