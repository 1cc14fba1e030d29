"""Every kind of unfilled gap is found with its position; real text that looks alike is not."""

from __future__ import annotations

import pytest

from wenming.core.copycheck import placeholders_in
from wenming.documents.placeholders import scrubbed

from .texts import OWN_WORDS, TEMPLATES


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("我单位共有职工××名，", "marks", "××"),
        ("其中党员×××名。", "marks", "×××"),
        ("XX同志任组长", "marks", "XX"),
        ("由某某同志负责", "marks", "某某"),
        ("在＊＊＊的带领下", "marks", "＊＊＊"),
        ("20*年，我单位", "year", "20*年"),
        ("20××年以来", "year", "20××年"),
        ("20XX年度", "year", "20XX年"),
        ("20__年", "year", "20__年"),
        ("xx年开展", "year", "xx年"),
        ("20年，我单位认真贯彻", "year", "20年"),
        ("于20年3月召开", "year", "20年"),
        ("*市文明办", "place", "*市"),
        ("××区教育局", "place", "××区"),
        ("XX县人民政府", "place", "XX县"),
        ("在“”活动中", "empty_quote", "“”"),
        ("学习《 》精神", "empty_quote", "《 》"),
        ("荣获（）称号", "empty_quote", "（）"),
        ("【】专栏", "empty_quote", "【】"),
        ("联系人：____", "blank", "____"),
        ("每年编发报表份，", "missing_number", "份"),
        ("发送信息余条。", "missing_number", "余条"),
        ("共开展志愿服务活动次。", "missing_number", "次"),
        ("全年编发工作简报期，", "missing_number", "期"),
        ("先后组织培训人次，", "missing_number", "人次"),
        ("撰写心得体会篇。", "missing_number", "篇"),
        ("共举办道德讲堂场，", "missing_number", "场"),
    ],
)
def test_a_placeholder_is_found_with_its_kind_and_position(text, kind, found):
    [placeholder] = placeholders_in(text)
    assert (placeholder.kind, placeholder.text) == (kind, found)
    assert text[placeholder.offset :].startswith(found)
    assert placeholder.paragraph == 1


@pytest.mark.parametrize(
    "text",
    [
        "每年一次",
        "坚持定期开展学习",
        "近期，我们召开会议",
        "市场份额稳步提高",
        "完成股份制改造",
        "其余条款继续有效",
        "丰富职工的业余文化生活",
        "参加人员名单附后",
        "会场面积为12×30米",
        "用Excel表格汇总",
        "近20年来",
        "参加工作20年，",
        "2026年3月1日开展“学雷锋”志愿服务,参加45人次。",
        "全年编发工作简报四十八期。",
        "藏书两千余册",
        "各科室每季度汇编成册。",
        "群众满意度测评连续三年位居前列，事事有着落。",
        "与各科室负责人签订目标责任书",
        "共开展活动3次，参与群众200余人。",
        "我们的报名。",
    ],
)
def test_real_text_that_looks_alike_is_not_flagged(text):
    assert placeholders_in(text) == []


def test_a_run_of_marks_counts_once_and_paragraphs_skip_empty_lines():
    text = "第一段没有问题。\n\n  \n我单位有×××××名职工，20*年获得“”称号。\n发送信息余条。"
    found = placeholders_in(text)
    assert [(p.kind, p.paragraph) for p in found] == [
        ("marks", 2),
        ("year", 2),
        ("empty_quote", 2),
        ("missing_number", 3),
    ]
    assert found[0].text == "×××××" and text[found[0].offset] == "×"


def test_the_shipped_templates_and_own_words_hold_no_placeholder():
    for text in [*TEMPLATES.values(), OWN_WORDS]:
        assert placeholders_in(text) == []


def test_scrubbing_replaces_each_placeholder_once():
    assert (
        scrubbed("共有××名党员，每年编发报表份。")
        == "共有〔待补充〕名党员，每年编发报表〔待补充〕。"
    )
