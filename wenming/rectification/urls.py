from django.urls import path

from wenming.rectification import views

app_name = "rectification"
urlpatterns = [
    path("", views.problem_list, name="list"),
    path("new/", views.problem_new, name="new"),
    path("<int:pk>/", views.problem_detail, name="detail"),
    path("<int:pk>/<str:action>/", views.problem_act, name="act"),
    path("overview/", views.overview_page, name="overview"),
    path("overview.xlsx", views.overview_export, name="overview_export"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("from-assessment/<int:pk>/", views.from_assessment, name="from_assessment"),
]
