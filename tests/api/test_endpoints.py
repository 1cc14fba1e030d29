"""The endpoints answer on the same rules as the pages: the same scope, the same services."""

from __future__ import annotations

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.core.helpers import full_marks
from wenming.assessments.services import self_assessment_start
from wenming.audit.models import AuditEvent
from wenming.core.credit_code import make_credit_code
from wenming.frameworks.selectors import engine_of
from wenming.imports.models import ImportBatch
from wenming.onsite.assignments import assignment_create
from wenming.onsite.models import Score
from wenming.organizations.models import Unit
from wenming.rectification.models import Problem


def names(response):
    assert response.status_code == 200, response.content
    return {item["name"] for item in response.json()["items"]}


def test_units_are_scoped_like_the_unit_list(world, api_as):
    assert names(api_as(world.people.east_office).get("/units")) == {
        "江东区教育局",
        "江东区第一小学",
        "江东区实验中学",
    }
    assert names(api_as(world.people.other_filler).get("/units")) == {"江西区人民医院"}
    response = api_as(world.people.other_filler).get(f"/units/{world.s1.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_cursor_pagination_walks_every_unit_once(world, api_as):
    api = api_as(world.people.admin)
    seen, cursor, pages = [], "", 0
    while True:
        body = api.get("/units", limit=1, cursor=cursor).json()
        seen += [u["id"] for u in body["items"]]
        pages += 1
        if body["next"] is None:
            break
        cursor = body["next"]
    assert len(seen) == len(set(seen)) == Unit.objects.count() == pages
    bad = api.get("/units", cursor="!!")
    assert bad.status_code == 400 and bad.json()["message"] == "翻页标记无效"


def unit_row(credit_code: str, name: str, **extra):
    return {"credit_code": credit_code, "name": name, "unit_type": "学校", "region": "420102"}


def test_bulk_upsert_goes_through_the_unit_import_all_or_nothing(world, api_as):
    api = api_as(world.people.east_office)
    new_code = make_credit_code(serial=990001)
    rows = [
        {**unit_row(world.s2.credit_code, "江东区实验中学"), "headcount": 88},
        unit_row(new_code, "江东区第二小学"),
        {**unit_row(make_credit_code(serial=990002), "江西区学校"), "region": "420103"},
    ]
    refused = api.post("/units/upsert", {"units": rows})
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "import_errors" and "未导入任何内容" in body["message"]
    assert any("第4行" in e for e in body["errors"])  # the sheet's row, as the Excel import says
    assert not Unit.objects.filter(credit_code=new_code).exists()
    world.s2.refresh_from_db()
    assert world.s2.headcount != 88
    done = api.post("/units/upsert", {"units": rows[:2]})
    assert done.status_code == 200, done.content
    assert done.json()["created"] == 1 and done.json()["updated"] == 1
    world.s2.refresh_from_db()
    assert world.s2.headcount == 88
    assert ImportBatch.objects.get(pk=done.json()["batch_id"]).status == "committed"


def test_bulk_upsert_is_for_offices(world, api_as):
    response = api_as(world.people.filler).post(
        "/units/upsert", {"units": [unit_row(world.s1.credit_code, "改名")]}
    )
    assert response.status_code == 422 and response.json()["message"] == "无权使用该导入"


def test_junk_bodies_are_refused_with_the_field_named(world, api_as):
    api = api_as(world.people.east_office)
    response = api.post("/problems", {"unit_id": "x", "title": ""})
    assert response.status_code == 422
    assert "unit_id" in response.json()["message"] and "title" in response.json()["message"]
    assert api.post("/units/upsert", "not json").status_code in (400, 422)


def test_a_problem_from_another_system_is_not_a_citizen_report(world, api_as):
    # 群众随手拍 comes with its citizen report (and its reference number) only
    api = api_as(world.people.east_office)
    response = api.post(
        "/problems", {"unit_id": world.s1.pk, "source": "citizen", "title": "路灯不亮"}
    )
    assert response.status_code == 422 and "source" in response.json()["message"]
    assert not Problem.objects.filter(title="路灯不亮").exists()


def test_a_hotline_problem_runs_its_lifecycle(world, api_as):
    office = api_as(world.people.east_office)
    created = office.post(
        "/problems",
        {
            "unit_id": world.s1.pk,
            "source": "complaint",
            "title": "校门口占道经营",
            "complainant": "市民 138****0000",
        },
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["state"] == "found"
    assert office.post(f"/problems/{pk}/actions", {"action": "accept"}).json()["state"] == (
        "accepted"
    )
    wrong = office.post(f"/problems/{pk}/actions", {"action": "close"})
    assert wrong.status_code == 422 and wrong.json()["code"] == "refused"
    office.post(f"/problems/{pk}/actions", {"action": "assign"})
    unit = api_as(world.people.unit_admin)
    handled = unit.post(f"/problems/{pk}/actions", {"action": "handle", "fix": "已劝离"})
    assert handled.json()["state"] == "handled"
    assert Problem.objects.get(pk=pk).steps.count() == 4
    outside = api_as(world.people.other_filler).get(f"/problems/{pk}")
    assert outside.status_code == 404


def test_entries_are_written_through_the_assessment_service(world, standard, api_as):
    assessment = self_assessment_start(actor=world.people.filler, unit=world.s1, edition=standard)
    api = api_as(world.people.filler)
    saved = api.put(f"/self-assessments/{assessment.pk}/entries/A1.6", {"value": "2"})
    assert saved.status_code == 200, saved.content
    assert saved.json()["version"] == 1
    stale = api_as(world.people.unit_admin).put(
        f"/self-assessments/{assessment.pk}/entries/A1.6", {"value": "1"}
    )
    assert stale.status_code == 409 and stale.json()["value"] == "2"
    unknown = api.put(f"/self-assessments/{assessment.pk}/entries/ZZ", {"value": "1"})
    assert unknown.status_code == 422 and "不存在" in unknown.json()["message"]
    detail = api.get(f"/self-assessments/{assessment.pk}").json()
    assert [e["code"] for e in detail["entries"]] == ["A1.6"]
    assert AuditEvent.objects.filter(action="assessment.entry").exists()
    office = api_as(world.people.east_office)  # sees it, may not fill it
    assert office.get(f"/self-assessments/{assessment.pk}").status_code == 200
    refused = office.put(f"/self-assessments/{assessment.pk}/entries/A1.6", {"value": "1"})
    assert refused.status_code == 422


def test_onsite_scores_use_the_phone_sync(world, onsite, api_as):
    assignment = assignment_create(
        actor=world.people.east_office, team=onsite.teams.one, application=onsite.applications[0]
    )
    engine = engine_of(onsite.campaign.edition)
    code, item = next(iter(full_marks(engine).items()))
    entry = {
        "client_id": str(uuid.uuid4()),
        "assignment": assignment.pk,
        "code": code,
        "value": str(engine.styles[code].render(item.value)),
        "entered_at": timezone.now().isoformat(),
    }
    api = api_as(onsite.experts.a.user)
    assert [a["id"] for a in api.get("/onsite/assignments").json()] == [assignment.pk]
    for _ in range(2):
        answer = api.post("/onsite/sync", {"entries": [entry]})
        assert answer.json() == {
            "answers": [{"client_id": entry["client_id"], "ok": True, "error": ""}]
        }
    assert Score.objects.filter(expert=onsite.experts.a.user).count() == 1
    stranger = api_as(world.people.filler).post("/onsite/sync", {"entries": [entry]})
    assert stranger.json()["answers"][0]["ok"] is False


def test_frameworks_validate_and_import(world, api_as, school):
    from wenming.core.formats import framework_to_yaml

    good = framework_to_yaml(school).encode()
    api = api_as(world.people.east_office)
    checked = api.post(
        "/frameworks/validate", data={"file": SimpleUploadedFile("s.yaml", good)}
    ).json()
    assert checked["valid"] is True and checked["code"] == school.id
    bad = api.post(
        "/frameworks/validate", data={"file": SimpleUploadedFile("s.yaml", b"id: [")}
    ).json()
    assert bad["valid"] is False and bad["issues"]
    imported = api.post("/frameworks/import", data={"file": SimpleUploadedFile("s.yaml", good)})
    assert imported.status_code == 200 and imported.json()["outcome"] == "created"
    edition_id = imported.json()["edition"]["id"]
    assert api.get(f"/frameworks/{edition_id}").json()["nodes"]
    filler = api_as(world.people.filler)
    refused = filler.post("/frameworks/import", data={"file": SimpleUploadedFile("s.yaml", good)})
    assert refused.status_code == 403


def test_dashboard_figures_are_for_offices(world, onsite, api_as):
    figures = api_as(world.people.east_office).get("/dashboards/figures")
    assert figures.status_code == 200, figures.content
    assert figures.json()["campaign_id"] == onsite.campaign.pk
    assert {t["key"] for t in figures.json()["tables"]}
    assert api_as(world.people.filler).get("/dashboards/figures").status_code == 403


def test_applications_carry_states_and_results(world, onsite, api_as):
    api = api_as(world.people.east_office)
    listed = api.get("/applications", campaign=onsite.campaign.pk).json()["items"]
    assert {a["state"] for a in listed} and all("state_label" in a for a in listed)
    detail = api.get(f"/applications/{listed[0]['id']}").json()
    assert "transitions" in detail and "evaluations" in detail
    assert (
        api_as(world.people.other_filler).get(f"/applications/{listed[0]['id']}").status_code == 404
    )
    assert api.get("/campaigns").json()["items"][0]["id"] == onsite.campaign.pk
