from django.urls import path

from wenming.documents import campaign_views, views

app_name = "documents"
urlpatterns = [
    path("report/", views.report_page, name="report"),
    path("report/generate/", views.report_create, name="report_generate"),
    path("report/regenerate/", views.report_regenerate, name="report_regenerate"),
    path("report/export/", views.report_export, name="report_export"),
    path("report/sections/<int:pk>/", views.section_save, name="section_save"),
    path("batch/", views.batch_page, name="batch"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<str:kind>.docx", views.template_download, name="template_download"),
    path("templates/sample/", views.bulletin_sample, name="bulletin_sample"),
    path(
        "campaigns/<int:pk>/bulletin.<str:fmt>",
        campaign_views.bulletin,
        name="campaign_bulletin",
    ),
    path(
        "campaigns/<int:pk>/publicity.<str:fmt>",
        campaign_views.publicity,
        name="campaign_publicity",
    ),
    path("campaigns/<int:pk>/ranking.xlsx", campaign_views.ranking, name="campaign_ranking"),
    path("campaigns/<int:pk>/batch/", campaign_views.batch, name="campaign_batch"),
]

# Under the campaigns namespace (/campaigns/<pk>/public.pdf beside the public list): wenming/urls.py
# adds these to campaigns.urls, which may not import documents.
campaign_public = [
    path("<int:pk>/public.pdf", campaign_views.public_pdf, name="public_pdf"),
]
