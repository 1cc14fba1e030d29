"""Results use (成果运用): qualified units against annual targets, converted to a score, and the
rewards an office records.

"Qualified" means on the list or named (拟命名 / 已命名); 基本达标 units count once their
rectification re-inspection has named them. A target is a number for the campaign (or a share of
the eligible units) and for each sub-region (township, or district for a city campaign) or
supervising body; the score of a row is ``min(cap, qualified ÷ target × scale)``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, F, QuerySet

from wenming.accounts.scope import path_prefix_q
from wenming.audit.services import audit_record
from wenming.campaigns.access import runs_campaign
from wenming.campaigns.models import Application, Campaign, Reward, State, Target
from wenming.campaigns.services import Refused
from wenming.core.points import fmt
from wenming.organizations.models import Region, Unit

QUALIFIED = (State.LISTED, State.NAMED)
NOT_RUNNING = "只有组织本活动的测评办公室可以{action}"


@dataclass(frozen=True)
class Progress:
    """One row of the results table."""

    label: str
    kind: str  # "campaign" | "region" | "supervisor"
    key: int
    path: str  # the region's path ("" for a supervising body)
    target: int | None
    applied: int
    qualified: int
    score_centi: int | None

    @property
    def ratio(self) -> str:
        if not self.target:
            return ""
        return f"{self.qualified * 100 / self.target:.1f}%"

    @property
    def score(self) -> str:
        return "" if self.score_centi is None else fmt(self.score_centi)

    @property
    def behind(self) -> int:
        return max(0, (self.target or 0) - self.qualified)


def target_score(campaign: Campaign, *, qualified: int, target: int | None) -> int | None:
    """The score in hundredths of a point, rounded half up; no target, no score."""
    if not target:
        return None
    raw = (qualified * campaign.target_score_scale * 100 * 2 + target) // (2 * target)
    return min(raw, campaign.target_score_cap * 100)


def eligible_units(campaign: Campaign) -> QuerySet[Unit]:
    """Units of the campaign's region whose type may apply (the base of a share target)."""
    return Unit.objects.filter(
        path_prefix_q("region_path", campaign.region.path),
        unit_type__in=campaign.unit_types.all(),
    )


def campaign_target(campaign: Campaign) -> int | None:
    if campaign.target_count is not None:
        return campaign.target_count
    if campaign.target_percent is not None:
        return math.ceil(eligible_units(campaign).count() * campaign.target_percent / 100)
    return None


def target_regions(campaign: Campaign) -> QuerySet[Region]:
    """The sub-regions a campaign sets targets for: the direct children of its region."""
    return Region.objects.filter(parent=campaign.region).order_by("code", "name")


def target_supervisors(campaign: Campaign) -> QuerySet[Unit]:
    return Unit.objects.filter(
        path_prefix_q("region_path", campaign.region.path), supervises=True
    ).order_by("name")


def target_progress(campaign: Campaign) -> tuple[Progress, list[Progress]]:
    """The campaign's row and one row per target, from two GROUP BYs over its applications."""
    applications = Application.objects.filter(campaign=campaign).order_by()
    by_path: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in applications.values("region_path", "state").annotate(n=Count("id")):
        by_path[row["region_path"]][0] += row["n"]
        if row["state"] in QUALIFIED:
            by_path[row["region_path"]][1] += row["n"]
    by_body: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    for row in applications.values("supervisor_id", "state").annotate(n=Count("id")):
        by_body[row["supervisor_id"]][0] += row["n"]
        if row["state"] in QUALIFIED:
            by_body[row["supervisor_id"]][1] += row["n"]

    total_applied = sum(v[0] for v in by_path.values())
    total_qualified = sum(v[1] for v in by_path.values())
    overall_target = campaign_target(campaign)
    overall = Progress(
        label=campaign.region.name,
        kind="campaign",
        key=campaign.pk,
        path=campaign.region.path,
        target=overall_target,
        applied=total_applied,
        qualified=total_qualified,
        score_centi=target_score(campaign, qualified=total_qualified, target=overall_target),
    )
    rows = []
    for target in (
        Target.objects.filter(campaign=campaign)
        .select_related("region", "supervisor")
        .order_by(F("supervisor__name").asc(nulls_first=True), "region__code")
    ):
        if target.region is not None:
            prefix = target.region.path
            applied = sum(v[0] for p, v in by_path.items() if p.startswith(prefix))
            qualified = sum(v[1] for p, v in by_path.items() if p.startswith(prefix))
            label, kind, key, path = target.region.name, "region", target.region.pk, prefix
        else:
            assert target.supervisor is not None
            applied, qualified = by_body[target.supervisor.pk]
            label, kind, key, path = target.supervisor.name, "supervisor", target.supervisor.pk, ""
        rows.append(
            Progress(
                label=label,
                kind=kind,
                key=key,
                path=path,
                target=target.count,
                applied=applied,
                qualified=qualified,
                score_centi=target_score(campaign, qualified=qualified, target=target.count),
            )
        )
    return overall, rows


@transaction.atomic
def targets_set(
    *,
    actor: User,
    campaign: Campaign,
    regions: dict[int, int | None],
    supervisors: dict[int, int | None],
) -> int:
    """Set (or clear, with ``None``) the annual target of sub-regions and supervising bodies.
    Returns how many targets changed; each change is audited with its old and new count."""
    if not runs_campaign(actor, campaign):
        raise Refused(NOT_RUNNING.format(action="设置目标"))
    allowed_regions = dict(target_regions(campaign).values_list("pk", "name"))
    allowed_bodies = dict(
        target_supervisors(campaign).filter(pk__in=list(supervisors)).values_list("pk", "name")
    )
    for pk in regions:
        if pk not in allowed_regions:
            raise Refused("只能为本活动地区的下级地区设置目标")
    for pk in supervisors:
        if pk not in allowed_bodies:
            raise Refused("只能为本活动地区内的主管部门设置目标")
    existing = {(t.region_id, t.supervisor_id): t for t in Target.objects.filter(campaign=campaign)}
    wanted: dict[tuple[int | None, int | None], tuple[int | None, str]] = {}
    wanted |= {(pk, None): (n, allowed_regions[pk]) for pk, n in regions.items()}
    wanted |= {(None, pk): (n, allowed_bodies[pk]) for pk, n in supervisors.items()}
    changed = 0
    for (region_id, supervisor_id), (count, name) in wanted.items():
        current = existing.get((region_id, supervisor_id))
        old = current.count if current else None
        if old == count:
            continue
        if count is None:
            assert current is not None
            current.delete()
        elif current is None:
            Target.objects.create(
                campaign=campaign, region_id=region_id, supervisor_id=supervisor_id, count=count
            )
        else:
            current.count = count
            current.save(update_fields=["count"])
        audit_record(
            actor=actor,
            action="campaign.target",
            obj=campaign,
            field=f"{name}年度目标",
            old="" if old is None else str(old),
            new="" if count is None else str(count),
        )
        changed += 1
    return changed


@transaction.atomic
def reward_record(
    *,
    actor: User,
    campaign: Campaign,
    unit: Unit,
    kind: str,
    description: str,
    awarded_on: date,
    person: str = "",
    amount: Decimal | None = None,
) -> Reward:
    """Record a reward for a unit of the list (or a person of it)."""
    if not runs_campaign(actor, campaign):
        raise Refused(NOT_RUNNING.format(action="记录奖励"))
    if not Application.objects.filter(campaign=campaign, unit=unit, state__in=QUALIFIED).exists():
        raise Refused(f"{unit.name}不在本活动的命名(拟命名)名单中")
    if not kind.strip() or not description.strip():
        raise Refused("请填写奖励形式和奖励内容")
    if amount is not None and amount < 0:
        raise Refused("奖金不能为负数")
    reward = Reward.objects.create(
        campaign=campaign,
        unit=unit,
        person=person.strip(),
        kind=kind.strip(),
        description=description.strip(),
        amount=amount,
        awarded_on=awarded_on,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="campaign.reward",
        obj=campaign,
        field=unit.name + (f"·{reward.person}" if reward.person else ""),
        new=f"{reward.kind}:{reward.description}",
    )
    return reward
