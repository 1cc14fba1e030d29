from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import IO, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from wenming.accounts.models import Role
from wenming.accounts.scope import (
    regions_visible_to,
    scope_for,
    unit_get_for_user,
    units_visible_to,
)
from wenming.attachments.models import Attachment
from wenming.attachments.services import attachments_of
from wenming.core.xlsx_safe import new_workbook, workbook_bytes
from wenming.notices.todo import todos_for
from wenming.organizations.models import RegionLevel
from wenming.rectification.access import (
    can_handle,
    can_supervise,
    is_member,
    is_unit_lead,
    problem_get_for_user,
    problems_visible_to,
)
from wenming.rectification.forms import (
    ActParams,
    ListParams,
    NoticeForm,
    OverviewParams,
    PageParam,
    ProblemForm,
)
from wenming.rectification.models import (
    Problem,
    ProblemSource,
    ProblemState,
    ProblemStep,
    RectificationPlan,
    Severity,
    SupervisionNotice,
)
from wenming.rectification.selectors import (
    SORTS,
    Measures,
    Overview,
    Row,
    office_region,
    overview,
    plan_state,
    repeat_overdue_units,
)
from wenming.rectification.services import (
    ProblemRefused,
    problem_accept,
    problem_assign,
    problem_attach,
    problem_call_back,
    problem_close,
    problem_create,
    problem_handle,
    problem_return,
    problem_update,
    problem_verify,
    problems_from_self_assessment,
    supervision_notice_reply,
    supervision_notice_send,
)
from wenming.web.actor import actor
from wenming.web.downloads import XLSX, file_download
from wenming.web.params import UnitParam, params

PAGE_SIZE = 50
TODO_KINDS = ("problem", "supervision")
S = ProblemState


def _files(request: HttpRequest) -> list[tuple[str, IO[bytes]]]:
    return [(f.name or "附件", cast(IO[bytes], f)) for f in request.FILES.getlist("files")]


@login_required
def problem_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    today = timezone.localdate()
    qs = problems_visible_to(user).select_related("unit", "responsible")
    cleaned = params(request.GET, ListParams)
    f: dict[str, Any] = {k: cleaned[k] or "" for k in ("state", "unit", "source", "overdue")}
    if f["state"] in S.values:
        qs = qs.filter(state=f["state"])
    elif f["state"] == "open":
        qs = qs.exclude(state=S.CLOSED)
    if f["unit"]:
        qs = qs.filter(unit_id=unit_get_for_user(user, f["unit"]).pk)
    if f["source"] in ProblemSource.values:
        qs = qs.filter(source=f["source"])
    if f["overdue"] == "1":
        qs = qs.exclude(state=S.CLOSED).filter(deadline__lt=today)
    page = Paginator(qs.order_by("-received_on", "-id"), PAGE_SIZE).get_page(cleaned["page"])
    scope = scope_for(user)
    query = "&".join(f"{k}={v}" for k, v in f.items() if v)
    return render(
        request,
        "rectification/list.html",
        {
            "page": page,
            "f": f,
            "query": query,
            "states": S.choices,
            "sources": ProblemSource.choices,
            "today": today,
            "todos": [t for t in todos_for(user, today=today) if t.kind in TODO_KINDS][:20],
            "can_report": scope.has(Role.OFFICE, Role.SUPERVISOR) or bool(scope.own_units),
            "can_import": scope.has(Role.OFFICE, Role.SUPERVISOR),
            "is_office": scope.has(Role.OFFICE),
        },
    )


@login_required
def problem_new(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    scope = scope_for(user)
    units = units_visible_to(user).order_by("region_path", "name")
    if not scope.has(Role.OFFICE, Role.SUPERVISOR):
        units = units.filter(pk__in=scope.own_units)
    if request.method == "POST":
        f = params(request.POST, ProblemForm)
        unit = unit_get_for_user(user, f["unit"])
        try:
            problem = problem_create(
                actor=user,
                unit=unit,
                source=f["source"],
                severity=f["severity"] or Severity.GENERAL,
                title=f["title"],
                description=f["description"],
                location=f["location"],
                complainant=f["complainant"],
                indicator_code=f["indicator_code"],
                deadline=f["deadline"],
                found_on=f["found_on"],
                files=_files(request),
            )
        except ProblemRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "问题已登记")
            return redirect("rectification:detail", pk=problem.pk)
    if not (scope.has(Role.OFFICE, Role.SUPERVISOR) or scope.own_units):
        raise PermissionDenied("无权登记问题")
    return render(
        request,
        "rectification/new.html",
        {
            "units": units[:1000],
            "sources": ProblemSource.choices,
            "severities": Severity.choices,
            "post": request.POST.dict(),
            "chosen": str(params(request.GET, UnitParam)["unit"] or ""),
            "today": timezone.localdate(),
        },
    )


def _actions(user: User, p: Problem) -> set[str]:
    supervise = can_supervise(user, p.unit)
    allowed: set[str] = set()
    if supervise:
        allowed |= {"update", "attach", "notice"}
        if p.state == S.FOUND:
            allowed.add("accept")
        if p.state == S.ACCEPTED:
            allowed.add("assign")
        if p.state == S.HANDLED and p.handled_by_id != user.pk:
            allowed |= {"verify", "return"}
        if p.state == S.VERIFIED and p.source == ProblemSource.COMPLAINT:
            allowed.add("call_back")
        if (
            p.state == S.VERIFIED and p.source != ProblemSource.COMPLAINT
        ) or p.state == S.CALLED_BACK:
            allowed.add("close")
    if p.state == S.ACCEPTED and is_unit_lead(user, p.unit_id):
        allowed.add("assign")
    if can_handle(user, p):
        allowed |= {"measures", "attach"}
        if p.state == S.ASSIGNED:
            allowed.add("handle")
    if p.state == S.CLOSED:
        allowed -= {"update", "measures", "notice", "attach"}
    return allowed


@login_required
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    p = problem_get_for_user(user, pk)
    steps = list(ProblemStep.objects.filter(problem=p).select_related("actor"))
    files: dict[str, list[Attachment]] = {}
    for a in Attachment.objects.filter(
        owner_type=ProblemStep._meta.label_lower, owner_id__in=[str(s.pk) for s in steps]
    ).select_related("file"):
        files.setdefault(a.owner_id, []).append(a)
    for s in steps:
        s.files = files.get(str(s.pk), [])  # type: ignore[attr-defined]
    actions = _actions(user, p)
    people = (
        User.objects.filter(
            grants__unit=p.unit,
            grants__role__in=[r.value for r in (Role.UNIT_HEAD, Role.UNIT_ADMIN, Role.UNIT_FILLER)],
        )
        .distinct()
        .order_by("username")
        if "assign" in actions
        else []
    )
    siblings = (
        Problem.objects.filter(unit=p.unit).exclude(state=S.CLOSED).exclude(pk=p.pk)[:20]
        if "notice" in actions
        else []
    )
    return render(
        request,
        "rectification/detail.html",
        {
            "p": p,
            "steps": steps,
            "files": attachments_of(p),
            "actions": actions,
            "people": people,
            "siblings": siblings,
            "notices": p.notices.all(),
            "today": timezone.localdate(),
            "severities": Severity.choices,
        },
    )


@login_required
@require_POST
def problem_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = actor(request)
    p = problem_get_for_user(user, pk)
    f = params(request.POST, ActParams)
    post = {k: v for k, v in f.items() if k in request.POST}
    try:
        if action == "accept":
            problem_accept(actor=user, problem=p, comment=post.get("comment", ""))
        elif action == "assign":
            who = f["responsible"]
            responsible = User.objects.filter(pk=who).first() if who else None
            problem_assign(
                actor=user,
                problem=p,
                responsible=responsible,
                deadline=f["deadline"],
                comment=post.get("comment", ""),
            )
        elif action == "handle":
            problem_handle(
                actor=user,
                problem=p,
                fix=post.get("fix", ""),
                measures=post.get("measures", ""),
                files=_files(request),
            )
        elif action == "verify":
            problem_verify(
                actor=user, problem=p, comment=post.get("comment", ""), files=_files(request)
            )
        elif action == "return":
            problem_return(actor=user, problem=p, reason=post.get("reason", ""))
        elif action == "call_back":
            reached = post.get("reached") == "1"
            satisfied = {"1": True, "0": False}.get(post.get("satisfied", ""))
            problem_call_back(
                actor=user,
                problem=p,
                reached=reached,
                satisfied=satisfied,
                comment=post.get("comment", ""),
            )
        elif action == "close":
            problem_close(actor=user, problem=p, comment=post.get("comment", ""))
        elif action == "update":
            problem_update(
                actor=user,
                problem=p,
                title=post.get("title"),
                description=post.get("description"),
                severity=post.get("severity"),
                deadline=f["deadline"],
            )
        elif action == "measures":
            problem_update(actor=user, problem=p, measures=post.get("measures", ""))
        elif action == "attach":
            problem_attach(actor=user, problem=p, files=_files(request))
        else:
            raise Http404("没有这个操作")
    except ProblemRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已保存")
    return redirect("rectification:detail", pk=pk)


# -- overview -----------------------------------------------------------------------------


def _month(raw: str, default: date) -> date:
    """A month typed as 2026-03 (the form checked the shape; the calendar checks the rest)."""
    if not raw:
        return default
    year, month = raw.split("-")
    try:
        return date(int(year), int(month), 1)
    except ValueError:
        raise BadRequest(f"月份“{raw}”不存在") from None


def _overview_for(request: HttpRequest) -> Overview:
    user = actor(request)
    scope = scope_for(user)
    if not scope.has(Role.OFFICE):
        raise PermissionDenied("只有测评办公室可以查看整改统计")
    today = timezone.localdate()
    f = params(request.GET, OverviewParams)
    start = _month(f["start"], date(today.year, 1, 1))
    end = _month(f["end"], today.replace(day=1))
    region = office_region(user)
    if f["region"]:
        chosen = regions_visible_to(user).filter(pk=f["region"]).first()
        if chosen is None:
            raise Http404("地区不存在或无权查看")
        region = chosen
    level = f["level"] if f["level"] in RegionLevel.values else RegionLevel.TOWNSHIP
    if region is not None and level <= region.level:
        level = min(region.level + 1, RegionLevel.COMMUNITY)
    return overview(
        region=region,
        level=level,
        start=start,
        end=end,
        today=today,
        sort=f["sort"],
    )


CELLS = '<td class="num">{}</td>' * 8 + '<td class="num{}">{}</td><td class="num">{}</td>'


def _cells(m: Measures) -> SafeString:
    """One row's figures as table cells, formatted once here: the page lists hundreds of rows
    and a template lookup per figure would cost more than everything else on the page. Every
    value is a number (int or Decimal) or a fixed string, so nothing needs escaping."""

    def pct(v: Decimal | None) -> str:
        return "—" if v is None else f"{v}%"

    avg, p90 = m.avg_days, m.p90_days
    return mark_safe(
        CELLS.format(
            int(m.received),
            int(m.closed),
            pct(m.close_rate),
            pct(m.on_time_rate),
            pct(m.callback_rate),
            pct(m.satisfaction_rate),
            "—" if avg is None else avg,
            "—" if p90 is None else int(p90),
            " error" if m.overdue else "",
            int(m.overdue),
            int(m.returned),
        )
    )


def _table(rows: list[Row] | None) -> list[dict[str, Any]] | None:
    if rows is None:
        return None
    return [
        {
            "rank": r.rank if r.key else "",
            "label": r.label,
            "region": r.url_region,
            "cells": _cells(r.m),
        }
        for r in rows
    ]


@login_required
def overview_page(request: HttpRequest) -> HttpResponse:
    data = _overview_for(request)
    # the bulletin reads the problems themselves (closed late ones too): on request, or for a
    # township or below, so that the city's overview stays on the tallies
    show = request.GET.get("bulletin") == "1" or (
        data.region is not None and data.region.level >= RegionLevel.TOWNSHIP
    )
    bulletin = (
        repeat_overdue_units(region=data.region, start=data.start, end=data.end, limit=50)
        if show
        else None
    )
    return render(
        request,
        "rectification/overview.html",
        {
            "o": data,
            "regions": _table(data.regions),
            "bodies": _table(data.bodies),
            "units": _table(data.units),
            "levels": [
                (v, label)
                for v, label in RegionLevel.choices
                if v > (data.region.level if data.region else 0)
            ],
            "sorts": [(k, v[0]) for k, v in SORTS.items()],
            "sort": request.GET.get("sort", "close_rate"),
            "query": request.GET.urlencode(),
            "bulletin": bulletin,
        },
    )


HEADERS = [
    "排名",
    "名称",
    "受理数",
    "办结数",
    "处结率%",
    "按期办结数",
    "按期办结率%",
    "回访率%",
    "满意率%",
    "平均办结天数",
    "90%办结天数",
    "逾期未办结",
    "退回次数",
]


def _line(rank: int | str, label: str, m: Measures) -> list[Any]:
    def num(v: Any) -> Any:
        return float(v) if v is not None else None

    return [
        rank,
        label,
        m.received,
        m.closed,
        num(m.close_rate),
        m.closed_on_time,
        num(m.on_time_rate),
        num(m.callback_rate),
        num(m.satisfaction_rate),
        num(m.avg_days),
        m.p90_days,
        m.overdue,
        m.returned,
    ]


@login_required
def overview_export(request: HttpRequest) -> HttpResponse:
    data = _overview_for(request)
    wb = new_workbook(write_only=True)
    period = f"{data.start:%Y-%m}至{data.end:%Y-%m}"
    for title, rows in (
        ("地区", data.regions),
        ("主管部门", data.bodies),
        ("单位", data.units or []),
    ):
        sheet = wb.create_sheet(title)
        sheet.append([f"整改统计({title}) {data.region.name if data.region else '全部'} {period}"])
        sheet.append(HEADERS)
        for row in rows:
            sheet.append(_line(row.rank, row.label, row.m))
        if title == "地区":
            sheet.append(_line("合计", data.region.name if data.region else "全部", data.total))
    return file_download(workbook_bytes(wb), "rectification-overview.xlsx", XLSX)


# -- notices and plans --------------------------------------------------------------------


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    if request.method == "POST":
        f = params(request.POST, NoticeForm)
        p = problem_get_for_user(user, f["problem"])
        ids = f["problems"]
        chosen = [p, *problems_visible_to(user).filter(unit=p.unit, pk__in=ids).exclude(pk=p.pk)]
        due = f["reply_due"]
        try:
            if due is None:
                raise ProblemRefused("请填写回复期限")
            notice = supervision_notice_send(
                actor=user,
                unit=p.unit,
                problems=chosen,
                title=f["title"],
                body=f["body"],
                reply_due=due,
            )
        except ProblemRefused as exc:
            messages.error(request, str(exc))
            return redirect("rectification:detail", pk=p.pk)
        messages.success(request, "督办通知已发送")
        return redirect("rectification:notice", pk=notice.pk)
    notices = (
        SupervisionNotice.objects.filter(unit__in=units_visible_to(user).values("pk"))
        .select_related("unit", "sent_by")
        .order_by("replied_at", "reply_due")
    )
    page = Paginator(notices, PAGE_SIZE).get_page(params(request.GET, PageParam)["page"])
    return render(
        request, "rectification/notices.html", {"page": page, "today": timezone.localdate()}
    )


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    notice = (
        SupervisionNotice.objects.filter(pk=pk, unit__in=units_visible_to(user).values("pk"))
        .select_related("unit", "sent_by", "replied_by")
        .first()
    )
    if notice is None:
        raise Http404("督办通知不存在或无权查看")
    if request.method == "POST":
        try:
            supervision_notice_reply(actor=user, notice=notice, reply=request.POST.get("reply", ""))
        except ProblemRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已回复")
        return redirect("rectification:notice", pk=pk)
    return render(
        request,
        "rectification/notice.html",
        {
            "n": notice,
            "problems": notice.problems.select_related("unit"),
            "can_reply": notice.replied_at is None and is_member(user, notice.unit_id),
            "today": timezone.localdate(),
        },
    )


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    plan = (
        RectificationPlan.objects.filter(pk=pk, unit__in=units_visible_to(user).values("pk"))
        .select_related("unit")
        .first()
    )
    if plan is None:
        raise Http404("整改计划不存在或无权查看")
    return render(
        request,
        "rectification/plan.html",
        {
            "plan": plan,
            "state": plan_state(plan),
            "problems": plan.problems.select_related("responsible").order_by("state", "deadline"),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def from_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    from wenming.assessments.access import assessment_get_for_user

    user = actor(request)
    assessment = assessment_get_for_user(user, pk)
    try:
        created = problems_from_self_assessment(actor=user, assessment=assessment)
    except ProblemRefused as exc:
        messages.error(request, str(exc))
        return redirect("assessments:detail", pk=pk)
    messages.success(
        request, f"已生成{len(created)}个整改问题" if created else "没有新的扣分项需要生成问题"
    )
    return redirect(f"{reverse('rectification:list')}?unit={assessment.unit_id}")
