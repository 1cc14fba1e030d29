"""Hostile workbooks posted to any import page: refused in Chinese, cheaply, nothing written."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.hostile import bounded, xlsx_with_rows, zip_bomb
from tests.imports.conftest import SETUPS
from wenming.core import xlsx_guard
from wenming.imports.models import ImportBatch

pytestmark = pytest.mark.django_db

HOSTILE = {
    "two million rows": (lambda: xlsx_with_rows(2_000_000), "解压后过大"),
    "zip bomb": (lambda: zip_bomb("xl/worksheets/sheet1.xml", size=40 << 20), "压缩比异常"),
    "50,011 rows": (
        lambda: xlsx_with_rows(xlsx_guard.MAX_ROWS + xlsx_guard.HEADER_ROWS + 1, numbered=True),
        f"超过{xlsx_guard.MAX_ROWS}行数据",
    ),
}


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_every_importer_is_covered():
    from wenming.imports.base import REGISTRY

    assert set(SETUPS) == set(REGISTRY)


@pytest.mark.parametrize("hostile", sorted(HOSTILE))
def test_hostile_workbook_is_refused_on_the_import_page(client, importer_case, hostile):
    kind, user, context = importer_case
    build, message = HOSTILE[hostile]
    content = build()
    client.force_login(user)
    url = reverse("imports:upload", args=[kind]) + "?" + urlencode(context)
    before = row_counts()
    with bounded():
        response = client.post(url, {"file": SimpleUploadedFile("导入.xlsx", content)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ImportBatch.objects.count() == 0
    after = row_counts()
    assert {k: v for k, v in after.items() if v != before[k]} == {}
