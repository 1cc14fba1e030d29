"""``wenming report check``, as an office runs it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx

from tests.core.copycheck.texts import OWN_WORDS, TEMPLATES, lightly_edited, traditional
from wenming.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _library(tmp_path: Path) -> Path:
    folder = tmp_path / "范文库"
    (folder / "子目录").mkdir(parents=True)
    (folder / "自查报告范文.txt").write_text(TEMPLATES["自查报告范文"], encoding="utf-8")
    (folder / "子目录" / "汇报材料范文.txt").write_bytes(
        TEMPLATES["汇报材料范文"].encode("gb18030")
    )
    document = docx.Document()
    for line in TEMPLATES["工作总结范文"].splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    (folder / "工作总结范文.docx").write_bytes(buffer.getvalue())
    (folder / "说明.md").write_text("不是报告", encoding="utf-8")  # other formats are skipped
    return folder


def test_json_of_an_edited_copy_with_placeholders(capsys, tmp_path):
    report = tmp_path / "城关镇自查报告.txt"
    report.write_text(
        OWN_WORDS.splitlines()[1]
        + "\n"
        + lightly_edited(TEMPLATES["自查报告范文"]).splitlines()[7]
        + "\n20*年，我单位共有职工××名，全年编发简报期。\n",
        encoding="utf-8",
    )
    code, out, _ = run(
        capsys, "report", "check", str(report), "--against", str(_library(tmp_path)), "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"chars", "copied_chars", "rate", "paragraphs", "placeholders"}
    assert [p["copied"] for p in data["paragraphs"]] == [False, True, False]
    assert data["paragraphs"][1]["sources"][0]["name"] == "自查报告范文"
    assert data["paragraphs"][1]["index"] == 2
    kinds = [(h["kind"], h["text"], h["paragraph"]) for h in data["placeholders"]]
    assert kinds == [("year", "20*年", 3), ("marks", "××", 3), ("missing_number", "期", 3)]
    offset = data["placeholders"][0]["offset"]
    assert report.read_text(encoding="utf-8")[offset : offset + 4] == "20*年"
    assert 0 < data["copied_chars"] < data["chars"]
    assert abs(data["rate"] - data["copied_chars"] / data["chars"]) < 0.001


def test_a_docx_copy_in_traditional_script_against_a_gbk_text(capsys, tmp_path):
    document = docx.Document()
    for line in traditional(TEMPLATES["汇报材料范文"]).splitlines():
        document.add_paragraph(line)
    report = tmp_path / "汇报.docx"
    document.save(str(report))
    code, out, _ = run(
        capsys, "report", "check", str(report), "--against", str(_library(tmp_path)), "--json"
    )
    data = json.loads(out)
    assert code == 0 and data["rate"] > 0.9
    assert all(p["sources"][0]["name"] == "汇报材料范文" for p in data["paragraphs"] if p["copied"])


def test_readable_summary_in_chinese(capsys, tmp_path):
    report = tmp_path / "报告.txt"
    report.write_text(TEMPLATES["工作总结范文"] + "\n发送信息余条。", encoding="utf-8")
    code, out, _ = run(capsys, "report", "check", str(report), "--against", str(_library(tmp_path)))
    assert code == 0
    assert "报告.txt:共" in out and "来源:" in out and "工作总结范文" in out
    assert "第8段“余条”:缺少数字" in out


def test_own_words_score_under_five_percent(capsys, tmp_path):
    report = tmp_path / "own.txt"
    report.write_text(OWN_WORDS, encoding="utf-8")
    _, out, _ = run(
        capsys, "report", "check", str(report), "--against", str(_library(tmp_path)), "--json"
    )
    data = json.loads(out)
    assert data["rate"] < 0.05 and not any(p["copied"] for p in data["paragraphs"])
    assert data["placeholders"] == []


def test_a_folder_of_reports_is_checked_against_each_other(capsys, tmp_path):
    folder = tmp_path / "各单位"
    folder.mkdir()
    (folder / "甲单位.txt").write_text(OWN_WORDS, encoding="utf-8")
    (folder / "乙单位.txt").write_text(lightly_edited(OWN_WORDS), encoding="utf-8")
    (folder / "丙单位.txt").write_text(TEMPLATES["工作总结范文"], encoding="utf-8")
    code, out, _ = run(
        capsys, "report", "check", str(folder), "--against", str(_library(tmp_path)), "--json"
    )
    rows = {row["file"]: row for row in map(json.loads, out.splitlines())}
    assert code == 0 and set(rows) == {"甲单位.txt", "乙单位.txt", "丙单位.txt"}
    assert rows["乙单位.txt"]["rate"] > 0.7
    names = {s["name"] for p in rows["乙单位.txt"]["paragraphs"] for s in p["sources"]}
    assert names == {"甲单位"}
    assert rows["丙单位.txt"]["paragraphs"][1]["sources"][0]["name"] == "工作总结范文"


def test_errors_are_chinese_and_exit_1(capsys, tmp_path):
    code, _, err = run(
        capsys, "report", "check", str(tmp_path / "无此文件.txt"), "--against", str(tmp_path)
    )
    assert code == 1 and "找不到文件或文件夹" in err
    odd = tmp_path / "报告.doc"
    odd.write_bytes(b"\xd0\xcf\x11\xe0")
    code, _, err = run(capsys, "report", "check", str(odd), "--against", str(tmp_path))
    assert code == 1 and "只能读取 .txt、.docx 或 .pdf 格式的文件" in err
    broken = tmp_path / "坏.docx"
    broken.write_bytes(b"PK\x03\x04 not a zip")
    code, _, err = run(capsys, "report", "check", str(broken), "--against", str(tmp_path))
    assert code == 1 and "坏.docx:" in err and "Word" in err
    binary = tmp_path / "乱码.txt"
    binary.write_bytes(b"\x00\xff\xfe\x00" * 10)
    code, _, err = run(capsys, "report", "check", str(binary), "--against", str(tmp_path))
    assert code == 1 and "无法读取该文本文件" in err
