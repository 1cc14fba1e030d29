"""A campaign's documents in batch: every certificate (.pdf), every score sheet (.xlsx) plus the
ranking, each as one background job producing a ZIP (see :func:`batch.zip_each`)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone

from wenming.accounts.scope import scoped_get
from wenming.campaigns.access import campaigns_visible_to, runs_campaign
from wenming.campaigns.models import Application, Campaign
from wenming.documents.batch import Build, zip_each
from wenming.documents.certificate import certificate_data, certificate_pdf
from wenming.documents.sheets import ranking_xlsx, score_sheet_xlsx
from wenming.jobs.models import Job
from wenming.jobs.services import Progress, register_job
from wenming.titles.models import Title

ORIGIN = Application._meta.label_lower  # how a title names the application that granted it


def campaign_titles(campaign: Campaign) -> QuerySet[Title]:
    """Titles this campaign granted (through its applications)."""
    return (
        Title.objects.filter(
            origin_type=ORIGIN,
            origin_id__in=campaign.applications.values("pk"),
        )
        .select_related("unit", "naming_authority")
        .order_by("region_path", "unit__name", "pk")
    )


def evaluated(campaign: Campaign) -> QuerySet[Application]:
    return (
        campaign.applications.filter(result_centi__isnull=False)
        .select_related(
            "campaign", "campaign__edition", "unit", "assessment", "assessment__edition"
        )
        .order_by("region_path", "unit__name", "pk")
    )


def certificate_build(title: Title, issuer: str) -> Build:
    def run() -> tuple[str, bytes]:
        return f"{title.unit.name}荣誉证书.pdf", certificate_pdf(
            certificate_data(title, issuer=issuer)
        )

    return run


def score_sheet_build(application: Application) -> Build:
    def run() -> tuple[str, bytes]:
        return f"评分表-{application.unit.name}.xlsx", score_sheet_xlsx(application)

    return run


def _campaign_run_by_owner(job: Job) -> Campaign:
    """The job's campaign, asked again as its owner when the job runs: the documents are made
    only while the owner still runs the campaign (as when the job was started)."""
    owner = job.owner
    campaign = scoped_get(
        campaigns_visible_to(owner), int(job.params["campaign"]), missing="活动不存在或无权查看"
    )
    if not runs_campaign(owner, campaign):
        raise PermissionDenied("只有组织本活动的测评办公室可以生成活动文书")
    return campaign


@register_job("certificates")
def build_certificates(job: Job, progress: Progress) -> Path:
    campaign = _campaign_run_by_owner(job)
    issuer = str(job.params.get("issuer") or "")
    items = [(t.unit.name, certificate_build(t, issuer)) for t in campaign_titles(campaign)]
    return zip_each(
        job,
        progress,
        items,
        what="荣誉证书",
        result_name=f"{campaign.name}荣誉证书{timezone.localdate():%Y%m%d}.zip",
    )


@register_job("score_sheets")
def build_score_sheets(job: Job, progress: Progress) -> Path:
    campaign = _campaign_run_by_owner(job)

    def ranking_build() -> tuple[str, bytes]:
        return f"{campaign.name}测评结果排名.xlsx", ranking_xlsx(campaign)

    items: list[tuple[str, Build]] = [("测评结果排名", ranking_build)]
    items += [(a.unit.name, score_sheet_build(a)) for a in evaluated(campaign)]
    return zip_each(
        job,
        progress,
        items,
        what="评分表",
        result_name=f"{campaign.name}评分表{timezone.localdate():%Y%m%d}.zip",
    )
