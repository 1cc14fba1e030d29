"""One lifecycle for every problem: 发现 → 受理 → 分派 → 处理 → 核查 → 结案, 退回, 回访."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from tests.rectification.conftest import new_problem, to_closed, to_handled
from wenming.attachments.detect import image_bytes
from wenming.attachments.services import attachments_of
from wenming.audit.models import AuditEvent
from wenming.rectification import services as svc
from wenming.rectification.models import (
    Problem,
    ProblemSource,
    ProblemState,
    ProblemStep,
    Severity,
    StepAction,
)
from wenming.rectification.services import base, lifecycle

S = ProblemState


def test_a_problem_goes_through_every_state_with_a_step_and_an_audit_row_each(world, clock):
    p = world.people
    problem = new_problem(world, severity=Severity.SERIOUS)
    assert problem.state == S.FOUND and problem.deadline == date(2026, 3, 17)  # 15 days
    assert problem.deadline_by_rule and problem.body == world.bureau
    to_closed(world, problem)
    problem.refresh_from_db()
    assert problem.state == S.CLOSED and problem.closed_on == date(2026, 3, 2)
    steps = list(problem.steps.values_list("action", "from_state", "to_state"))
    assert steps == [
        ("create", "", "found"),
        ("accept", "found", "accepted"),
        ("assign", "accepted", "assigned"),
        ("handle", "assigned", "handled"),
        ("verify", "handled", "verified"),
        ("close", "verified", "closed"),
    ]
    audit = AuditEvent.objects.filter(object_type="rectification.problem", field="state")
    assert audit.count() == 6
    assert audit.filter(action="problem.close", old="已核查", new="已结案").exists()
    assert problem.verified_by == p.east_office and problem.handled_by == p.filler


def test_a_double_click_applies_a_transition_once(world):
    problem = new_problem(world)
    svc.problem_accept(actor=world.people.east_office, problem=problem)
    with pytest.raises(svc.ProblemRefused, match="当前为“已受理”,不能受理"):
        svc.problem_accept(actor=world.people.east_office, problem=problem)
    assert problem.steps.filter(action=StepAction.ACCEPT).count() == 1


def test_compare_and_set_refuses_a_move_whose_state_changed_meanwhile(world):
    problem = new_problem(world)
    stale = Problem.objects.get(pk=problem.pk)
    svc.problem_accept(actor=world.people.east_office, problem=problem)
    with pytest.raises(svc.ProblemRefused, match=svc.STALE):
        lifecycle._move(
            stale,
            actor=world.people.east_office,
            action=StepAction.ACCEPT,
            to=S.ACCEPTED,
            now=base.now(),
        )


def test_a_problem_cannot_be_closed_without_verification(world):
    problem = to_handled(world, new_problem(world))
    with pytest.raises(svc.ProblemRefused, match="当前为“已处理”,不能结案"):
        svc.problem_close(actor=world.people.east_office, problem=problem)
    # and the database refuses it too
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Problem.objects.filter(pk=problem.pk).update(state=S.CLOSED)


def test_a_problem_cannot_move_backwards_except_by_return(world):
    problem = to_handled(world, new_problem(world))
    with pytest.raises(svc.ProblemRefused, match="不能受理"):
        svc.problem_accept(actor=world.people.east_office, problem=problem)
    with pytest.raises(svc.ProblemRefused, match="不能分派"):
        svc.problem_assign(actor=world.people.east_office, problem=problem)
    with pytest.raises(svc.ProblemRefused, match=svc.REASON_NEEDED):
        svc.problem_return(actor=world.people.east_office, problem=problem, reason=" ")
    svc.problem_return(actor=world.people.east_office, problem=problem, reason="照片看不清")
    problem.refresh_from_db()
    assert problem.state == S.ASSIGNED and problem.return_count == 1 and problem.handled_by is None
    step = problem.steps.get(action=StepAction.RETURN)
    assert (step.from_state, step.to_state, step.comment) == ("handled", "assigned", "照片看不清")
    closed = to_closed_after_return(world, problem)
    with pytest.raises(svc.ProblemRefused, match="当前为“已结案”"):
        svc.problem_return(actor=world.people.east_office, problem=closed, reason="再看看")


def to_closed_after_return(world, problem):
    p = world.people
    svc.problem_handle(actor=p.filler, problem=problem, fix="重新清理并拍照")
    svc.problem_verify(actor=p.supervisor, problem=problem)
    return svc.problem_close(actor=p.supervisor, problem=problem)


def test_the_person_who_handled_cannot_verify(world):
    p = world.people
    problem = new_problem(world)
    svc.problem_accept(actor=p.east_office, problem=problem)
    svc.problem_assign(actor=p.east_office, problem=problem)
    # an administrator handles it (no one named), then tries to verify their own work
    svc.problem_handle(actor=p.unit_admin, problem=problem, fix="已整改")
    from wenming.accounts.models import Role, RoleGrant

    RoleGrant.objects.create(user=p.unit_admin, role=Role.SUPERVISOR, unit=world.bureau)
    delattr(p.unit_admin, "_wenming_scope")  # the scope is cached per user object
    with pytest.raises(svc.ProblemRefused, match=svc.SAME_PERSON):
        svc.problem_verify(actor=p.unit_admin, problem=problem)


def test_a_complaint_needs_a_call_back_before_closing(world):
    p = world.people
    problem = new_problem(world, source=ProblemSource.COMPLAINT, complainant="王先生 138****")
    to_handled(world, problem)
    svc.problem_verify(actor=p.east_office, problem=problem)
    with pytest.raises(svc.ProblemRefused, match="须先回访"):
        svc.problem_close(actor=p.east_office, problem=problem)
    svc.problem_call_back(actor=p.east_office, problem=problem, reached=False, satisfied=None)
    closed = svc.problem_close(actor=p.east_office, problem=problem)
    assert closed.state == S.CLOSED and closed.callback_reached is False
    patrol = to_handled(world, new_problem(world))
    svc.problem_verify(actor=p.east_office, problem=patrol)
    with pytest.raises(svc.ProblemRefused, match=svc.NOT_COMPLAINT):
        svc.problem_call_back(actor=p.east_office, problem=patrol, reached=True, satisfied=True)


def test_outside_the_scope_nobody_acts_or_edits(world):
    p = world.people
    problem = new_problem(world)
    with pytest.raises(svc.ProblemRefused, match="只有测评办公室"):
        svc.problem_accept(actor=p.other_filler, problem=problem)
    with pytest.raises(svc.ProblemRefused, match="无权修改"):
        svc.problem_update(actor=p.other_filler, problem=problem, title="改掉")
    with pytest.raises(svc.ProblemRefused, match="责任单位只能填写整改措施"):
        svc.problem_update(actor=p.filler, problem=problem, title="改掉")
    with pytest.raises(svc.ProblemRefused, match=svc.NO_REPORT):
        svc.problem_create(
            actor=p.east_office, unit=world.other, source=ProblemSource.PATROL, title="x"
        )
    svc.problem_accept(actor=p.east_office, problem=problem)
    svc.problem_assign(actor=p.east_office, problem=problem, responsible=p.filler)
    with pytest.raises(svc.ProblemRefused, match=svc.NOT_HANDLER):
        svc.problem_handle(actor=p.other_filler, problem=problem, fix="x")
    second = new_problem(world)
    svc.problem_accept(actor=p.east_office, problem=second)
    with pytest.raises(svc.ProblemRefused, match=svc.OUTSIDE_UNIT):
        svc.problem_assign(actor=p.east_office, problem=second, responsible=p.other_filler)
    svc.problem_update(actor=p.filler, problem=problem, measures="每日巡查")
    problem.refresh_from_db()
    assert problem.measures == "每日巡查" and problem.title == "校门口占道经营"


def test_deadline_by_hand_and_by_rule(world, clock):
    problem = new_problem(world, severity=Severity.URGENT)
    assert problem.deadline == date(2026, 3, 9)
    svc.problem_accept(actor=world.people.east_office, problem=problem)
    svc.problem_assign(actor=world.people.east_office, problem=problem, deadline=date(2026, 4, 30))
    problem.refresh_from_db()
    assert problem.deadline == date(2026, 4, 30) and not problem.deadline_by_rule
    with pytest.raises(svc.ProblemRefused, match=svc.DEADLINE_BEFORE):
        new_problem(world, found_on=date(2026, 3, 1), deadline=date(2026, 2, 1))


def test_evidence_photos_go_to_the_attachment_store_on_the_step(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    p = world.people
    problem = new_problem(world)
    svc.problem_accept(actor=p.east_office, problem=problem)
    svc.problem_assign(actor=p.east_office, problem=problem)
    svc.problem_handle(
        actor=p.filler,
        problem=problem,
        fix="已拆除",
        files=[("整改后.jpg", io.BytesIO(image_bytes()))],
    )
    step = problem.steps.get(action=StepAction.HANDLE)
    assert [a.name for a in attachments_of(step)] == ["整改后.jpg"]
    with pytest.raises(svc.ProblemRefused, match=r"JPEG|类型|不是"):
        svc.problem_attach(
            actor=p.filler, problem=problem, files=[("假照片.jpg", io.BytesIO(b"not a jpeg" * 10))]
        )
    assert ProblemStep.objects.filter(problem=problem).count() == 4


def test_escalation_moves_an_overdue_problem_up_the_chain_after_the_grace_period(world, settings):
    settings.ESCALATION_GRACE_DAYS = 3
    p = world.people
    problem = new_problem(world, found_on=date(2026, 1, 1), deadline=date(2026, 1, 10))
    assert problem.chaser_body == world.bureau  # the supervising body chases first
    assert svc.problems_escalate(today=date(2026, 1, 13)) == 0  # within the grace period
    assert svc.problems_escalate(today=date(2026, 1, 14)) == 1
    problem.refresh_from_db()
    assert problem.escalation_level == 1 and problem.chaser_region == world.east
    assert "升级至江东区测评办公室" in problem.steps.get(action=StepAction.ESCALATE).comment
    assert AuditEvent.objects.filter(action="problem.escalate", object_id=str(problem.pk)).exists()
    assert svc.problems_escalate(today=date(2026, 1, 16)) == 0  # waits another grace period
    assert svc.problems_escalate(today=date(2026, 1, 18)) == 1
    problem.refresh_from_db()
    assert problem.chaser_region == world.city
    assert svc.problems_escalate(today=date(2026, 3, 1)) == 0  # the top of the chain

    from wenming.rectification.todo import problem_todos

    titles = [t.title for t in problem_todos(p.city_office, date(2026, 3, 1))]
    assert any("逾期升级第2级" in t for t in titles)
    assert problem_todos(p.supervisor, date(2026, 3, 1)) == []  # no longer the bureau's


def test_the_escalate_command_runs(world, capsys):
    from django.core.management import call_command

    new_problem(
        world,
        found_on=date.today() - timedelta(days=40),
        deadline=date.today() - timedelta(days=10),
    )
    call_command("rectification_escalate")
    assert "升级督办:1个问题" in capsys.readouterr().out
