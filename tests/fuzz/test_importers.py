"""Every importer fed generated and mutated sheets through the import service, as the page uses
it: a preview whose every error is Chinese, or a Chinese refusal; nothing but the batch written."""

from __future__ import annotations

import pytest
from django.apps import apps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.strategies import is_chinese, mutated, sheet_rows, workbook
from wenming.imports.base import REGISTRY
from wenming.imports.models import ImportBatch
from wenming.imports.services import ImportRefused, import_commit, import_preview

pytestmark = pytest.mark.django_db

BUDGET = settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def row_counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count() for m in apps.get_models() if m is not ImportBatch
    }


def blank_sheet(kind: str) -> bytes:
    return workbook(
        {name: [[c.header for c in columns]] for name, columns in REGISTRY[kind].sheets.items()}
    )


def preview_or_refusal(kind, user, context, content: bytes) -> None:
    before = row_counts()
    try:
        batch, plan = import_preview(
            kind=kind, filename="导入.xlsx", content=content, user=user, context=context
        )
    except ImportRefused as exc:
        assert is_chinese(str(exc)), str(exc)
    else:
        assert all(is_chinese(str(e)) for e in plan.errors), plan.errors[:3]
        assert all(is_chinese(e) for e in batch.plan["errors"])
        if not plan.ok or not plan.changes:
            with pytest.raises(ImportRefused) as refused:
                import_commit(batch_id=batch.pk, user=user)
            assert is_chinese(str(refused.value))
    assert row_counts() == before


@st.composite
def generated(draw: st.DrawFn, kind: str) -> bytes:
    sheets = {
        name: draw(sheet_rows([c.header for c in columns]))
        for name, columns in REGISTRY[kind].sheets.items()
        if draw(st.integers(0, 9))  # now and then a sheet is missing
    }
    return workbook(sheets or {"Sheet": []})


def test_generated_sheets(importer_case):
    kind, user, context = importer_case

    @BUDGET
    @given(generated(kind))
    def run(content: bytes) -> None:
        preview_or_refusal(kind, user, context, content)

    run()


def test_mutated_sheets(importer_case):
    kind, user, context = importer_case

    @BUDGET
    @given(mutated(blank_sheet(kind)))
    def run(content: bytes) -> None:
        preview_or_refusal(kind, user, context, content)

    run()
