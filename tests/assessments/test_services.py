"""Self-assessment: start, fill, optimistic locking, submit locks, send back opens a revision."""

from __future__ import annotations

import pytest

from tests.core.helpers import full_marks
from wenming.assessments.models import AssessmentStatus, Entry, SelfAssessment
from wenming.assessments.scoring import scorecard_of
from wenming.assessments.services import (
    AssessmentRefused,
    EntryConflict,
    entry_save,
    self_assessment_return,
    self_assessment_start,
    self_assessment_submit,
)
from wenming.audit.models import AuditEvent
from wenming.frameworks.selectors import engine_of


def start(world, standard):
    return self_assessment_start(actor=world.people.filler, unit=world.s1, edition=standard)


def fill_all(world, assessment):
    engine = engine_of(assessment.edition)
    for code, item in full_marks(engine).items():
        style = engine.styles[code]
        raw = style.render(item.value)
        entry_save(
            actor=world.people.filler, assessment_id=assessment.pk, code=code, value=str(raw)
        )


def test_only_the_units_own_people_may_start(world, standard):
    with pytest.raises(AssessmentRefused, match="只有本单位的填报员或管理员"):
        self_assessment_start(actor=world.people.other_filler, unit=world.s1, edition=standard)
    with pytest.raises(AssessmentRefused, match="只有本单位"):
        self_assessment_start(actor=world.people.supervisor, unit=world.s1, edition=standard)
    assessment = start(world, standard)
    assert assessment.revision == 1 and assessment.status == AssessmentStatus.DRAFT
    assert start(world, standard) == assessment  # one open draft at a time
    standard.refresh_from_db()
    assert standard.is_locked  # the edition is now immutable


def test_framework_must_apply_to_the_unit_type(world, standard):
    with pytest.raises(AssessmentRefused, match="不适用于医院"):
        self_assessment_start(actor=world.people.other_filler, unit=world.other, edition=standard)


def test_entries_are_checked_by_the_engine_and_audited(world, standard):
    a = start(world, standard)
    with pytest.raises(AssessmentRefused, match="等级应为A、B、C、D之一"):
        entry_save(actor=world.people.filler, assessment_id=a.pk, code="A1.5", value="E")
    with pytest.raises(AssessmentRefused, match="说明不能超过500字"):
        entry_save(
            actor=world.people.filler, assessment_id=a.pk, code="A1.5", value="A", note="字" * 501
        )
    entry = entry_save(
        actor=world.people.filler, assessment_id=a.pk, code="A1.6", value="2", reason="围墙破损"
    )
    entry_save(
        actor=world.people.filler,
        assessment_id=a.pk,
        code="A1.6",
        value="3",
        reason="围墙破损",
        version=entry.version,
    )
    events = AuditEvent.objects.filter(action="assessment.entry", field="A1.6.value").order_by("id")
    assert [(e.old, e.new, e.actor) for e in events] == [
        ("", "2", world.people.filler),
        ("2", "3", world.people.filler),
    ]
    a.refresh_from_db()
    assert a.total_centi == 700  # only A1.6 entered: 10 − 3 × 1


def test_two_people_never_silently_overwrite_each_other(world, standard):
    a = start(world, standard)
    loaded = entry_save(actor=world.people.filler, assessment_id=a.pk, code="A1.6", value="1")
    entry_save(
        actor=world.people.unit_admin,
        assessment_id=a.pk,
        code="A1.6",
        value="4",
        version=loaded.version,
    )
    with pytest.raises(EntryConflict) as info:
        entry_save(
            actor=world.people.filler,
            assessment_id=a.pk,
            code="A1.6",
            value="2",
            version=loaded.version,
        )
    assert (
        info.value.current.value == "4" and info.value.current.updated_by == world.people.unit_admin
    )
    assert Entry.objects.get(assessment=a, code="A1.6").value == "4"


def test_submit_needs_every_item_and_then_locks(world, standard):
    a = start(world, standard)
    entry_save(actor=world.people.filler, assessment_id=a.pk, code="A1.6", value="0")
    with pytest.raises(AssessmentRefused, match="项未评分"):
        self_assessment_submit(actor=world.people.unit_admin, assessment_id=a.pk)
    fill_all(world, a)
    with pytest.raises(AssessmentRefused, match="只有本单位管理员可以提交"):
        self_assessment_submit(actor=world.people.filler, assessment_id=a.pk)
    self_assessment_submit(actor=world.people.unit_admin, assessment_id=a.pk)
    a.refresh_from_db()
    assert a.status == AssessmentStatus.SUBMITTED and a.total_centi == 100000 and a.grade == "达标"
    with pytest.raises(AssessmentRefused, match="已提交,不能再修改"):
        entry_save(actor=world.people.filler, assessment_id=a.pk, code="A1.6", value="5", version=2)
    with pytest.raises(AssessmentRefused, match="已提交"):
        self_assessment_submit(actor=world.people.unit_admin, assessment_id=a.pk)


def test_sending_back_keeps_the_submitted_revision_unchanged(world, standard):
    a = start(world, standard)
    fill_all(world, a)
    self_assessment_submit(actor=world.people.unit_admin, assessment_id=a.pk)
    with pytest.raises(AssessmentRefused, match="只有主管部门或测评办公室"):
        self_assessment_return(actor=world.people.head, assessment_id=a.pk, reason="x")
    draft = self_assessment_return(
        actor=world.people.supervisor, assessment_id=a.pk, reason="请补充材料"
    )
    assert draft.revision == 2 and draft.status == AssessmentStatus.DRAFT
    entry = Entry.objects.get(assessment=draft, code="A1.6")
    entry_save(
        actor=world.people.filler,
        assessment_id=draft.pk,
        code="A1.6",
        value="4",
        version=entry.version,
    )
    a.refresh_from_db()
    assert a.status == AssessmentStatus.RETURNED and a.return_reason == "请补充材料"
    assert Entry.objects.get(assessment=a, code="A1.6").value == "0"
    assert a.total_centi == 100000
    assert SelfAssessment.objects.get(pk=draft.pk).total_centi == 100000 - 400


def test_a_veto_hit_fails_the_unit_whatever_the_score(world, standard):
    a = start(world, standard)
    fill_all(world, a)
    entry_save(actor=world.people.filler, assessment_id=a.pk, code="V1", value="是")
    card, problems = scorecard_of(a, a.entries.all())
    assert problems == [] and card is not None
    assert card.total == 100000 and card.grade == "不达标" and card.vetoed


def test_the_unit_is_told_when_its_self_assessment_is_sent_back(world, standard, client):
    from django.urls import reverse

    from wenming.notices.models import Notice

    a = start(world, standard)
    fill_all(world, a)
    self_assessment_submit(actor=world.people.unit_admin, assessment_id=a.pk)
    draft = self_assessment_return(
        actor=world.people.supervisor, assessment_id=a.pk, reason="请补充材料"
    )
    told = Notice.objects.filter(kind="assessment")
    assert {n.recipient for n in told} == {world.people.unit_admin, world.people.filler}
    notice = told.get(recipient=world.people.filler)
    assert "请补充材料" in notice.body and notice.url == reverse(
        "assessments:detail", args=[draft.pk]
    )
    client.force_login(world.people.filler)
    assert "自评被退回" in client.get(reverse("notices:list")).content.decode()
