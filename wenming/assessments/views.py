from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from wenming.accounts.scope import scope_for, scope_key, units_visible_to
from wenming.assessments.access import (
    assessment_get_for_user,
    assessments_visible_to,
    can_fill,
    can_return,
    can_submit,
)
from wenming.assessments.forms import EntryParams, ReturnParams, StartParams, entry_value
from wenming.assessments.inputs import na_note
from wenming.assessments.models import AssessmentStatus, SelfAssessment
from wenming.assessments.scoring import results_data, scorecard_of
from wenming.assessments.screen import _explanations, item_view, item_views, profile_of
from wenming.assessments.services import (
    AssessmentRefused,
    EntryConflict,
    edition_applies,
    entry_save,
    self_assessment_return,
    self_assessment_start,
    self_assessment_submit,
)
from wenming.audit.services import audit_trail
from wenming.core import yaml_io
from wenming.core.engine import Engine, Scorecard
from wenming.core.evidence import COMPLETE, MANUAL
from wenming.core.points import fmt
from wenming.core.styles import InputError
from wenming.frameworks.models import FrameworkEdition
from wenming.frameworks.selectors import engine_of
from wenming.ledger.selectors import open_evidence
from wenming.web.actor import actor
from wenming.web.downloads import YAML, file_download
from wenming.web.paging import PreparedLists
from wenming.web.params import params
from wenming.web.rows import centi, esc, id_url, stamp

PAGE_SIZE = 50
# the list's SQL per scope (PreparedLists): building it cost more than running it
_PAGES = PreparedLists()


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    # plain rows in the order _rows reads them (model instances were a fifth of the page);
    # an edition's framework text is large and not shown here
    page = _PAGES.page(
        scope_key(scope_for(user)),
        lambda: (
            assessments_visible_to(user)
            .order_by("-created_at", "-pk")
            .values_list(
                "pk",
                "unit__name",
                "edition__name",
                "revision",
                "status",
                "total_centi",
                "grade",
                "vetoed",
                "created_at",
            )
        ),
        request.GET.get("page"),
        PAGE_SIZE,
    )
    scope = scope_for(user)
    startable = []
    if scope.own_units:  # only a unit's own people start its self-assessments
        fillable = units_visible_to(user).filter(pk__in=scope.own_units).select_related("unit_type")
        editions = list(FrameworkEdition.objects.defer("source"))
        for unit in fillable:
            if can_fill(user, unit.pk):
                startable += [(unit, e) for e in editions if edition_applies(e, unit)]
    return render(
        request,
        "assessments/list.html",
        {"page": page, "rows": _rows(page), "startable": startable},
    )


def _rows(page: Page[tuple[Any, ...]]) -> SafeString:
    """The table's rows (wenming.web.rows: the template loop was most of the page's time)."""
    labels = dict(AssessmentStatus.choices)
    return mark_safe(  # every value escaped by esc
        "".join(
            f'\n    <tr><td><a href="{id_url("assessments:detail", pk)}">{esc(unit)}</a>'
            f"</td><td>{esc(edition)}</td><td>第{esc(revision)}版</td>"
            f'\n      <td><span class="status {esc(status)}">{esc(labels.get(status, status))}'
            f'</span></td><td class="num">{esc(centi(total))}</td>'
            f"<td>{esc(grade)}{'(否决)' if vetoed else ''}</td>"
            f"<td>{stamp(created)[:10]}</td></tr>\n  "
            for pk, unit, edition, revision, status, total, grade, vetoed, created in page
        )
    )


@login_required
@require_POST
def assessment_start(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    f = params(request.POST, StartParams)
    unit = get_object_or_404(units_visible_to(user).select_related("unit_type"), pk=f["unit"])
    edition = get_object_or_404(FrameworkEdition, pk=f["edition"])
    try:
        assessment = self_assessment_start(actor=user, unit=unit, edition=edition)
    except AssessmentRefused as exc:
        messages.error(request, str(exc))
        return redirect("assessments:list")
    return redirect("assessments:detail", pk=assessment.pk)


def _live_context(request: HttpRequest, assessment: SelfAssessment) -> dict[str, Any]:
    """What every answer shows: totals, trail, events. Cheap: it runs on each keystroke's save."""
    entries = {e.code: e for e in assessment.entries.select_related("updated_by")}
    card, problems = scorecard_of(assessment, entries.values())
    engine = engine_of(assessment.edition)
    fw = engine.framework
    return {
        "a": assessment,
        "entries": entries,
        "fw": fw,
        "na_note": na_note(fw),
        "card": card,
        "problems": problems,
        "totals": _totals(engine, card),
        "vetoes": [(v, entries.get(v.code)) for v in fw.vetoes],
        "negatives": [(n, entries.get(n.code)) for n in fw.negative_list],
        "components": [(c, entries.get(c.code)) for c in fw.components],
        "trail": audit_trail(assessment)[:100],
        "editable": assessment.is_editable and can_fill(actor(request), assessment.unit_id),
    }


def _screen_context(request: HttpRequest, assessment: SelfAssessment) -> dict[str, Any]:
    """The whole page: the live parts plus every item with its evidence status."""
    user = actor(request)
    context = _live_context(request, assessment)
    open_items = open_evidence(
        unit=assessment.unit, edition=assessment.edition, as_of=timezone.localdate()
    )
    missing = {code: reasons for code, (_, reasons) in open_items.items()}
    items = item_views(assessment, context["entries"], context["card"])
    for item in items:
        if item.node.is_leaf:
            status, item.evidence = open_items.get(item.node.code, (COMPLETE, ""))
            item.evidence_ok = status == COMPLETE
            item.evidence_manual = status == MANUAL
    context.update(
        items=items,
        can_submit=assessment.is_editable and can_submit(user, assessment.unit_id),
        can_return=assessment.status == "submitted" and can_return(user, assessment),
        revisions=assessments_visible_to(user)
        .filter(unit=assessment.unit, edition=assessment.edition)
        .order_by("revision"),
        nine_year=assessment.unit.stage == "九年一贯制",
        missing_evidence=missing,
    )
    return context


def _totals(engine: Engine, card: Scorecard | None) -> dict[str, Any] | None:
    if card is None:
        return None
    return {
        "base": fmt(card.base),
        "bonus": fmt(card.bonus),
        "deductions": fmt(card.deductions),
        "total": fmt(card.total),
        "max": fmt(engine.total_max),
        "grade": card.grade,
        "vetoed": card.vetoed,
        "veto_reasons": card.veto_reasons,
        "suspended": card.suspended,
        "missing": len(card.missing),
        "explanation": card.explain(),
        "has_bonus": engine.framework.bonus is not None,
    }


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_get_for_user(actor(request), pk)
    return render(request, "assessments/detail.html", _screen_context(request, assessment))


@login_required
@require_POST
def entry_update(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """Save one entry (htmx): answer with the item and, out of band, the totals and trail."""
    user = actor(request)
    assessment = assessment_get_for_user(user, pk)
    if not can_fill(user, assessment.unit_id):
        raise PermissionDenied("只有本单位的填报员或管理员可以填写自评")
    typed = params(request.POST, EntryParams)
    error, conflict = "", None
    engine = engine_of(assessment.edition)
    try:
        value = entry_value(engine.styles.get(code), request.POST, typed)
        entry_save(
            actor=user,
            assessment_id=assessment.pk,
            code=code,
            value=value,
            reason=typed["reason"],
            note=typed["note"],
            event_date=typed["event_date"],
            until=typed["until"],
            version=typed["version"] or 0,
        )
    except (AssessmentRefused, InputError) as exc:
        error = str(exc)
    except EntryConflict as exc:
        conflict = exc.current
        who = conflict.updated_by.get_full_name() or conflict.updated_by.username
        error = (
            f"该项已被{who}于{conflict.updated_at.astimezone().strftime('%H:%M:%S')}修改为“{conflict.value or '(空)'}”,"
            f"您输入的“{typed['value'] or '(空)'}”未保存;请确认后再保存"
        )
    assessment.refresh_from_db()
    context = _live_context(request, assessment)
    entries, card = context["entries"], context["card"]
    if code in engine.index:
        explanations, profile = _explanations(engine, card), profile_of(assessment)
        changed = []
        step: str | None = code
        while step is not None:  # the item and every ancestor whose sum changed with it
            index = engine.index[step]
            changed.append(
                item_view(
                    engine,
                    engine.nodes[index],
                    engine.depth[step],
                    index,
                    entries.get(step),
                    card,
                    explanations,
                    profile,
                )
            )
            step = engine.parent[step]
        item = changed[0]
        item.error, item.conflict = error, conflict
        context["item"], context["changed"] = item, changed
        template = "assessments/_item_response.html"
    else:
        context["event_error"] = error
        context["event_code"] = code
        template = "assessments/_event_response.html"
    return render(request, template, context)


@login_required
@require_POST
def assessment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    assessment = assessment_get_for_user(user, pk)
    try:
        self_assessment_submit(actor=user, assessment_id=assessment.pk)
    except AssessmentRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "自评已提交,内容已锁定")
    return redirect("assessments:detail", pk=pk)


@login_required
@require_POST
def assessment_return(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    assessment = assessment_get_for_user(user, pk)
    reason = params(request.POST, ReturnParams)["reason"]
    try:
        draft = self_assessment_return(actor=user, assessment_id=assessment.pk, reason=reason)
    except AssessmentRefused as exc:
        messages.error(request, str(exc))
        return redirect("assessments:detail", pk=pk)
    messages.success(request, f"已退回;单位将在第{draft.revision}版中修改,原提交内容保持不变")
    return redirect("assessments:detail", pk=draft.pk)


@login_required
def assessment_results(request: HttpRequest, pk: int) -> HttpResponse:
    """The entries as a results file, for ``wenming score`` or an archive."""
    assessment = assessment_get_for_user(actor(request), pk)
    data = results_data(assessment, assessment.entries.all())
    return file_download(yaml_io.dump(data).encode(), f"self-assessment-{assessment.pk}.yaml", YAML)
