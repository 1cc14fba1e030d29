from django.urls import path

from wenming.campaigns import results_views, setup_views, views

# Included by wenming/urls.py together with documents.urls.campaign_public (the publicity PDF,
# a document of wenming.documents, which sits above campaigns).
app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", setup_views.campaign_new, name="new"),
    path("import/", setup_views.settings_import, name="settings_import"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/edit/", setup_views.campaign_edit, name="edit"),
    path("<int:pk>/settings.yaml", setup_views.settings_export, name="settings_export"),
    path("<int:pk>/action/", views.campaign_action, name="action"),
    path("<int:pk>/applications/", views.application_list, name="applications"),
    path("<int:pk>/apply/", views.apply, name="apply"),
    path("<int:pk>/objections/", views.objection_list, name="objections"),
    path("<int:pk>/targets/", results_views.targets_edit, name="targets"),
    path("<int:pk>/results/", results_views.results_page, name="results"),
    path("<int:pk>/results.xlsx", results_views.results_export, name="results_export"),
    path("<int:pk>/rewards/", results_views.reward_new, name="reward_new"),
    path("<int:pk>/public/", views.public_list, name="public"),
    path("<int:pk>/public.xlsx", views.public_export, name="public_export"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/action/", views.application_action, name="application_action"),
    path("applications/<int:pk>/score-sheet.xlsx", views.score_sheet, name="score_sheet"),
]
