from __future__ import annotations

from typing import IO, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from wenming.accounts.models import Role
from wenming.accounts.scope import scope_for, scope_key, unit_get_for_user, units_visible_to
from wenming.assessments.access import can_fill
from wenming.attachments.services import attachments_of
from wenming.core.evidence import STATUS_LABELS
from wenming.frameworks.models import FrameworkEdition
from wenming.frameworks.selectors import framework_of
from wenming.jobs.tasks import job_start
from wenming.ledger.access import (
    activities_visible_to,
    activity_get_for_user,
    activity_links_visible_to,
    indicator_assignments_visible_to,
)
from wenming.ledger.assignments import (
    assignment_done,
    assignments_for_person,
    overdue_for_unit_admin,
)
from wenming.ledger.forms import ActivityForm, EditionParam, EvidenceParams, ListParams
from wenming.ledger.models import Activity, ActivityType
from wenming.ledger.selectors import evidence_status, indicator_choices, quota_status
from wenming.ledger.services import (
    ActivityInput,
    LedgerRefused,
    activity_create,
    activity_delete,
    activity_types,
    activity_update,
    confirmation_set,
    explanation_save,
)
from wenming.organizations.models import Unit
from wenming.web.actor import actor
from wenming.web.db.prepared import PreparedPerKey
from wenming.web.paging import PreparedLists
from wenming.web.params import UnitParam, errors_text, next_url, params
from wenming.web.rows import esc, id_url, ymd

PAGE_SIZE = 50
# the list's SQL per scope, unit and type (PreparedLists): building it cost more than running it
_PAGES = PreparedLists()
_FIRST_UNIT: PreparedPerKey[Unit] = PreparedPerKey()
_LINKS: PreparedPerKey[tuple[int, str]] = PreparedPerKey()  # per scope and page of activities


def _unit(request: HttpRequest) -> Unit:
    """The unit asked for (?unit=), or the person's own unit; always through the scope."""
    if pk := params(request.GET if "unit" in request.GET else request.POST, UnitParam)["unit"]:
        return unit_get_for_user(request.user, pk)
    own = scope_for(request.user).own_units
    if own:
        return unit_get_for_user(request.user, own[0])
    # the first unit the person sees, read as unit_get_for_user reads one (one query, not two;
    # its SQL written once per scope)
    first = _FIRST_UNIT.list(
        scope_key(scope_for(request.user)),
        lambda: (
            units_visible_to(request.user)
            .select_related("unit_type", "region", "supervisor")
            .order_by("region_path", "name")[:1]
        ),
    )
    if not first:
        raise Http404("没有可查看的单位")
    return first[0]


def _editions(unit: Unit) -> list[FrameworkEdition]:
    return [
        e for e in FrameworkEdition.objects.defer("source") if unit.unit_type.name in e.unit_types
    ]


def _edition(request: HttpRequest, unit: Unit) -> FrameworkEdition:
    editions = _editions(unit)
    if not editions:
        raise Http404("没有适用于本单位的测评体系")
    wanted = params(request.GET if "edition" in request.GET else request.POST, EditionParam)
    chosen = next((e for e in editions if e.pk == wanted["edition"]), None)
    if chosen is not None:
        return chosen
    # by default the framework the unit keeps its ledger for (most linked records)
    used = (
        activity_links_visible_to(request.user)
        .filter(unit=unit)
        .values("edition_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("edition_id", flat=True)
        .first()
    )
    return next((e for e in editions if e.pk == used), editions[0])


# the columns the table shows, as plain rows in the order _rows reads them
ROW = (
    *("pk", "day", "activity_type__name", "title", "department__name", "participants"),
    *("photo_count", "file_count"),
)


def _rows(request: HttpRequest, page: Page[tuple[Any, ...]]) -> SafeString:
    """The table's rows (wenming.web.rows), each activity's indicator codes read in one query
    for the page: a prefetch and the template loop were most of the page's time."""
    codes: dict[int, list[str]] = {row[0]: [] for row in page}
    links = _LINKS.list(
        (scope_key(scope_for(request.user)), tuple(codes)),
        lambda: (
            activity_links_visible_to(request.user)
            .filter(activity_id__in=codes)
            .order_by("pk")
            .values_list("activity_id", "code")
        ),
    )
    for activity_id, code in links:
        codes[activity_id].append(code)
    return mark_safe(  # every value escaped by esc
        "".join(
            f'\n    <tr><td>{ymd(day)}</td><td>{esc(kind or "")}</td><td><a href="'
            f'{id_url("ledger:detail", pk)}">{esc(title)}</a></td><td>{esc(department or "—")}'
            f'</td><td class="num">{esc(participants)}</td>\n      <td>{"、".join(esc(c) for c in codes[pk])}'
            f'</td><td class="num">{esc(photos)}/{esc(files)}</td></tr>\n  '
            for pk, day, kind, title, department, participants, photos, files in page
        )
    )


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    f = params(request.GET, ListParams)
    kind = f["type"]

    def shown() -> QuerySet[Activity, tuple[Any, ...]]:
        qs = activities_visible_to(request.user).filter(unit=unit).order_by("-day", "-id")
        if kind:
            qs = qs.filter(activity_type_id=kind)
        return qs.values_list(*ROW)

    key = (scope_key(scope_for(request.user)), unit.pk, kind)
    page = _PAGES.page(key, shown, f["page"], PAGE_SIZE)
    return render(
        request,
        "ledger/list.html",
        {
            "unit": unit,
            "page": page,
            "rows": _rows(request, page),
            "types": activity_types(),
            "kind": kind,
            "writable": can_fill(request.user, unit.pk),
        },
    )


def _read_form(
    request: HttpRequest, unit: Unit, editions: list[FrameworkEdition]
) -> tuple[ActivityInput, list[tuple[FrameworkEdition, str]], list[tuple[str, IO[bytes]]]]:
    """The record form as service arguments; LedgerRefused says what is wrong."""
    form = ActivityForm(request.POST)
    if not form.is_valid():
        raise LedgerRefused(errors_text(form))
    f = form.cleaned_data
    kind = ActivityType.objects.filter(pk=f["activity_type"]).first()
    if kind is None:
        raise LedgerRefused("请选择活动类型")
    links = []
    for value in request.POST.getlist("indicators"):
        edition_id, _, code = value.partition(":")
        edition = next((e for e in editions if str(e.pk) == edition_id), None)
        if edition is None:
            raise LedgerRefused("所选测评体系不适用于本单位")
        links.append((edition, code))
    data = ActivityInput(
        activity_type=kind,
        title=f["title"],
        day=f["day"],
        place=f["place"],
        department=unit.departments.filter(pk=f["department"]).first() if f["department"] else None,
        participants=f["participants"] or 0,
        participant_names=f["participant_names"],
        description=f["description"],
    )
    files = [(f.name or "附件", cast(IO[bytes], f)) for f in request.FILES.getlist("files")]
    return data, links, files


def _form_page(
    request: HttpRequest,
    unit: Unit,
    editions: list[FrameworkEdition],
    *,
    values: dict[str, Any],
    selected: set[str],
    activity: Activity | None = None,
) -> HttpResponse:
    return render(
        request,
        "ledger/new.html",
        {
            "unit": unit,
            "types": activity_types(),
            "departments": unit.departments.all(),
            "choices": indicator_choices(editions, selected),
            "today": timezone.localdate(),
            "post": values,
            "selected": selected,
            "activity": activity,
        },
    )


@login_required
def activity_new(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    user = actor(request)
    editions = _editions(unit)
    if request.method == "POST":
        try:
            data, links, files = _read_form(request, unit, editions)
            activity, notes = activity_create(
                actor=user, unit=unit, data=data, links=links, files=files
            )
        except LedgerRefused as exc:
            messages.error(request, str(exc))
        else:
            for note in notes:
                messages.info(request, note)
            messages.success(request, "台账记录已保存")
            return redirect("ledger:detail", pk=activity.pk)
    if not can_fill(user, unit.pk):
        return render(request, "ledger/readonly.html", {"unit": unit}, status=403)
    return _form_page(
        request,
        unit,
        editions,
        values=request.POST.dict(),
        selected=set(request.POST.getlist("indicators")),
    )


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity_for(request, pk)
    unit, user = activity.unit, actor(request)
    if not can_fill(user, unit.pk):
        return render(request, "ledger/readonly.html", {"unit": unit}, status=403)
    editions = _editions(unit)
    values: dict[str, Any]
    if request.method == "POST":
        try:
            data, links, files = _read_form(request, unit, editions)
            notes = activity_update(
                actor=user, activity=activity, data=data, links=links, files=files
            )
        except LedgerRefused as exc:
            messages.error(request, str(exc))
        else:
            for note in notes:
                messages.info(request, note)
            messages.success(request, "台账记录已修改")
            return redirect("ledger:detail", pk=activity.pk)
        values, selected = request.POST.dict(), set(request.POST.getlist("indicators"))
    else:
        values = {
            "activity_type": str(activity.activity_type_id),
            "title": activity.title,
            "day": activity.day,
            "place": activity.place,
            "department": str(activity.department_id or ""),
            "participants": str(activity.participants),
            "participant_names": activity.participant_names,
            "description": activity.description,
        }
        selected = {f"{link.edition_id}:{link.code}" for link in activity.indicators.all()}
    return _form_page(request, unit, editions, values=values, selected=selected, activity=activity)


def _activity_for(request: HttpRequest, pk: int) -> Activity:
    return activity_get_for_user(request.user, pk)


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity_for(request, pk)
    return render(
        request,
        "ledger/detail.html",
        {
            "a": activity,
            "files": attachments_of(activity),
            "links": activity.indicators.select_related("edition"),
            "writable": can_fill(request.user, activity.unit_id),
        },
    )


@login_required
@require_POST
def activity_remove(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity_for(request, pk)
    unit_id = activity.unit_id
    try:
        activity_delete(actor=actor(request), activity=activity)
    except LedgerRefused as exc:
        messages.error(request, str(exc))
        return redirect("ledger:detail", pk=pk)
    messages.success(request, "记录已删除(审计记录已保留)")
    return redirect(f"{reverse('ledger:list')}?unit={unit_id}")


@login_required
def evidence(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    edition = _edition(request, unit)
    if request.method == "POST":
        try:
            f = params(request.POST, EvidenceParams)
            if f["explanation"] is not None:
                explanation_save(
                    actor=actor(request),
                    unit=unit,
                    edition=edition,
                    code=f["code"],
                    text=f["explanation"],
                )
            else:
                confirmation_set(
                    actor=actor(request),
                    unit=unit,
                    edition=edition,
                    code=f["code"],
                    rule_index=-1 if f["rule"] is None else f["rule"],
                    confirmed=f["confirmed"] == "1",
                )
        except LedgerRefused as exc:
            messages.error(request, str(exc))
        return redirect(
            f"{reverse('ledger:evidence')}?unit={unit.pk}&edition={edition.pk}#e-{f['code']}"
        )
    rows = evidence_status(unit=unit, edition=edition, as_of=timezone.localdate())
    leaves = [r for r in rows if r.node.is_leaf]
    counts = {
        label: sum(1 for r in leaves if r.status == key) for key, label in STATUS_LABELS.items()
    }
    return render(
        request,
        "ledger/evidence.html",
        {
            "unit": unit,
            "edition": edition,
            "editions": _editions(unit),
            "rows": rows,
            "counts": counts,
            "writable": can_fill(request.user, unit.pk),
        },
    )


@login_required
def quotas(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    edition = _edition(request, unit)
    rows = quota_status(unit=unit, edition=edition, as_of=timezone.localdate())
    return render(
        request,
        "ledger/quotas.html",
        {"unit": unit, "edition": edition, "editions": _editions(unit), "rows": rows},
    )


@login_required
@require_POST
def binder(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    edition = _edition(request, unit)
    job = job_start(
        kind="binder",
        label=f"{unit.name} 迎检材料({edition.name})",
        owner=actor(request),
        unit=unit,
        params={"edition": edition.pk},
    )
    return redirect("jobs:detail", pk=job.pk)


@login_required
def assignment_table(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    edition = _edition(request, unit)
    current = {
        a.code: a
        for a in indicator_assignments_visible_to(request.user)
        .filter(unit=unit, edition=edition)
        .select_related("department", "user")
    }
    today = timezone.localdate()
    rows = [
        (node, depth, current.get(node.code))
        for node, _, depth in framework_of(edition).walk(bonus=False)
    ]
    late = [a for a in current.values() if a.done_at is None and a.deadline and a.deadline < today]
    return render(
        request,
        "ledger/assignments.html",
        {
            "unit": unit,
            "edition": edition,
            "editions": _editions(unit),
            "rows": rows,
            "today": today,
            "late": late,
            "is_admin": scope_for(request.user).holds(Role.UNIT_ADMIN, unit.pk),
        },
    )


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    mine = assignments_for_person(user).order_by("done_at", "deadline")
    return render(
        request,
        "ledger/my_tasks.html",
        {
            "mine": mine,
            "today": timezone.localdate(),
            "unit_late": overdue_for_unit_admin(user).select_related("unit", "department"),
        },
    )


@login_required
@require_POST
def assignment_mark_done(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = indicator_assignments_visible_to(request.user).filter(pk=pk).first()
    if assignment is None:
        raise Http404("任务不存在")
    try:
        assignment_done(actor=actor(request), assignment=assignment)
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from None
    messages.success(request, f"{assignment.code} 已标记完成")
    return redirect(next_url(request, "ledger:my_tasks"))
