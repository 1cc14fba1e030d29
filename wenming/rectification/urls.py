from django.urls import path

from wenming.rectification.views import overview, problems

app_name = "rectification"
urlpatterns = [
    path("", problems.problem_list, name="list"),
    path("new/", problems.problem_new, name="new"),
    path("<int:pk>/", problems.problem_detail, name="detail"),
    path("<int:pk>/<str:action>/", problems.problem_act, name="act"),
    path("overview/", overview.overview_page, name="overview"),
    path("overview.xlsx", overview.overview_export, name="overview_export"),
    path("notices/", problems.notice_list, name="notices"),
    path("notices/<int:pk>/", problems.notice_detail, name="notice"),
    path("plans/<int:pk>/", problems.plan_detail, name="plan"),
    path("from-assessment/<int:pk>/", problems.from_assessment, name="from_assessment"),
]
