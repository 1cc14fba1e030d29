"""Making and checking draws: one atomic, audited service each."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from wenming.audit.models import AuditEvent
from wenming.audit.services import audit_record
from wenming.campaigns.access import runs_campaign
from wenming.campaigns.models import Application, Campaign, State
from wenming.core.draw import Candidate, Rules, RulesInvalid, Verdict, draw_check, draw_make
from wenming.core.errors import ActionRefused
from wenming.draws.models import Draw
from wenming.organizations.models import Region


class DrawRefused(ActionRefused):
    """A draw that is not allowed; the message is shown as is."""


NOT_YOURS = "只有组织该活动(或上级)的测评办公室可以抽签"
NO_CANDIDATES = "该活动没有审核中的申报单位,无法抽签"
REASON_REQUIRED = "已有抽签记录,重新抽签须填写原因"
STALE = "抽签记录已被他人更新或页面已过期,请刷新后再试"
NOTHING_DRAWN = "按当前规则一个单位也抽不到,请设置抽取比例"


def stratum_of(unit_type: str, stage: str) -> str:
    """Strata are unit types; schools are split by stage (学校·初中, 学校·小学)."""
    return f"{unit_type}·{stage}" if stage else unit_type


def draw_candidates(campaign: Campaign) -> list[Candidate]:
    """The campaign's applications in review, with stratum and district (the area one level
    below the campaign's region; the region itself for units placed directly in it)."""
    rows = list(
        Application.objects.filter(campaign=campaign, state=State.IN_REVIEW)
        .select_related("unit", "unit__unit_type")
        .only(
            "id",
            "region_path",
            "unit__name",
            "unit__credit_code",
            "unit__stage",
            "unit__unit_type__name",
        )
    )
    base = campaign.region.path
    district_ids: dict[int, str] = {}
    for app in rows:
        district_ids[app.pk] = _district_id(base, app.region_path)
    names = dict(
        Region.objects.filter(pk__in={int(i) for i in district_ids.values()}).values_list(
            "id", "name"
        )
    )
    return [
        Candidate(
            code=app.unit.credit_code,
            stratum=stratum_of(app.unit.unit_type.name, app.unit.stage),
            district=names.get(int(district_ids[app.pk]), ""),
            name=app.unit.name,
            ref=app.pk,
        )
        for app in rows
    ]


def _district_id(base: str, path: str) -> str:
    if path.startswith(base):
        below = [p for p in path[len(base) :].split("/") if p]
        if below:
            return below[0]
    parts = [p for p in (path or base).split("/") if p]
    return parts[-1]


def draw_record(
    *,
    actor: User,
    campaign: Campaign,
    rules: Rules,
    reason: str = "",
    seen: Draw | None = None,
) -> Draw:
    """Draw units for on-site inspection now, with a fresh seed, and record it.

    ``seen`` is the current draw the person saw (None for the first): if another draw was
    recorded since, the request is stale. A redraw needs a reason; the earlier draw is kept.
    """
    if not runs_campaign(actor, campaign):
        raise DrawRefused(NOT_YOURS)
    reason = reason.strip()
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        current = Draw.objects.filter(campaign=campaign).order_by("-number").first()
        if (current.pk if current else None) != (seen.pk if seen else None):
            raise DrawRefused(STALE)
        if current is not None and not reason:
            raise DrawRefused(REASON_REQUIRED)
        pool = draw_candidates(campaign)
        if not pool:
            raise DrawRefused(NO_CANDIDATES)
        try:
            made = draw_make(pool, rules, secrets.token_hex(16))
        except RulesInvalid as exc:
            raise DrawRefused(str(exc)) from None
        if not made.result:
            raise DrawRefused(NOTHING_DRAWN)
        try:
            with transaction.atomic():
                draw = Draw.objects.create(
                    campaign=campaign,
                    number=current.number + 1 if current else 1,
                    created_by=actor,
                    algorithm=made.algorithm,
                    seed=made.seed,
                    candidates=made.candidates,
                    rules=made.rules,
                    result=made.result,
                    digest=made.digest,
                    reason=reason,
                    replaces=current,
                )
        except IntegrityError:
            raise DrawRefused(STALE) from None
        audit_record(
            actor=actor,
            action="draw.redraw" if current else "draw.record",
            obj=draw,
            field="digest",
            old=current.digest if current else "",
            new=draw.digest,
            comment=reason or f"抽中{len(draw.result)}个单位",
        )
    return draw


def draw_verify(draw: Draw) -> Verdict:
    """Re-run a recorded draw; also compare its digest with the one audited when it was made
    (the audit trail is a separate table, so a row rewritten with a fresh digest still shows)."""
    verdict = draw_check(draw.record)
    audited = (
        AuditEvent.objects.filter(
            object_type=draw._meta.label_lower,
            object_id=str(draw.pk),
            action__in=["draw.record", "draw.redraw"],
        )
        .values_list("new", flat=True)
        .first()
    )
    problems = list(verdict.problems)
    if audited is None:
        problems.append("审计日志中没有该抽签的记录")
    elif audited != draw.digest:
        problems.append(f"摘要与抽签时审计日志记录的 {audited[:16]}… 不符")
    return Verdict(not problems, problems)
