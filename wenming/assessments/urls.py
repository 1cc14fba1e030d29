from django.urls import path

from wenming.assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("start/", views.assessment_start, name="start"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/entry/<str:code>/", views.entry_update, name="entry"),
    path("<int:pk>/submit/", views.assessment_submit, name="submit"),
    path("<int:pk>/return/", views.assessment_return, name="return"),
    path("<int:pk>/results.yaml", views.assessment_results, name="results"),
]
