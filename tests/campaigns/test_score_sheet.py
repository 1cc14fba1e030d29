"""Evaluation results from paper: export a blank score sheet, import the completed one."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tests.campaigns.conftest import results
from tests.campaigns.test_chain import signed_and_submitted
from wenming.campaigns.services import application_pass
from wenming.imports.models import ImportBatch
from wenming.imports.services import ImportRefused, import_commit, import_preview

pytestmark = pytest.mark.django_db


def at_evaluation(world, campaign):
    application = signed_and_submitted(world, campaign)
    for who in (world.people.supervisor, world.people.east_office):
        application = application_pass(
            actor=who, application_id=application.pk, version=application.version
        )
    return application


def filled(blank: bytes, values: dict[str, dict[str, Any]]) -> bytes:
    workbook = load_workbook(io.BytesIO(blank))
    sheet = workbook["评分表"]
    for row in sheet.iter_rows(min_row=3):
        item = values.get(str(row[0].value))
        if item is not None:
            row[5].value = item["value"]
            row[6].value = item.get("reason")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_completed_paper_sheet_becomes_the_evaluation_result(world, campaign, client):
    application = at_evaluation(world, campaign)
    client.force_login(world.people.east_office)
    response = client.get(reverse("campaigns:score_sheet", args=[application.pk]))
    assert response.status_code == 200
    data = results(campaign.edition, world.s1, 89950)
    content = filled(response.content, data["items"])
    context = {"application": str(application.pk)}
    batch, plan = import_preview(
        kind="score_sheet",
        filename="评分表.xlsx",
        content=content,
        user=world.people.east_office,
        context=context,
    )
    assert plan.ok, [str(e) for e in plan.errors]
    import_commit(batch_id=batch.pk, user=world.people.east_office)
    application.refresh_from_db()
    assert (application.result_centi, application.result_grade) == (89950, "基本达标")
    assert application.evaluations.get().source == "paper"


def test_a_bad_sheet_names_the_cell_and_records_nothing(world, campaign, client):
    application = at_evaluation(world, campaign)
    client.force_login(world.people.east_office)
    blank = client.get(reverse("campaigns:score_sheet", args=[application.pk])).content
    values = results(campaign.edition, world.s1)["items"]
    values["A1.6"] = {"value": "很多"}
    values.pop("A2.4")
    _, plan = import_preview(
        kind="score_sheet",
        filename="评分表.xlsx",
        content=filled(blank, values),
        user=world.people.east_office,
        context={"application": str(application.pk)},
    )
    errors = [str(e) for e in plan.errors]
    assert any(
        e.startswith("工作表“评分表”第") and "F列(得分/评价)" in e and "“很多”不是整数" in e
        for e in errors
    ), errors
    assert any("指标“A2.4”未评分" in e for e in errors), errors
    application.refresh_from_db()
    assert application.result_centi is None


def test_only_the_steps_reviewer_may_import_or_download(world, campaign, client):
    application = at_evaluation(world, campaign)
    with pytest.raises(ImportRefused, match="您不是该环节的审核人"):
        import_preview(
            kind="score_sheet",
            filename="评分表.xlsx",
            content=b"x",
            user=world.people.city_office,
            context={"application": str(application.pk)},
        )
    client.force_login(world.people.supervisor)
    assert client.get(reverse("campaigns:score_sheet", args=[application.pk])).status_code == 403


def test_the_import_pages_speak_of_score_sheets_and_lead_back_to_the_application(
    world, campaign, client
):
    application = at_evaluation(world, campaign)
    client.force_login(world.people.east_office)
    upload_url = reverse("imports:upload", args=["score_sheet"]) + f"?application={application.pk}"
    page = client.get(upload_url).content.decode()
    assert "得分/评价" in page and "扣分制填发现问题的处数" in page
    assert "统一社会信用代码" not in page  # not the unit importer's help
    back = reverse("campaigns:application", args=[application.pk])
    assert f'href="{back}"' in page
    blank = client.get(reverse("campaigns:score_sheet", args=[application.pk])).content
    data = results(campaign.edition, world.s1, 89950)
    upload = SimpleUploadedFile("评分表.xlsx", filled(blank, data["items"]))
    response = client.post(upload_url, {"file": upload})
    preview = client.get(response["Location"]).content.decode()
    assert f'<a href="{back}">取消</a>' in preview
    stored = ImportBatch.objects.latest("pk")
    response = client.post(reverse("imports:commit", args=[stored.pk]))
    assert response["Location"] == back
