"""The 文书 of a campaign: bulletin, publicity list, ranking, and the batches (certificates,
score sheets). Only the offices that run the campaign (its region or above) and admins."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from wenming.campaigns.access import campaigns_visible_to, runs_campaign
from wenming.campaigns.models import Campaign
from wenming.campaigns.selectors import published_campaign
from wenming.core.fonts import FontMissing
from wenming.documents.campaign_batch import campaign_titles, evaluated
from wenming.documents.campaign_docs import NotPublished, campaign_bulletin, publicity_document
from wenming.documents.forms import BulletinParams, CampaignBatchParams
from wenming.documents.model import Document
from wenming.documents.pdf_writer import render_pdf
from wenming.documents.placeholders import placeholders_in
from wenming.documents.selectors import template_in_force
from wenming.documents.sheets import ranking_xlsx
from wenming.documents.templating import render_with_template
from wenming.jobs.tasks import job_start
from wenming.web.actor import actor
from wenming.web.downloads import DOCX, PDF, XLSX, file_download
from wenming.web.params import errors_text

FORMATS = ("docx", "pdf")


class _Back(Exception):
    """Refuse with a message shown on the campaign page."""


def office_campaign(request: HttpRequest, pk: int) -> Campaign:
    campaign = campaigns_visible_to(request.user).filter(pk=pk).first()
    if campaign is None:
        raise Http404("活动不存在或无权查看")
    if not runs_campaign(request.user, campaign):
        raise PermissionDenied("只有组织本活动的测评办公室可以生成活动文书")
    return campaign


def _back(campaign: Campaign) -> HttpResponse:
    return redirect(reverse("campaigns:detail", args=[campaign.pk]) + "#documents")


def _checked(label: str, value: str, limit: int) -> str:
    value = value.strip()
    if len(value) > limit:
        raise _Back(f"{label}过长(上限{limit}字)")
    found = placeholders_in(value)
    if found:
        raise _Back(f"{label}中有未填写的占位符:{'、'.join(dict.fromkeys(found))}")
    return value


def _form(form_class: type[forms.Form], data: QueryDict) -> dict[str, Any]:
    """The form's cleaned data, or a refusal naming each wrong field on the campaign page."""
    form = form_class(data)
    if not form.is_valid():
        raise _Back(errors_text(form))
    return form.cleaned_data


def _paper(document: Document, kind: str, fmt: str) -> HttpResponse:
    if fmt == "pdf":
        return file_download(render_pdf(document), f"{document.title}.pdf", PDF)
    template, _ = template_in_force(kind)
    return file_download(render_with_template(template, document), f"{document.title}.docx", DOCX)


@login_required
def bulletin(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    campaign = office_campaign(request, pk)
    if fmt not in FORMATS:
        raise Http404("没有这种格式")
    try:
        f = _form(BulletinParams, request.GET)
        number = _checked("发文字号", f["number"], 40)
        day: dt.date = f["day"] or timezone.localdate()
        return _paper(campaign_bulletin(campaign, number=number, day=day), "bulletin", fmt)
    except (_Back, FontMissing) as exc:
        messages.error(request, str(exc))
        return _back(campaign)


@login_required
def publicity(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    campaign = office_campaign(request, pk)
    if fmt not in FORMATS:
        raise Http404("没有这种格式")
    try:
        return _paper(publicity_document(campaign), "publicity", fmt)
    except (NotPublished, FontMissing) as exc:
        messages.error(request, str(exc))
        return _back(campaign)


@login_required
def ranking(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = office_campaign(request, pk)
    return file_download(ranking_xlsx(campaign), f"{campaign.name}测评结果排名.xlsx", XLSX)


@login_required
@require_POST
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = office_campaign(request, pk)
    try:
        f = _form(CampaignBatchParams, request.POST)
        kind = f["kind"]
        if kind == "certificates":
            issuer = _checked("颁发机关", f["issuer"], 60)
            count = campaign_titles(campaign).count()
            if not count:
                raise _Back("本活动尚无命名的称号,命名后可生成荣誉证书")
            label, params = f"荣誉证书({count}份)", {"campaign": campaign.pk, "issuer": issuer}
        elif kind == "score_sheets":
            count = evaluated(campaign).count()
            if not count:
                raise _Back("本活动尚无录入测评结果的申报")
            label, params = f"评分表({count}份)及排名", {"campaign": campaign.pk}
        else:
            raise _Back("没有这种批量文书")
    except _Back as exc:
        messages.error(request, str(exc))
        return _back(campaign)
    job = job_start(
        kind=kind, label=f"{campaign.name}·{label}", owner=actor(request), params=params
    )
    return redirect("jobs:detail", pk=job.pk)


def public_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The publicity list as the office's PDF document (公示), public like the page; served under
    the campaign's public page (campaigns:public_pdf, wired in wenming/urls.py)."""
    campaign = published_campaign(pk)
    try:
        document = publicity_document(campaign)
        content = render_pdf(document)
    except (NotPublished, FontMissing) as exc:
        messages.error(request, str(exc))
        return redirect("campaigns:public", pk=campaign.pk)
    return file_download(content, f"{document.title}.pdf", PDF)
