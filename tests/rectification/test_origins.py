"""Problems from self-assessment deductions; plans of problems (基本达标) a re-check reads;
督办 notices; to-do lists."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.assessments.conftest import standard  # noqa: F401
from tests.assessments.test_services import fill_all, start
from tests.rectification.conftest import new_problem, to_closed
from wenming.assessments.services import entry_save, self_assessment_submit
from wenming.audit.models import AuditEvent
from wenming.notices.models import Notice
from wenming.notices.todo import todos_for
from wenming.rectification import services as svc
from wenming.rectification.models import ProblemSource
from wenming.rectification.selectors import plan_state, plans_of, problems_of
from wenming.rectification.todo import notice_todos


@pytest.fixture
def submitted(world, standard):  # noqa: F811
    a = start(world, standard)
    fill_all(world, a)
    entry_save(actor=world.people.filler, assessment_id=a.pk, code="A1.6", value="2", version=2)
    self_assessment_submit(actor=world.people.unit_admin, assessment_id=a.pk)
    a.refresh_from_db()
    return a


def test_deducted_items_become_problems_once(world, submitted):
    made = svc.problems_from_self_assessment(actor=world.people.unit_admin, assessment=submitted)
    assert [p.indicator_code for p in made] == ["A1.6"]
    p = made[0]
    assert p.source == ProblemSource.SELF_ASSESSMENT and p.origin == submitted
    assert p.edition == submitted.edition and "扣" in p.title
    again = svc.problems_from_self_assessment(actor=world.people.unit_admin, assessment=submitted)
    assert again == [] and problems_of(submitted).count() == 1


def test_only_submitted_assessments_and_their_leads_make_problems(world, standard):  # noqa: F811
    draft = start(world, standard)
    with pytest.raises(svc.ProblemRefused, match=svc.NOT_SUBMITTED):
        svc.problems_from_self_assessment(actor=world.people.unit_admin, assessment=draft)


def test_a_basic_pass_plan_groups_problems_and_the_recheck_reads_its_state(world, submitted):
    office = world.people.east_office
    plan = svc.rectification_plan_create(
        actor=office,
        unit=world.s1,
        title="基本达标整改计划",
        deadline=date.today() + timedelta(days=540),
        origin=submitted,
    )
    assert list(plans_of(submitted)) == [plan]
    made = svc.problems_from_self_assessment(actor=office, assessment=submitted)
    extra = new_problem(world, title="实验室器材不足")
    assert svc.plan_add_problems(actor=office, plan=plan, problems=[*made, extra]) == 2
    old_deadline = extra.deadline
    extra.refresh_from_db()
    assert extra.deadline == plan.deadline
    assert AuditEvent.objects.filter(
        action="problem.deadline",
        object_id=str(extra.pk),
        field="deadline",
        old=str(old_deadline),
        new=str(plan.deadline),
    ).exists()
    state = plan_state(plan)
    assert (state.total, state.closed, state.open, state.overdue) == (2, 0, 2, 0)
    assert not state.all_closed
    for p in [*made, extra]:
        to_closed(world, p)
    assert plan_state(plan).all_closed
    with pytest.raises(svc.ProblemRefused, match="不属于"):
        svc.plan_add_problems(actor=office, plan=plan, problems=[new_problem(world, unit=world.s2)])
    with pytest.raises(svc.ProblemRefused, match="只有测评办公室"):
        svc.rectification_plan_create(
            actor=world.people.filler, unit=world.s1, title="x", deadline=date.today()
        )


def test_a_supervision_notice_is_recorded_sent_and_answered(world):
    p = world.people
    problem = new_problem(world)
    today = date.today()
    notice = svc.supervision_notice_send(
        actor=p.east_office,
        unit=world.s1,
        problems=[problem],
        title="关于占道经营问题的督办",
        reply_due=today + timedelta(days=2),
    )
    assert Notice.objects.filter(recipient=p.unit_admin, kind="supervision").exists()
    mine = notice_todos(p.unit_admin, today)
    assert [t.title for t in mine] == ["督办通知“关于占道经营问题的督办”待回复"]
    # after the reply deadline the sender sees the late reply too
    late = today + timedelta(days=3)
    assert next(iter(notice_todos(p.east_office, late))).overdue
    with pytest.raises(svc.ProblemRefused, match="只有被督办单位"):
        svc.supervision_notice_reply(actor=p.east_office, notice=notice, reply="x")
    svc.supervision_notice_reply(actor=p.filler, notice=notice, reply="已整改完毕")
    assert notice_todos(p.unit_admin, late) == [] and notice_todos(p.east_office, late) == []
    with pytest.raises(svc.ProblemRefused, match="已回复"):
        svc.supervision_notice_reply(actor=p.filler, notice=notice, reply="再答")
    with pytest.raises(svc.ProblemRefused, match="只有测评办公室"):
        svc.supervision_notice_send(
            actor=p.other_filler, unit=world.s1, problems=[problem], title="x", reply_due=today
        )


def test_nearly_due_and_overdue_problems_are_in_the_owners_and_chasers_to_do(world):
    p = world.people
    today = date.today()
    soon = new_problem(world, title="即将到期", deadline=today + timedelta(days=2))
    later = new_problem(world, title="还早", deadline=today + timedelta(days=20))
    late = new_problem(
        world,
        title="已逾期",
        found_on=today - timedelta(days=9),
        deadline=today - timedelta(days=1),
    )
    for problem in (soon, later, late):
        svc.problem_accept(actor=p.east_office, problem=problem)
    svc.problem_assign(actor=p.east_office, problem=late, responsible=p.filler)
    filler = [t for t in todos_for(p.filler, today=today) if t.kind == "problem"]
    assert [(t.title, t.overdue) for t in filler] == [("整改问题“已逾期”待整改", True)]
    admin = [t.title for t in todos_for(p.unit_admin, today=today) if t.kind == "problem"]
    assert admin == ["整改问题“已逾期”待整改", "整改问题“即将到期”待分派"]
    chaser = [t.title for t in todos_for(p.supervisor, today=today) if t.kind == "problem"]
    assert chaser == ["督办问题“已逾期”", "督办问题“即将到期”"]
    assert [t for t in todos_for(p.other_filler, today=today) if t.kind == "problem"] == []


def test_the_notice_of_a_supervision_shows_its_deadline_and_is_answered_on_its_page(world, client):
    from django.urls import reverse

    from wenming.notices.services import notice_reply

    p = world.people
    due = date.today() + timedelta(days=2)
    notice = svc.supervision_notice_send(
        actor=p.east_office,
        unit=world.s1,
        problems=[new_problem(world)],
        title="关于占道经营问题的督办",
        reply_due=due,
    )
    sent = Notice.objects.get(recipient=p.unit_admin, kind="supervision")
    assert sent.reply_due == due
    client.force_login(p.unit_admin)
    listing = client.get(reverse("notices:list")).content.decode()
    assert f"<td>{due:%Y-%m-%d}</td>" in listing
    page = client.get(reverse("notices:detail", args=[sent.pk])).content.decode()
    assert "相关事项页面</a>回复" in page and 'name="reply"' not in page
    # one to-do for the reply (the supervision's own), not a second one from the notice
    kinds = [t.kind for t in todos_for(p.unit_admin, today=date.today())]
    assert kinds.count("notice") == 0
    with pytest.raises(ValueError, match="请在相关事项的页面回复"):
        notice_reply(actor=p.unit_admin, notice=sent, text="答复")
    svc.supervision_notice_reply(actor=p.filler, notice=notice, reply="已整改完毕")
    sent.refresh_from_db()
    assert sent.replied_at is not None and sent.reply == "已整改完毕"
