from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from wenming.core.draw import REASON_LABELS, Rules, RulesInvalid, rank_key, share_parse
from wenming.draws.forms import DrawParams, SeenParam
from wenming.draws.models import Draw
from wenming.draws.selectors import (
    campaign_for_draws,
    draw_current,
    draw_get_for_user,
    draws_of,
)
from wenming.draws.services import DrawRefused, draw_candidates, draw_record, draw_verify
from wenming.web.actor import actor
from wenming.web.params import errors_text

DEFAULT_SHARE = "1/3"


def _rules_from_post(post: Any, strata: list[str]) -> Rules:
    shares = {}
    for stratum in strata:
        text = post.get(f"share:{stratum}", "").strip()[:40] or "0"
        shares[stratum] = share_parse(text, label=stratum)
    form = DrawParams(post)
    if not form.is_valid():
        raise RulesInvalid(errors_text(form))
    return Rules(shares=shares, min_per_district=form.cleaned_data["min_per_district"] or 0)


@login_required
def campaign_draws(request: HttpRequest, pk: int) -> HttpResponse:
    """Set the rules and draw (or redraw); the history of the campaign's draws."""
    user = actor(request)
    campaign = campaign_for_draws(user, pk)
    candidates = draw_candidates(campaign)
    strata = sorted(Counter(c.stratum for c in candidates).items())
    districts = sorted(Counter(c.district for c in candidates).items())
    current = draw_current(campaign)
    shares = dict(current.rules["shares"]) if current else {}
    form: dict[str, Any] = {
        "shares": {s: shares.get(s, DEFAULT_SHARE) for s, _ in strata},
        "min_per_district": current.rules["min_per_district"] if current else 0,
        "reason": "",
    }
    if request.method == "POST":
        form["shares"] = {s: request.POST.get(f"share:{s}", "") for s, _ in strata}
        form["min_per_district"] = request.POST.get("min_per_district", "")
        form["reason"] = request.POST.get("reason", "")
        checked = SeenParam(request.POST)
        seen_id = checked.cleaned_data.get("seen") if checked.is_valid() else None
        seen = Draw.objects.filter(campaign=campaign, pk=seen_id).first() if seen_id else None
        try:
            rules = _rules_from_post(request.POST, [s for s, _ in strata])
            draw = draw_record(
                actor=user,
                campaign=campaign,
                rules=rules,
                reason=form["reason"],
                seen=seen,
            )
        except (RulesInvalid, DrawRefused) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已完成第{draw.number}次抽签,抽中{len(draw.result)}个单位")
            return redirect("draws:detail", pk=draw.pk)
    return render(
        request,
        "draws/campaign.html",
        {
            "campaign": campaign,
            "candidates": candidates,
            "strata": [(s, n, form["shares"].get(s, "")) for s, n in strata],
            "districts": districts,
            "form": form,
            "current": current,
            "history": draws_of(campaign),
        },
    )


@login_required
def draw_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A recorded draw with everything needed to check it; ?verify=1 re-runs it (核验)."""
    draw = draw_get_for_user(actor(request), pk)
    drawn = {p["code"]: p["reason"] for p in draw.result}
    by_code = {c["code"]: c for c in draw.candidates}
    picks = [
        {
            **by_code.get(p["code"], {"code": p["code"]}),
            "reason": REASON_LABELS.get(p["reason"], p["reason"]),
        }
        for p in draw.result
    ]
    # shown in draw order, with the rank anyone can recompute: SHA-256 of "seed:credit code"
    rows = sorted(
        (
            {**c, "drawn": c["code"] in drawn, "rank": rank_key(draw.seed, str(c["code"]))}
            for c in draw.candidates
        ),
        key=lambda r: (r["rank"], r["code"]),
    )
    return render(
        request,
        "draws/detail.html",
        {
            "draw": draw,
            "campaign": draw.campaign,
            "picks": picks,
            "rows": rows,
            "shares": sorted(draw.rules.get("shares", {}).items()),
            "verdict": draw_verify(draw) if request.GET.get("verify") else None,
            "replaced_by": Draw.objects.filter(replaces=draw).only("id", "number").first(),
            "current": draw_current(draw.campaign),
        },
    )
