"""Framework and results loaders fed generated and mutated files: a result or a Chinese refusal."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import DATA
from tests.fuzz.strategies import is_chinese, mutated, sheet_rows, workbook
from wenming.core import xlsx_io
from wenming.core.engine import Engine
from wenming.core.errors import FileInvalid
from wenming.core.formats import framework_from_bytes, framework_load, framework_to_xlsx
from wenming.core.results import results_load

BUDGET = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
MINI_YAML = (DATA / "mini.yaml").read_bytes()
RESULTS_YAML = (DATA / "mini-results.yaml").read_bytes()
MINI = framework_load(DATA / "mini.yaml")
MINI_XLSX = framework_to_xlsx(MINI)


def framework_or_refusal(content: bytes, filename: str) -> None:
    try:
        framework_from_bytes(content, filename=filename)
    except FileInvalid as exc:
        assert all(is_chinese(issue.message) for issue in exc.issues), exc.report()


@BUDGET
@given(mutated(MINI_YAML))
def test_mutated_framework_yaml(content):
    framework_or_refusal(content, "框架.yaml")


@BUDGET
@given(st.text(alphabet="[]{}&*!:-, \n\"'ab1.|>#%@`", max_size=200))
def test_generated_yaml_punctuation(text):
    framework_or_refusal(text.encode(), "框架.yaml")


@BUDGET
@given(mutated(MINI_XLSX))
def test_mutated_framework_workbook(content):
    framework_or_refusal(content, "框架.xlsx")


@BUDGET
@given(
    sheet_rows([label for _, label in xlsx_io.INFO_FIELDS]),
    sheet_rows([header for _, header in xlsx_io.TREE_COLUMNS]),
)
def test_generated_framework_workbook(info, tree):
    framework_or_refusal(
        workbook({xlsx_io.INFO_SHEET: info, xlsx_io.TREE_SHEET: tree}), "框架.xlsx"
    )


@BUDGET
@given(
    st.one_of(mutated(RESULTS_YAML), st.binary(max_size=300)), st.sampled_from([".yaml", ".xlsx"])
)
def test_mutated_results(content, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"结果{suffix}"
        path.write_bytes(content)
        try:
            results_load(Engine(MINI), path)
        except FileInvalid as exc:
            assert all(is_chinese(issue.message) for issue in exc.issues), exc.report()
