"""Deadline reminders: some working days before an application window closes, a self-assessment
is due, a rectification deadline or a 督办 reply falls due, the people concerned get a notice —
once per deadline, however often the daily command runs."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone

from tests.assessments.conftest import standard  # noqa: F401
from tests.campaigns.conftest import campaign  # noqa: F401
from wenming.assessments.models import AssessmentStatus, SelfAssessment
from wenming.campaigns.models import Application, Campaign, State, WindowExtension
from wenming.notices.models import Notice, Reminder
from wenming.notices.reminders import reminders_send
from wenming.rectification.models import ProblemSource
from wenming.rectification.services import problem_create, supervision_notice_send
from wenming.workdays.services import add_working_days

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("deadline_reminders", "--days", "3", stdout=out)
    return out.getvalue()


def titles(user) -> list[str]:
    return sorted(Notice.objects.filter(recipient=user).values_list("title", flat=True))


@pytest.fixture
def preparing(world, campaign):  # noqa: F811
    """第一小学 has started its application (self-assessment in progress); the window closes
    two working days from today."""
    today = timezone.localdate()
    Campaign.objects.filter(pk=campaign.pk).update(apply_until=add_working_days(today, 2))
    assessment = SelfAssessment.objects.create(
        unit=world.s1,
        edition=campaign.edition,
        status=AssessmentStatus.DRAFT,
        as_of=today,
        created_by=world.people.filler,
    )
    return Application.objects.create(
        campaign=campaign,
        unit=world.s1,
        assessment=assessment,
        state=State.PREPARING,
        step="",
        region_path=world.s1.region_path,
        supervisor=world.s1.supervisor,
    )


def test_the_window_closing_is_told_once_to_unit_fillers_and_office(world, preparing):
    name = preparing.campaign.name
    assert "已发送临期提醒3项" in run()
    assert titles(world.people.unit_admin) == [f"申报即将截止:{name}"]
    assert titles(world.people.filler) == [f"自评即将截止:{name}"]
    assert titles(world.people.east_office) == [f"申报即将截止:{name}"]
    office = Notice.objects.get(recipient=world.people.east_office)
    assert "尚有1个单位的申报未提交" in office.body
    unit = Notice.objects.get(recipient=world.people.unit_admin)
    assert "江东区第一小学的申报尚未提交" in unit.body and unit.kind == "deadline"
    assert unit.url.endswith(f"/applications/{preparing.pk}/")
    # the next day's run (and a second run the same day) tells nobody again
    assert "已发送临期提醒0项" in run()
    assert Notice.objects.count() == 3


def test_a_postponed_window_is_reminded_again_and_a_far_one_not_yet(world, preparing):
    run()
    running = preparing.campaign
    today = timezone.localdate()
    Campaign.objects.filter(pk=running.pk).update(apply_until=add_working_days(today, 3))
    run()
    assert len(titles(world.people.unit_admin)) == 2
    Campaign.objects.filter(pk=running.pk).update(apply_until=today + timedelta(days=30))
    Notice.objects.all().delete()
    run()
    assert not Notice.objects.exists()


def test_a_unit_with_an_extension_is_reminded_of_its_own_date(world, preparing):
    running = preparing.campaign
    today = timezone.localdate()
    WindowExtension.objects.create(
        campaign=running,
        unit=world.s1,
        until=today + timedelta(days=40),
        reason="系统故障",
        granted_by=world.people.east_office,
    )
    run()
    assert titles(world.people.unit_admin) == []  # its own date is far
    assert "尚有0个单位" in Notice.objects.get(recipient=world.people.east_office).body
    reminders_send(today=today + timedelta(days=39), until=today + timedelta(days=41))
    assert titles(world.people.unit_admin) == [f"申报即将截止:{running.name}"]


def test_a_submitted_application_is_not_reminded(world, preparing):
    Application.objects.filter(pk=preparing.pk).update(state=State.IN_REVIEW)
    SelfAssessment.objects.filter(pk=preparing.assessment_id).update(
        status=AssessmentStatus.SUBMITTED
    )
    run()
    assert titles(world.people.unit_admin) == [] and titles(world.people.filler) == []


def test_rectification_and_supervision_deadlines_are_reminded(world):
    today = timezone.localdate()
    due = add_working_days(today, 1)
    problem = problem_create(
        actor=world.people.east_office,
        unit=world.s1,
        source=ProblemSource.PATROL,
        title="消防通道堵塞",
        deadline=due,
        responsible=world.people.filler,
    )
    supervision_notice_send(
        actor=world.people.east_office,
        unit=world.s1,
        problems=[problem],
        title="消防安全督办",
        reply_due=add_working_days(today, 2),
    )
    Notice.objects.all().delete()  # the 督办 notice itself
    run()
    assert titles(world.people.filler) == ["整改即将到期:消防通道堵塞"]
    assert titles(world.people.unit_admin) == ["督办回复即将到期:消防安全督办"]
    run()
    assert Notice.objects.count() == 2


def test_the_marker_is_a_database_constraint(world):
    Reminder.objects.create(key="apply:1:office:2026-06-30", due=date(2026, 6, 30))
    with pytest.raises(IntegrityError):
        Reminder.objects.create(key="apply:1:office:2026-06-30", due=date(2026, 6, 30))


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_reminders_without_a_cron_job(world, preparing, monkeypatch):
    """`wenming worker` (started by `wenming serve`) runs the reminders beside its look for
    interrupted jobs: at its first look, then once an hour — not at every look."""
    import threading

    from wenming import server

    monkeypatch.setattr(server, "RECOVER_EVERY", 0.05)
    monkeypatch.setattr(server, "REMIND_EVERY", 3600)
    runs: list[int] = []
    real = server._remind

    def counted() -> None:
        runs.append(1)
        real()

    monkeypatch.setattr(server, "_remind", counted)
    stop = threading.Event()
    loop = threading.Thread(target=server._recover_loop, args=(stop,))
    loop.start()
    for _ in range(100):
        if Notice.objects.count() >= 3:
            break
        threading.Event().wait(0.05)
    threading.Event().wait(0.3)  # several more looks
    stop.set()
    loop.join(timeout=10)
    assert runs == [1]
    assert titles(world.people.filler) == [f"自评即将截止:{preparing.campaign.name}"]
    assert Reminder.objects.count() == 3
