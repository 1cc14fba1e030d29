"""The office's side: each office sees its own region's reports only, replies publicly,
gets duplicates suggested, keeps categories and places; units never see the report itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from tests.citizen.conftest import photo
from wenming.audit.models import AuditEvent
from wenming.citizen.models import CitizenReport, ReportCategory, ReportPlace
from wenming.citizen.photos import photo_read
from wenming.citizen.selectors import duplicates_of, public_status
from wenming.citizen.services import (
    DUPLICATE_MERGED,
    UNIT_OUTSIDE,
    ReportInput,
    ReportRefused,
    category_save,
    place_save,
    report_file,
    report_mark_duplicate,
    report_reply,
)
from wenming.rectification.models import Problem, ProblemState, StepAction
from wenming.rectification.services import (
    problem_accept,
    problem_assign,
    problem_call_back,
    problem_close,
    problem_handle,
    problem_verify,
)


def filed(world, *, category=None, place=None, place_text="", region=None, with_photo=False):
    import io

    return report_file(
        data=ReportInput(
            region=region or world.east,
            category=category or world.hygiene,
            description="路边垃圾桶满溢无人清理",
            place=place if place is not None or place_text else world.park,
            place_text=place_text,
            contact_phone="13900000000",
            photos=[photo_read("a.jpg", io.BytesIO(photo()))] if with_photo else [],
        )
    )


def logged(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_each_office_sees_its_own_regions_reports_only(district):
    east = filed(district)
    west = filed(
        district, region=district.west, category=district.west_category, place=district.west_place
    )
    east_office = logged(district.people.east_office)
    html = east_office.get(reverse("citizen:list")).content.decode()
    assert east.reference in html and west.reference not in html
    assert east_office.get(reverse("citizen:detail", args=[west.pk])).status_code == 404
    city = logged(district.people.city_office).get(reverse("citizen:list")).content.decode()
    assert east.reference in city and west.reference in city


@pytest.mark.parametrize("role", ["head", "filler", "supervisor", "expert", "other_filler"])
def test_units_and_reviewers_do_not_see_reports(district, role):
    report = filed(district)
    client = logged(getattr(district.people, role))
    assert client.get(reverse("citizen:list")).status_code == 403
    assert client.get(reverse("citizen:detail", args=[report.pk])).status_code == 403


def test_the_office_sees_the_photo_location_and_contact(district):
    report = filed(district, with_photo=True)
    html = (
        logged(district.people.east_office)
        .get(reverse("citizen:detail", args=[report.pk]))
        .content.decode()
    )
    assert "北纬 30.586806°" in html and "13900000000" in html and "仅受理部门可见" in html
    assert "/thumb.jpg" in html


def test_the_public_reply_and_the_lifecycle_reach_the_citizen(district):
    report = filed(district)
    office = district.people.east_office
    report_reply(actor=office, report=report, text="已安排环卫人员清理。")
    status = public_status(report.reference)
    assert status is not None and status.reply == "已安排环卫人员清理。"
    assert status.status == "已收到,待受理"
    problem = report.problem
    assert problem is not None
    problem = problem_accept(actor=office, problem=problem)
    assert public_status(report.reference).status == "已受理,正在办理"  # type: ignore[union-attr]
    problem = problem_assign(actor=office, problem=problem, responsible=district.people.filler)
    problem = problem_handle(actor=district.people.filler, problem=problem, fix="已清理")
    problem = problem_verify(actor=office, problem=problem)
    problem = problem_call_back(actor=office, problem=problem, reached=True, satisfied=True)
    problem_close(actor=office, problem=problem)
    status = public_status(report.reference)
    assert status is not None and status.closed and status.status == "已办结"


def test_another_regions_office_cannot_reply(district):
    report = filed(district)
    west_office_like = district.people.other_filler
    with pytest.raises(ReportRefused):
        report_reply(actor=west_office_like, report=report, text="x")


def test_same_category_and_place_within_days_is_suggested_as_duplicate(district):
    first = filed(district)
    second = filed(district)
    other_place = filed(district, place_text="滨江路")
    other_category = filed(district, category=district.facility)
    old = filed(district)
    CitizenReport.objects.filter(pk=old.pk).update(created_at=first.created_at - timedelta(days=30))
    rows = CitizenReport.objects.all()
    assert list(duplicates_of(first, rows)) == [second]
    assert other_place not in duplicates_of(second, rows)
    assert other_category not in duplicates_of(second, rows)
    html = logged(district.people.east_office).get(reverse("citizen:list")).content.decode()
    assert html.count("可能重复") == 2
    report_mark_duplicate(actor=district.people.east_office, report=second, original=first)
    status = public_status(second.reference)
    assert status is not None and status.merged_into == first.reference
    with pytest.raises(ReportRefused):
        report_mark_duplicate(actor=district.people.east_office, report=second, original=second)


def test_categories_route_only_to_units_of_their_region(district):
    office = district.people.east_office
    with pytest.raises(ReportRefused, match=UNIT_OUTSIDE):
        category_save(
            actor=office, category=None, region=district.east, name="噪音", unit=district.other
        )
    with pytest.raises(ReportRefused):
        category_save(
            actor=office, category=None, region=district.west, name="噪音", unit=district.other
        )
    saved = category_save(
        actor=office, category=None, region=district.east, name="噪音", unit=district.s2
    )
    assert saved.region_path == district.east.path


def test_the_office_edits_categories_and_places_on_its_pages(district):
    client = logged(district.people.east_office)
    response = client.post(
        reverse("citizen:categories"),
        {
            "region": district.east.pk,
            "name": "占道经营",
            "unit": district.s2.pk,
            "severity": "general",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert ReportCategory.objects.filter(name="占道经营", unit=district.s2).exists()
    client.post(
        reverse("citizen:categories"),
        {
            "category": district.hygiene.pk,
            "region": district.east.pk,
            "name": "环境卫生",
            "unit": district.s1.pk,
            "severity": "urgent",
        },
    )
    district.hygiene.refresh_from_db()
    assert district.hygiene.severity == "urgent" and not district.hygiene.active
    client.post(
        reverse("citizen:places"), {"region": district.east.pk, "name": "江滩公园", "active": "on"}
    )
    assert ReportPlace.objects.filter(name="江滩公园").exists()
    # another region's category is out of reach (404)
    response = client.post(
        reverse("citizen:categories"),
        {
            "category": district.west_category.pk,
            "region": district.east.pk,
            "name": "改",
            "unit": district.s1.pk,
            "severity": "general",
        },
    )
    assert response.status_code == 404
    page = client.get(reverse("citizen:categories")).content.decode()
    assert "占道经营" in page and "江西区人民医院" not in page
    place_save(actor=district.people.east_office, place=None, region=district.east, name="码头")


def test_the_problem_page_names_the_report_it_came_from(district):
    report = filed(district)
    assert report.problem is not None
    html = (
        logged(district.people.east_office)
        .get(reverse("rectification:detail", args=[report.problem.pk]))
        .content.decode()
    )
    assert f"关联群众随手拍:{report.reference}" in html


def test_marking_a_duplicate_on_the_office_page_merges_its_problem_into_the_originals(district):
    first = filed(district)
    second = filed(district)
    office = logged(district.people.east_office)
    url = reverse("citizen:duplicate", args=[second.pk])
    assert office.post(url, {"original": first.pk}).status_code == 302
    merged = Problem.objects.get(pk=second.problem_id)
    original = Problem.objects.get(pk=first.problem_id)
    # the responsible unit sees one open problem: the duplicate's is closed into the original's
    assert merged.state == ProblemState.CLOSED and merged.merged_into == original
    assert original.state == ProblemState.FOUND
    assert list(Problem.objects.exclude(state=ProblemState.CLOSED)) == [original]
    step = merged.steps.get(action=StepAction.MERGE)
    assert first.reference in step.comment and "合并办理" in step.comment
    assert AuditEvent.objects.filter(action="problem.merge", object_id=merged.pk).exists()
    # the citizen's lookup: merged and closed, nothing of the other citizen's report
    page = Client().get(reverse("report:lookup"), {"reference": second.reference})
    html = page.content.decode()
    assert f"该问题已与编号 {first.reference} 的反映合并办理" in html and "已办结" in html
    assert "13900000000" not in html and "路边垃圾桶" not in html
    # 结案 is final: taking the mark back (or moving it) is refused in Chinese, nothing changes
    detail = office.post(url, {"original": ""}, follow=True).content.decode()
    assert DUPLICATE_MERGED.format(reference=first.reference) in detail
    assert "取消重复标记" not in detail
    second.refresh_from_db()
    assert second.duplicate_of == first
    assert Problem.objects.get(pk=merged.pk).state == ProblemState.CLOSED


def test_a_duplicate_is_merged_into_the_first_report_never_into_another_duplicate(district):
    first, second, third = filed(district), filed(district), filed(district)
    office = district.people.east_office
    report_mark_duplicate(actor=office, report=second, original=first)
    with pytest.raises(ReportRefused, match=f"请标记为与 {first.reference} 重复"):
        report_mark_duplicate(actor=office, report=third, original=second)
    assert Problem.objects.get(pk=third.problem_id).state == ProblemState.FOUND


def test_a_mark_on_a_report_whose_problem_was_already_closed_can_be_taken_back(district):
    first, second = filed(district), filed(district)
    office = district.people.east_office
    problem = second.problem
    assert problem is not None
    problem = problem_accept(actor=office, problem=problem)
    problem = problem_assign(actor=office, problem=problem, responsible=district.people.filler)
    problem = problem_handle(actor=district.people.filler, problem=problem, fix="已清理")
    problem = problem_verify(actor=office, problem=problem)
    problem = problem_call_back(actor=office, problem=problem, reached=True, satisfied=True)
    problem_close(actor=office, problem=problem)
    report_mark_duplicate(actor=office, report=second, original=first)
    assert Problem.objects.get(pk=problem.pk).merged_into is None  # closed by its own fix
    assert report_mark_duplicate(actor=office, report=second, original=None).duplicate_of is None
