"""The atheris harness runs a fixed number of inputs per loader inside the suite (a longer run:
bench/fuzz.md). Skipped with a printed reason where atheris is not installed; fails in CI."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA, need
from wenming.core.formats import framework_load, framework_to_xlsx

RUNS = 2_000
ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize("kind", ["yaml", "xlsx"])
def test_atheris_finds_nothing(kind, tmp_path: Path):
    need(importlib.util.find_spec("atheris") is not None, "未安装 atheris,模糊测试跳过")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    if kind == "yaml":
        (corpus / "mini.yaml").write_bytes((DATA / "mini.yaml").read_bytes())
    else:
        (corpus / "mini.xlsx").write_bytes(framework_to_xlsx(framework_load(DATA / "mini.yaml")))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.fuzz.atheris_harness",
            kind,
            f"-runs={RUNS}",
            "-rss_limit_mb=1024",
            "-timeout=10",
            f"-artifact_prefix={tmp_path}/",
            str(corpus),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"Done {RUNS} runs" in done.stderr
