from django.urls import path

from wenming.surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.survey_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/build/", views.build, name="build"),
    path("<int:pk>/questions.xlsx", views.export_questions, name="export_questions"),
    path("<int:pk>/quality/", views.quality, name="quality"),
    path("<int:pk>/results/", views.results, name="results"),
]
