"""Problem pages: the list, reporting a problem, a problem with its steps and actions, 督办
notices and plans. The statistics pages are in ``overview``."""

from __future__ import annotations

from datetime import date
from typing import IO, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from wenming.accounts.models import Role
from wenming.accounts.scope import (
    scope_for,
    scope_key,
    scoped_get,
    unit_get_for_user,
    units_visible_to,
)
from wenming.assessments.access import assessment_get_for_user
from wenming.attachments.models import Attachment
from wenming.attachments.services import attachments_of
from wenming.notices.todo import Todo, todos_for
from wenming.rectification.access import (
    is_member,
    plans_visible_to,
    problem_get_for_user,
    problems_visible_to,
    supervision_notices_visible_to,
)
from wenming.rectification.forms import (
    ActParams,
    ListParams,
    NoticeForm,
    PageParam,
    ProblemForm,
)
from wenming.rectification.models import (
    HAND_SOURCES,
    Problem,
    ProblemSource,
    ProblemState,
    ProblemStep,
    Severity,
)
from wenming.rectification.selectors import (
    plan_state,
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
from wenming.rectification.transitions import problem_actions
from wenming.web.actor import actor
from wenming.web.paging import ListPaginator, PreparedLists
from wenming.web.params import UnitParam, params
from wenming.web.rows import esc, id_url, person_named, ymd

PAGE_SIZE = 50
# the list's SQL per scope, day and filters (PreparedLists): building it cost more than running it
_PAGES = PreparedLists()
TODO_KINDS = ("problem", "supervision")
S = ProblemState


def _files(request: HttpRequest) -> list[tuple[str, IO[bytes]]]:
    return [(f.name or "附件", cast(IO[bytes], f)) for f in request.FILES.getlist("files")]


# the columns the rows show, as plain rows in the order _rows reads them (whole rows, then
# model instances, were most of the page's time)
ROW = (
    *("pk", "received_on", "title", "return_count", "unit__name", "source", "state", "deadline"),
    *("responsible__first_name", "responsible__last_name", "responsible__username"),
)


def _rows(page: Page[tuple[Any, ...]], today: date) -> SafeString:
    """The table's rows (wenming.web.rows: the template loop was most of the page's time)."""
    sources, states = dict(ProblemSource.choices), dict(S.choices)
    out = []
    for pk, received, title, returned, unit, source, state, deadline, *named in page:
        overdue = state != S.CLOSED and deadline is not None and deadline < today
        out.append(
            f'\n  <tr><td>{ymd(received)}</td><td><a href="{id_url("rectification:detail", pk)}">'
            f"{esc(title)}</a>"
            + (f' <span class="tag">退回{returned}次</span>' if returned else "")
            + f"</td><td>{esc(unit)}</td><td>{esc(sources.get(source, source))}</td>"
            f'\n    <td><span class="status {esc(state)}">{esc(states.get(state, state))}</span></td>'
            f"<td>{person_named(named[0], named[1], named[2], '—')}</td>"
            f"\n    <td>{ymd(deadline)}"
            + (' <span class="ev incomplete">逾期</span>' if overdue else "")
            + "</td></tr>\n  "
        )
    return mark_safe("".join(out))  # every value escaped by esc/person_named


def _todo_items(todos: list[Todo]) -> SafeString:
    """The to-do box's items (wenming.web.rows, as the template wrote them)."""
    out = []
    for t in todos:
        late = ' class="error"' if t.overdue else ""
        mark = '<span class="ev incomplete">已逾期</span>' if t.overdue else ""
        due = f" · 期限 {ymd(t.due)}" if t.due else ""
        out.append(
            f'\n  <li{late}>{mark} <a href="{esc(t.url)}">{esc(t.title)}</a> '
            f'<span class="muted">{esc(t.unit_name)}{due}</span></li>'
        )
    return mark_safe("".join(out))  # every value escaped by esc


@login_required
def problem_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    today = timezone.localdate()
    cleaned = params(request.GET, ListParams)
    f: dict[str, Any] = {k: cleaned[k] or "" for k in ("state", "unit", "source", "overdue")}
    unit_id = unit_get_for_user(user, f["unit"]).pk if f["unit"] else None

    def shown() -> QuerySet[Problem, tuple[Any, ...]]:
        qs = problems_visible_to(user)
        if f["state"] in S.values:
            qs = qs.filter(state=f["state"])
        elif f["state"] == "open":
            qs = qs.exclude(state=S.CLOSED)
        if unit_id is not None:
            qs = qs.filter(unit_id=unit_id)
        if f["source"] in ProblemSource.values:
            qs = qs.filter(source=f["source"])
        if f["overdue"] == "1":
            qs = qs.exclude(state=S.CLOSED).filter(deadline__lt=today)
        return qs.order_by("-received_on", "-id").values_list(*ROW)

    scope = scope_for(user)
    key = (scope_key(scope), today, tuple(f.items()))
    page = _PAGES.page(key, shown, cleaned["page"], PAGE_SIZE)
    query = "&".join(f"{k}={v}" for k, v in f.items() if v)
    todos = [t for t in todos_for(user, today=today) if t.kind in TODO_KINDS][:20]
    return render(
        request,
        "rectification/list.html",
        {
            "page": page,
            "rows": _rows(page, today),
            "f": f,
            "query": query,
            "states": S.choices,
            "sources": ProblemSource.choices,
            "today": today,
            "todos": todos,
            "todo_items": _todo_items(todos),
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
                # 群众随手拍 comes with its report only: here an invalid source, refused
                source=f["source"] if f["source"] in dict(HAND_SOURCES) else "",
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
            "sources": HAND_SOURCES,
            "severities": Severity.choices,
            "post": request.POST.dict(),
            "chosen": str(params(request.GET, UnitParam)["unit"] or ""),
            "today": timezone.localdate(),
        },
    )


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
    actions = problem_actions(user, p)
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
        problems_visible_to(user).filter(unit=p.unit).exclude(state=S.CLOSED).exclude(pk=p.pk)[:20]
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
            # 合并办理 both ways, as far as this person may see the other problems
            "merged_into": (
                problems_visible_to(user).filter(pk=p.merged_into_id).only("title").first()
                if p.merged_into_id
                else None
            ),
            "merged": list(
                problems_visible_to(user)
                .filter(merged_into=p)
                .only("title", "received_on")
                .order_by("received_on", "pk")[:50]
            ),
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
        supervision_notices_visible_to(user)
        .select_related("unit", "sent_by")
        .order_by("replied_at", "reply_due")
    )
    page = ListPaginator(notices, PAGE_SIZE).get_page(params(request.GET, PageParam)["page"])
    return render(
        request, "rectification/notices.html", {"page": page, "today": timezone.localdate()}
    )


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    notice = scoped_get(
        supervision_notices_visible_to(user).select_related("unit", "sent_by", "replied_by"),
        pk,
        missing="督办通知不存在或无权查看",
    )
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
    plan = scoped_get(
        plans_visible_to(user).select_related("unit"), pk, missing="整改计划不存在或无权查看"
    )
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
