from django.urls import path

from wenming.notices import views

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("<int:pk>/reply/", views.notice_reply_view, name="reply"),
]
