"""Granting and managing titles: one atomic, audited service per change."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import User
from django.db import models, transaction

from wenming.accounts.selectors import unit_admins
from wenming.audit.services import audit_record
from wenming.core.errors import ActionRefused
from wenming.core.framework import Effect
from wenming.frameworks.models import FrameworkEdition
from wenming.frameworks.selectors import framework_of
from wenming.notices.services import notice_send
from wenming.organizations.models import Region, Unit
from wenming.rectification.models import ProblemSource, Severity
from wenming.rectification.services import ProblemRefused, deadline_by_rule, problem_create
from wenming.titles.access import can_manage
from wenming.titles.models import (
    LEVEL_LABELS,
    RecheckOutcome,
    Title,
    TitleRecheck,
    TitleSource,
    TitleStatus,
    TitleWarning,
)
from wenming.titles.transitions import TITLE, title_changed_fire


class TitleRefused(ActionRefused):
    """Shown as is."""


NOT_MANAGER = "只有命名机关所在地区(或上级)的测评办公室可以{action}"
REASON_REQUIRED = "请填写原因"


def term_end(year: int, term_years: int) -> date:
    """A title for year Y with a term of N years holds through 31 December of Y + N - 1."""
    return date(year + term_years - 1, 12, 31)


@transaction.atomic
def title_grant(
    *,
    actor: User | None,
    unit: Unit,
    name: str,
    kind: str,
    level: str,
    year: int,
    term_years: int,
    naming_authority: Region,
    origin: models.Model | None = None,
    source: str = TitleSource.CAMPAIGN,
) -> Title:
    if level not in LEVEL_LABELS:
        raise TitleRefused(f"级别“{level}”无效")
    if Title.objects.filter(unit=unit, kind=kind, level=level, year=year).exists():
        raise TitleRefused(f"{unit.name}已有{year}年度{LEVEL_LABELS[level]}{kind}称号")
    title = Title.objects.create(
        unit=unit,
        name=name,
        kind=kind,
        level=level,
        year=year,
        term_years=term_years,
        valid_until=term_end(year, term_years),
        naming_authority=naming_authority,
        source=source,
        origin_type=origin._meta.label_lower if origin is not None else "",
        origin_id=origin.pk if origin is not None else None,
        region_path=unit.region_path,
        granted_by=actor,
    )
    audit_record(
        actor=actor,
        action="title.grant" if source == TitleSource.CAMPAIGN else "title.import",
        obj=unit,
        field="称号",
        new=f"{name}(有效期至 {title.valid_until:%Y-%m-%d},{naming_authority.name}命名)",
    )
    title_changed_fire(title.pk, "grant")
    return title


def _status(*, actor: User, title: Title, new: str, reason: str, action: str) -> Title:
    """Move ``title`` by ``action`` (a row of ``TITLE``) to ``new``, only if its status is still
    the one read; audited as the row's audit name."""
    old = title.status
    row = TITLE.check(action, old, to=new, refuse=TitleRefused)
    if not can_manage(actor, title):
        raise TitleRefused(NOT_MANAGER.format(action=row.label))
    if not reason.strip():
        raise TitleRefused(REASON_REQUIRED)
    changed = Title.objects.filter(pk=title.pk, status=old).update(
        status=new, reason=reason.strip()
    )
    if not changed:
        raise TitleRefused("称号状态已变化,请刷新后再试")
    audit_record(
        actor=actor,
        action=row.audit_name,
        obj=title.unit,
        field=title.name,
        old=TitleStatus(old).label,
        new=TitleStatus(new).label,
        comment=reason.strip(),
    )
    title.refresh_from_db()
    title_changed_fire(title.pk, action)
    return title


@transaction.atomic
def title_suspend(*, actor: User, title: Title, reason: str) -> Title:
    return _status(
        actor=actor, title=title, new=TitleStatus.SUSPENDED, reason=reason, action="suspend"
    )


@transaction.atomic
def title_revoke(*, actor: User, title: Title, reason: str) -> Title:
    return _status(
        actor=actor, title=title, new=TitleStatus.REVOKED, reason=reason, action="revoke"
    )


@transaction.atomic
def title_restore(*, actor: User, title: Title, reason: str) -> Title:
    return _status(actor=actor, title=title, new=TitleStatus.VALID, reason=reason, action="restore")


@transaction.atomic
def title_warn(*, actor: User, title: Title, reason: str, deadline: date) -> TitleWarning:
    """限期整改: recorded on the title; the unit's administrators get a notice to reply by then."""
    if not can_manage(actor, title):
        raise TitleRefused(NOT_MANAGER.format(action="下达限期整改"))
    if not reason.strip():
        raise TitleRefused(REASON_REQUIRED)
    warning = TitleWarning.objects.create(
        title=title, reason=reason.strip(), deadline=deadline, issued_by=actor
    )
    audit_record(
        actor=actor,
        action="title.warn",
        obj=title.unit,
        field=title.name,
        new=f"限期整改至 {deadline:%Y-%m-%d}",
        comment=reason.strip(),
    )

    notice_send(
        actor=actor,
        recipients=unit_admins(title.unit_id),
        title=f"{title.name}:限期整改",
        body=reason.strip(),
        kind="title_warning",
        obj=title,
        reply_due=deadline,
    )
    return warning


@transaction.atomic
def titles_apply_event(
    *, actor: User, unit: Unit, kind: str, effect: Effect, day: date, reason: str
) -> list[Title]:
    """A veto or negative-list event recorded against a holder during its term: a veto or a
    revoking entry revokes its titles of that kind; a suspending entry suspends them."""
    if effect in (Effect.VETO, Effect.REVOKE):
        new, action = TitleStatus.REVOKED, "revoke"
    elif effect == Effect.SUSPEND:
        new, action = TitleStatus.SUSPENDED, "suspend"
    else:
        return []
    held = Title.objects.filter(
        unit=unit, kind=kind, status=TitleStatus.VALID, valid_until__gte=day
    ).select_related("unit", "naming_authority")
    return [_status(actor=actor, title=t, new=new, reason=reason, action=action) for t in held]


@transaction.atomic
def title_recheck(
    *,
    actor: User,
    title: Title,
    year: int,
    checked_on: date,
    outcome: str,
    comment: str,
    deadline: date | None = None,
    score_centi: int | None = None,
) -> TitleRecheck:
    """复查 of a holder, once a year: keep the title, warn with a deadline (限期整改), or revoke.
    The warning and the revocation go through their own services, so they notify and audit
    exactly as when done by hand."""
    if not can_manage(actor, title):
        raise TitleRefused(NOT_MANAGER.format(action="复查"))
    if outcome not in RecheckOutcome.values:
        raise TitleRefused("请选择复查结论")
    if title.status != TitleStatus.VALID or title.valid_until < checked_on:
        raise TitleRefused("只有有效期内的称号需要复查")
    if year <= title.year:
        raise TitleRefused(f"{title.year}年度命名的称号从{title.year + 1}年起复查")
    if TitleRecheck.objects.filter(title=title, year=year).exists():
        raise TitleRefused(f"该称号{year}年度已复查")
    if outcome != RecheckOutcome.KEPT and not comment.strip():
        raise TitleRefused("限期整改或撤销须填写复查意见")
    if outcome == RecheckOutcome.WARNED and deadline is None:
        raise TitleRefused("限期整改须填写整改期限")
    recheck = TitleRecheck.objects.create(
        title=title,
        year=year,
        checked_on=checked_on,
        outcome=outcome,
        score_centi=score_centi,
        comment=comment.strip(),
        checked_by=actor,
    )
    audit_record(
        actor=actor,
        action="title.recheck",
        obj=title.unit,
        field=f"{title.name} {year}年复查",
        new=RecheckOutcome(outcome).label,
        comment=comment.strip(),
    )
    reason = f"{year}年复查:{comment.strip()}"
    if outcome == RecheckOutcome.WARNED:
        assert deadline is not None
        title_warn(actor=actor, title=title, reason=reason, deadline=deadline)
    elif outcome == RecheckOutcome.REVOKED:
        title_revoke(actor=actor, title=title, reason=reason)
    return recheck


def holder_event_choices(edition_kinds: list[str]) -> list[tuple[str, str]]:
    """The veto items and negative-list entries of the frameworks of these kinds, as
    ("<edition pk>:<code>", label) choices for recording an event against a holder."""

    choices = []
    for edition in FrameworkEdition.objects.filter(campaign_type__in=edition_kinds).order_by("id"):
        framework = framework_of(edition)
        for veto in framework.vetoes:
            choices.append((f"{edition.pk}:{veto.code}", f"{edition.name}·一票否决:{veto.name}"))
        for entry in framework.negative_list:
            effect = {
                Effect.DEDUCT: "扣分",
                Effect.SUSPEND: "暂停",
                Effect.VETO: "否决",
                Effect.REVOKE: "撤销",
            }[entry.effect]
            choices.append(
                (f"{edition.pk}:{entry.code}", f"{edition.name}·负面清单({effect}):{entry.name}")
            )
    return choices


@transaction.atomic
def holder_event_record(
    *, actor: User, unit: Unit, edition_id: int, code: str, day: date, description: str
) -> list[Title]:
    """A veto or negative-list event against a unit: recorded as a problem (source 负面清单, the
    one model for problems) and applied to its titles of that kind per the framework — a veto or
    a revoking entry revokes them, a suspending entry suspends them, a deducting one leaves them.
    Returns the titles changed."""

    edition = FrameworkEdition.objects.filter(pk=edition_id).first()
    if edition is None:
        raise TitleRefused("测评体系不存在")
    framework = framework_of(edition)
    vetoes = {v.code: v for v in framework.vetoes}
    entries = {e.code: e for e in framework.negative_list}
    if code in vetoes:
        effect, name = Effect.VETO, vetoes[code].name
    elif code in entries:
        effect, name = entries[code].effect, entries[code].name
    else:
        raise TitleRefused(f"“{code}”不是{edition.name}的一票否决或负面清单事项")
    if not description.strip():
        raise TitleRefused("请填写事项经过")
    from django.utils import timezone

    if day > timezone.localdate():
        raise TitleRefused("事项日期不能晚于今天")
    reason = f"{name}({day:%Y-%m-%d}):{description.strip()}"
    try:
        problem_create(
            actor=actor,
            unit=unit,
            source=ProblemSource.NEGATIVE,
            title=f"{name}",
            description=description.strip(),
            edition=edition,
            found_on=day,
            deadline=deadline_by_rule(Severity.GENERAL, timezone.localdate()),
        )
    except ProblemRefused as exc:
        raise TitleRefused(str(exc)) from None
    return titles_apply_event(
        actor=actor, unit=unit, kind=edition.campaign_type, effect=effect, day=day, reason=reason
    )
