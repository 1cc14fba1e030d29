"""YAML frameworks and results are bounded: a hostile file is refused in Chinese, cheaply."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import DATA
from tests.hostile import billion_laughs, bounded, deep_yaml
from wenming.cli import main
from wenming.core import yaml_io
from wenming.core.engine import Engine
from wenming.core.errors import FileInvalid
from wenming.core.formats import framework_from_bytes, framework_load
from wenming.core.results import results_load
from wenming.frameworks.models import FrameworkEdition

MINI = (DATA / "mini.yaml").read_text(encoding="utf-8")


def refusal(text: str) -> str:
    with bounded(), pytest.raises(FileInvalid) as caught:
        yaml_io.load(text)
    return caught.value.report()


def test_billion_laughs_is_refused_not_expanded():
    assert len(billion_laughs()) < 600
    report = refusal(billion_laughs())
    assert f"引用展开后超过{yaml_io.MAX_NODES}个值" in report and "第1行" in report


def test_an_alias_of_itself_is_refused():
    assert "嵌套层次过深" in refusal("a: &a [*a]\n")


def test_a_chain_of_aliases_deeper_than_the_text_is_refused():
    chain = "a0: &a0 [x]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 200))
    assert f"嵌套层次过深(上限{yaml_io.MAX_DEPTH}层)" in refusal(chain)


def test_deep_nesting_is_refused_before_composing():
    report = refusal(deep_yaml())
    assert f"嵌套层次过深(上限{yaml_io.MAX_DEPTH}层)" in report and "第1行" in report


def test_an_oversized_text_is_refused_unread():
    assert "文件过大" in refusal("a: " + "x" * (yaml_io.MAX_CHARS + 1))


def test_too_many_values_are_refused():
    text = "a:\n" + "".join("- 1\n" for _ in range(yaml_io.MAX_NODES + 1))
    with pytest.raises(FileInvalid, match="超过50000个值"):
        yaml_io.load(text)


@pytest.mark.parametrize(
    "value", ["2026-13-45", "1" * 5000, "!!python/name:os.system ''", "!!binary 'a'"]
)
def test_a_value_python_cannot_build_is_a_located_error(value):
    assert "第2行:无法识别的值" in refusal(f"ok: 1\nbad: {value}\n")


def test_ordinary_anchors_still_work():
    data, lines = yaml_io.load("base: &b {points: 5}\nitem: *b\n")
    assert data == {"base": {"points": 5}, "item": {"points": 5}}
    assert lines[("item", "points")] == 1


def test_every_library_framework_is_within_the_limits():
    for path in sorted((Path(yaml_io.__file__).parents[1] / "library").glob("*.yaml")):
        framework_load(path)


def test_framework_file_with_laughs_is_refused():
    with bounded(), pytest.raises(FileInvalid, match="引用展开后"):
        framework_from_bytes(billion_laughs().encode(), filename="f.yaml")


def test_results_file_with_laughs_is_refused(tmp_path: Path, mini):
    bomb = tmp_path / "results.yaml"
    bomb.write_text(billion_laughs(), encoding="utf-8")
    with bounded(), pytest.raises(FileInvalid, match="引用展开后"):
        results_load(Engine(mini), bomb)


def test_cli_validate_refuses_laughs(capsys, tmp_path: Path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(billion_laughs(), encoding="utf-8")
    with bounded():
        code = main(["framework", "validate", str(bomb)])
    assert code != 0 and "引用展开后" in capsys.readouterr().err


@pytest.mark.django_db
@pytest.mark.parametrize("text", [billion_laughs(), deep_yaml()])
def test_upload_page_refuses_hostile_framework_and_stores_nothing(client, world, text):
    client.force_login(world.people.city_office)
    # the first request of a process loads the URLs and compiles the page: not the upload's cost
    assert client.get(reverse("frameworks:upload")).status_code == 200
    upload = {"file": _named(text.encode(), "framework.yaml")}
    with bounded():
        response = client.post(reverse("frameworks:upload"), upload)
    assert response.status_code == 200
    page = response.content.decode()
    assert "引用展开后" in page or "嵌套层次过深" in page
    assert FrameworkEdition.objects.count() == 0
    assert "framework_upload" not in "".join(client.session.keys())


@pytest.mark.django_db
def test_upload_page_holds_frameworks_to_their_own_size_limit(client, world, settings):
    settings.FRAMEWORK_UPLOAD_MAX_BYTES = 1024 * 1024  # below the 20 MB of data imports
    client.force_login(world.people.city_office)
    content = b"code: x\n" + b"#" * (1024 * 1024)
    response = client.post(reverse("frameworks:upload"), {"file": _named(content, "f.yaml")})
    assert "文件过大(测评体系文件上限1MB)" in response.content.decode()
    assert FrameworkEdition.objects.count() == 0


def _named(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


@pytest.mark.django_db
def test_upload_page_lists_the_first_two_hundred_errors_and_counts_all(client, world):
    client.force_login(world.people.city_office)
    text = MINI + "".join(f"extra{i}: 1\n" for i in range(300))
    response = client.post(
        reverse("frameworks:upload"), {"file": _named(text.encode(), "framework.yaml")}
    )
    page = response.content.decode()
    assert page.count("未知字段") == 200 and "共300处错误,以上列出前200处" in page
    assert FrameworkEdition.objects.count() == 0
