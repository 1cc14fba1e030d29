from django.urls import path

from wenming.onsite.views import office, scoring, sheet

app_name = "onsite"
urlpatterns = [
    path("", scoring.mine, name="mine"),
    path("sync/", scoring.sync, name="sync"),
    path("sw.js", scoring.service_worker, name="service_worker"),
    path("a/<int:pk>/", scoring.score_page, name="score"),
    path("a/<int:pk>/photo/", scoring.photo_upload, name="photo"),
    path("a/<int:pk>/sheet/", sheet.sheet_page, name="sheet"),
    path("a/<int:pk>/decide/", sheet.decide, name="decide"),
    path("a/<int:pk>/sign/", sheet.sign, name="sign"),
    path("a/<int:pk>/reopen/", sheet.reopen, name="reopen"),
    path("a/<int:pk>/record/", sheet.record, name="record"),
    path("a/<int:pk>/problems/", sheet.problems, name="problems"),
    path("campaign/<int:pk>/", office.campaign_page, name="campaign"),
    path("campaign/<int:pk>/action/", office.campaign_action, name="campaign_action"),
]
