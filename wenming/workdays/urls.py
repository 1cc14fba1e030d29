from django.urls import path

from wenming.workdays import views

app_name = "workdays"
urlpatterns = [path("", views.calendar, name="calendar")]
