from django.urls import path

from wenming.surveys import public_views

app_name = "survey_public"

urlpatterns = [
    path("<str:code>/", public_views.answer, name="answer"),
    path("<str:code>/done/", public_views.done, name="done"),
]
