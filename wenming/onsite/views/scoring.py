"""The expert's pages: my assignments, the phone scoring screen, synchronisation, photos."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wenming.assessments.inputs import na_note
from wenming.attachments.detect import FileRejected
from wenming.campaigns.access import campaigns_visible_list, runs_campaign
from wenming.campaigns.models import Campaign, Phase
from wenming.core.json_input import JsonRefused
from wenming.frameworks.selectors import framework_of
from wenming.onsite.errors import OnsiteRefused
from wenming.onsite.forms import PhotoParams
from wenming.onsite.models import Score, Sheet, SheetState, TeamMember
from wenming.onsite.scoring import photo_add, scores_sync
from wenming.onsite.screen import score_components, score_items
from wenming.onsite.selectors import assignment_get_for_expert, assignments_of_expert, is_leader
from wenming.onsite.sync_body import SyncBody
from wenming.onsite.views.sections import item_sections
from wenming.web.actor import actor
from wenming.web.db.prepared import PreparedPerKey
from wenming.web.json_body import json_body
from wenming.web.params import params

# the campaigns under way a person sees, written once per scope (every expert's page asks)
_UNDER_WAY: PreparedPerKey[Campaign] = PreparedPerKey()


def _under_way(campaigns: QuerySet[Campaign]) -> QuerySet[Campaign]:
    return campaigns.exclude(phase__in=[Phase.CLOSED, Phase.CANCELLED])[:100]


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The expert's assignments — and only theirs."""
    user = actor(request)
    assignments = list(assignments_of_expert(user))
    signed = set(
        Sheet.objects.filter(
            application_id__in=[a.application_id for a in assignments], state=SheetState.SIGNED
        ).values_list("application_id", flat=True)
    )
    for a in assignments:
        a.signed = a.application_id in signed  # type: ignore[attr-defined]
        a.leads = a.team.leader.user_id == user.pk  # type: ignore[attr-defined]
    organised = [
        c for c in campaigns_visible_list(user, _UNDER_WAY, _under_way) if runs_campaign(user, c)
    ]
    return render(request, "onsite/mine.html", {"assignments": assignments, "organised": organised})


@login_required
def score_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    assignment = assignment_get_for_expert(user, pk)
    member = TeamMember.objects.filter(team_id=assignment.team_id, expert__user=user).exists()
    items = score_items(assignment, user, as_of=timezone.localdate())
    components = score_components(assignment, user)
    locked = Sheet.objects.filter(
        application=assignment.application, state=SheetState.SIGNED
    ).exists()
    can_score = member and not locked
    return render(
        request,
        "onsite/score.html",
        {
            "a": assignment,
            "item_sections": item_sections(
                items,
                assignment,
                can_score=can_score,
                na_note=na_note(framework_of(assignment.campaign.edition)),
                csrf_token=get_token(request),
            ),
            "components": components,
            "total": len(items) + len(components),
            "can_score": can_score,
            "locked": locked,
            "leads": is_leader(user, assignment),
            "done": sum(1 for i in items if i.score is not None)
            + sum(1 for c in components if c.score is not None),
        },
    )


def service_worker(request: HttpRequest) -> HttpResponse:
    """The script that keeps the scoring page working offline (see the file). Served here and
    not under /static/ because a service worker controls only pages below its own path; the
    same for everyone (it holds no data), never cached by the browser so that a new version
    takes over at the next visit."""
    response = render(request, "onsite/sw.js", content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@login_required
@require_POST
def sync(request: HttpRequest) -> JsonResponse:
    """Entries kept on the phone arrive here, as JSON; each gets an answer by its client id."""
    try:
        body = json_body(request, SyncBody)
    except JsonRefused as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    entries = [e.model_dump(exclude_none=True) for e in body.entries]
    answers = scores_sync(actor=actor(request), entries=entries)
    return JsonResponse({"answers": [a.as_json() for a in answers]})


@login_required
@require_POST
def photo_upload(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    assignment = assignment_get_for_expert(user, pk)
    f = params(request.POST, PhotoParams)
    score = Score.objects.filter(
        application=assignment.application, expert=user, code=f["code"]
    ).first()
    upload = request.FILES.get("photo")
    # the page's script sends photos kept on the phone and wants a short answer
    wants_json = "application/json" in request.headers.get("Accept", "")
    error, retry = "", False
    if score is None:
        error, retry = "请先为该项评分,再上传照片", True  # the score may still be on its way
    elif upload is None:
        error = "请选择照片"
    else:
        try:
            photo_add(
                actor=user,
                score=score,
                name=upload.name or "现场照片.jpg",
                stream=upload,
                client_id=f["client_id"],
            )
        except (OnsiteRefused, FileRejected) as exc:
            error = str(exc)
    if wants_json:
        return JsonResponse({"ok": not error, "error": error, "retry": retry})
    if error:
        messages.error(request, error)
    else:
        assert score is not None
        messages.success(request, f"{score.code} 照片已保存")
    return redirect("onsite:score", pk=assignment.pk)
