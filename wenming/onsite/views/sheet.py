"""The reconciliation sheet (合议表): every expert's score per item, the final figures, 自评 vs
测评, the leader's decisions and signature, and the office's recording of the result."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wenming.assessments.scoring import scorecard_of
from wenming.assessments.screen import profile_of
from wenming.campaigns.access import can_act_on_step
from wenming.core.engine import Engine, Scorecard
from wenming.core.points import fmt, fmt_decimal, to_centi
from wenming.frameworks.selectors import engine_of
from wenming.onsite.errors import OnsiteRefused
from wenming.onsite.forms import SheetActionParams
from wenming.onsite.models import Expert, Score, Sheet, SheetState, TeamMember
from wenming.onsite.problems import problems_from_sheet
from wenming.onsite.reconciliation import expert_deviations
from wenming.onsite.selectors import assignment_get_for_expert, is_leader, settings_of
from wenming.onsite.sheets import (
    FinalItem,
    decision_set,
    final_items,
    sheet_data,
    sheet_record,
    sheet_reopen,
    sheet_scorecard,
    sheet_sign,
)
from wenming.web.actor import actor
from wenming.web.params import params


@login_required
def sheet_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    assignment = assignment_get_for_expert(user, pk)
    application = assignment.application
    campaign = assignment.campaign
    rules = settings_of(campaign)
    # read only: the figures are written when a score changes (score_record) or when the
    # office reconciles the campaign, never on viewing
    sheet = Sheet.objects.filter(application=application).first()
    members = list(
        Expert.objects.filter(memberships__team=assignment.team).order_by("memberships__id")
    )
    scores: dict[tuple[str, int], Score] = {
        (s.code, s.expert_id): s for s in Score.objects.filter(application=application)
    }
    engine = engine_of(campaign.edition)
    finals = final_items(application, rules, sheet) if sheet else {}
    card = None
    if sheet is not None:
        card, _ = sheet_scorecard(
            application, sheet_data(application, finals, as_of=timezone.localdate())
        )
    own, _ = scorecard_of(application.assessment, application.assessment.entries.all())
    rows: list[dict[str, Any]] = []
    profile = profile_of(application.assessment)
    for node in engine.framework.leaves():
        if not engine.applies(node.code, profile):
            continue  # limited to other unit types or stages: not scored
        final = finals.get(node.code)
        row = sheet.items.get(node.code) if sheet else None
        onsite_score = card.node(node.code) if card and final else None
        self_score = own.node(node.code) if own else None
        rows.append(
            {
                "node": node,
                "points": fmt(engine.styles[node.code].points),
                "experts": [
                    (found, fmt(found.score_centi)) if found else None
                    for found in (scores.get((node.code, m.user_id)) for m in members)
                ],
                # a tiered item reconciles on its measured value, findings and awards on their
                # counts: the figure is the score of the reconciled value, the spread theirs
                "figure": fmt(final.figure)
                if final and final.compared
                else fmt(row[0])
                if row
                else "",
                "final": final,
                "onsite": fmt(onsite_score) if onsite_score is not None else "",
                "self": fmt(self_score) if self_score is not None else "",
                "differs": onsite_score is not None
                and self_score is not None
                and onsite_score != self_score,
                "spread": final.spread
                if final and final.compared
                else fmt(row[3] - row[2])
                if row
                else "",
            }
        )
    rows += _component_rows(engine, sheet, finals, scores, members, card, own)
    ids = {m.user_id: m for m in members}
    deviations = [(ids[d.expert_id], d) for d in expert_deviations(campaign, rules, experts=ids)]
    step = campaign.step(application.step)
    return render(
        request,
        "onsite/sheet.html",
        {
            "a": assignment,
            "sheet": sheet,
            "rules": rules,
            "members": members,
            "rows": rows,
            "card": card,
            "own": own,
            "card_total": fmt(card.total) if card else "",
            "own_total": fmt(own.total) if own else "",
            "deviations": deviations,
            "leads": is_leader(user, assignment),
            "signed": sheet is not None and sheet.state == SheetState.SIGNED,
            "signatures": list(sheet.signatures.select_related("signer")) if sheet else [],
            "can_record": step is not None
            and step.get("result")
            and can_act_on_step(user, application, step),
            "scored": len(finals),
            "member": TeamMember.objects.filter(team=assignment.team, expert__user=user).exists(),
        },
    )


def _component_rows(
    engine: Engine,
    sheet: Sheet | None,
    finals: dict[str, FinalItem],
    scores: dict[tuple[str, int], Score],
    members: list[Expert],
    card: Scorecard | None,
    own: Scorecard | None,
) -> list[dict[str, Any]]:
    """The separately scored components, after the items: each expert's score, the rule's
    figure, the threshold, and the component's score on site and in the self-assessment."""
    on_site = {c.code: c.score for c in card.components} if card else {}
    in_self = {c.code: c.score for c in own.components} if own else {}
    out = []
    for component in engine.framework.components:
        code = component.code
        row = sheet.items.get(code) if sheet else None
        final = finals.get(code)
        onsite_score = on_site.get(code) if final else None
        self_score = in_self.get(code)
        out.append(
            {
                "node": component,
                "component": True,
                "threshold": fmt_decimal(component.threshold),
                "weight": fmt_decimal(component.weight),
                "points": fmt_decimal(component.points),
                "experts": [
                    (found, fmt(found.score_centi)) if found else None
                    for found in (scores.get((code, m.user_id)) for m in members)
                ],
                "figure": fmt(row[0]) if row else "",
                "final": final,
                "onsite": fmt(onsite_score) if onsite_score is not None else "",
                "self": fmt(self_score) if self_score is not None else "",
                "differs": onsite_score is not None
                and self_score is not None
                and onsite_score != self_score,
                "below": onsite_score is not None and onsite_score < to_centi(component.threshold),
                "spread": fmt(row[3] - row[2]) if row else "",
            }
        )
    return out


def _act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = actor(request)
    assignment = assignment_get_for_expert(user, pk)
    application = assignment.application
    post = params(request.POST, SheetActionParams)
    try:
        if action == "decide":
            decision_set(
                actor=user,
                application=application,
                code=post.get("code", ""),
                value=post.get("value", ""),
                reason=post.get("reason", ""),
            )
            messages.success(request, f"{post.get('code')} 已裁定")
        elif action == "sign":
            sheet_sign(actor=user, application=application, reason=post.get("reason", ""))
            messages.success(request, "合议表已签署并锁定")
        elif action == "reopen":
            sheet_reopen(actor=user, application=application, reason=post.get("reason", ""))
            messages.success(request, "合议表已重新打开,修改后须重新签署")
        elif action == "problems":
            created = problems_from_sheet(actor=user, application=application)
            messages.success(request, f"已生成{len(created)}个整改问题(来源:专家扣分)")
        else:
            evaluation = sheet_record(actor=user, application=application)
            messages.success(
                request, f"已录入测评结果:{evaluation.total_centi / 100:g}分 {evaluation.grade}"
            )
    except OnsiteRefused as exc:
        messages.error(request, str(exc))
    return redirect("onsite:sheet", pk=assignment.pk)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "decide")


@login_required
@require_POST
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "sign")


@login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "reopen")


@login_required
@require_POST
def problems(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "problems")


@login_required
@require_POST
def record(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "record")
