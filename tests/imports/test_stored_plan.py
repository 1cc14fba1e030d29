"""The preview shows what was read once at upload; confirming applies exactly that, or nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.imports.test_unit_import import NEW_TOWN, good_rows, sheet
from wenming.core.credit_code import make_credit_code
from wenming.imports import services
from wenming.imports.models import ImportBatch, ImportStatus
from wenming.imports.services import ImportRefused, import_commit, import_preview
from wenming.organizations.models import Unit

pytestmark = pytest.mark.django_db


def upload(client, user, content: bytes) -> ImportBatch:
    client.force_login(user)
    response = client.post(
        reverse("imports:upload", args=["units"]), {"file": SimpleUploadedFile("u.xlsx", content)}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return ImportBatch.objects.get()


def test_preview_page_does_not_read_the_file_again(client, world, monkeypatch):
    batch = upload(client, world.people.east_office, sheet(good_rows(world), NEW_TOWN))
    assert batch.plan["counts"] == {"新增": 3, "更新": 0, "无变化": 0}

    def read_again(content: bytes) -> None:
        raise AssertionError("the preview read the file again")

    monkeypatch.setattr(services, "open_workbook", read_again)
    for _ in range(3):
        page = client.get(reverse("imports:preview", args=[batch.pk])).content.decode()
        assert "将新增 <strong>3</strong> 条" in page and "江东区文化馆" in page


def test_errors_are_capped_at_two_hundred_with_the_total_shown(client, world):
    rows = [
        {
            "统一社会信用代码": f"X{i}",
            "单位名称": f"单位{i}",
            "单位类型": "机关",
            "所属地区代码": "420102",
        }
        for i in range(260)
    ]
    batch = upload(client, world.people.east_office, sheet(rows))
    assert batch.plan["error_total"] == 260 and len(batch.plan["errors"]) == 200
    page = client.get(reverse("imports:preview", args=[batch.pk])).content.decode()
    assert "发现260处错误,不能导入" in page and "以下列出前200处" in page
    assert "确认导入" not in page


def test_an_empty_sheet_cannot_be_confirmed(client, world):
    batch = upload(client, world.people.east_office, sheet([]))
    page = client.get(reverse("imports:preview", args=[batch.pk])).content.decode()
    assert "文件中没有可导入的数据行" in page and "确认导入" not in page
    with pytest.raises(ImportRefused, match="没有可导入的数据行"):
        import_commit(batch_id=batch.pk, user=world.people.east_office)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED


def test_confirm_refuses_when_the_data_changed_after_the_preview(world):
    user = world.people.east_office
    first, _ = import_preview(
        kind="units", filename="u.xlsx", content=sheet(good_rows(world), NEW_TOWN), user=user
    )
    import_commit(batch_id=first.pk, user=user)
    rows = good_rows(world)
    rows[1]["职工人数"] = 40
    batch, plan = import_preview(
        kind="units", filename="u2.xlsx", content=sheet(rows, NEW_TOWN), user=user
    )
    assert plan.counts()["更新"] == 1  # 职工人数 35 → 40 is what the person sees
    # meanwhile someone else changes the same unit: confirming would not do what was shown
    Unit.objects.filter(credit_code=make_credit_code(serial=9002)).update(headcount=38)
    with pytest.raises(ImportRefused, match="预览之后相关数据已有变化"):
        import_commit(batch_id=batch.pk, user=user)
    assert Unit.objects.get(credit_code=make_credit_code(serial=9002)).headcount == 38
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED


def test_confirm_applies_what_was_previewed(client, world):
    batch = upload(client, world.people.east_office, sheet(good_rows(world), NEW_TOWN))
    response = client.post(reverse("imports:commit", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert Unit.objects.filter(name__in=["江东区第二小学", "江东区文化馆"]).count() == 2
