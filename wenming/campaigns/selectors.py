from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from wenming.accounts.scope import path_prefix_q
from wenming.campaigns.models import Application, Campaign, Phase, State
from wenming.organizations.models import Region


def state_counts(campaign: Campaign, visible: QuerySet[Application]) -> list[dict[str, Any]]:
    """How many applications wait where: one GROUP BY over (state, step), labelled."""
    rows = (
        visible.filter(campaign=campaign).values("state", "step").annotate(n=Count("id")).order_by()
    )
    labels = {s["key"]: s["label"] for s in campaign.chain}
    order = {key: n for n, key in enumerate(labels)}
    out = []
    for row in rows:
        if row["state"] == State.IN_REVIEW:
            label = f"待{labels.get(row['step'], row['step'])}"
        else:
            label = State(row["state"]).label
        out.append({"state": row["state"], "step": row["step"], "label": label, "n": row["n"]})
    states = list(State.values)
    return sorted(out, key=lambda r: (states.index(r["state"]), order.get(r["step"], 99)))


def applications_filtered(
    visible: QuerySet[Application],
    *,
    state: str = "",
    step: str = "",
    grade: str = "",
    region: str = "",
    q: str = "",
) -> QuerySet[Application]:
    rows = visible
    if state in State.values:
        rows = rows.filter(state=state)
    if step:
        rows = rows.filter(step=step)
    if grade:
        rows = rows.filter(result_grade=grade)
    if region.isdigit():
        found = Region.objects.filter(pk=int(region)).only("path").first()
        if found is not None:
            rows = rows.filter(path_prefix_q("region_path", found.path))
    if q.strip():
        rows = rows.filter(Q(unit__name__contains=q.strip()) | Q(unit__credit_code=q.strip()))
    return rows.select_related("unit", "unit__region", "campaign").order_by("region_path", "id")


def published_campaign(pk: int) -> Campaign:
    """A campaign whose publicity list is public (in publicity or closed); 404 otherwise."""
    campaign = (
        Campaign.objects.select_related("region", "edition")
        .filter(pk=pk, phase__in=[Phase.PUBLICITY, Phase.CLOSED])
        .first()
    )
    if campaign is None:
        raise Http404("公示不存在")
    return campaign
