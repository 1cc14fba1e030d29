from django.urls import path

from wenming.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_new, name="new"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/action/", views.campaign_action, name="action"),
    path("<int:pk>/applications/", views.application_list, name="applications"),
    path("<int:pk>/apply/", views.apply, name="apply"),
    path("<int:pk>/objections/", views.objection_list, name="objections"),
    path("<int:pk>/public/", views.public_list, name="public"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/action/", views.application_action, name="application_action"),
    path("applications/<int:pk>/score-sheet.xlsx", views.score_sheet, name="score_sheet"),
]
