"""Sections off their indicator's area: key terms from the indicators' names, less stock words
and words naming several areas; Traditional script and widths read as the Simplified text."""

from __future__ import annotations

from wenming.core.copycheck.topics import area_named, areas_of, off_topic, stock_words

AREAS = [
    ("A", "思想道德建设", ["理论学习", "道德讲堂", "诚信建设"]),
    ("B", "志愿服务", ["志愿者队伍", "学雷锋活动", "关爱帮扶"]),
    ("C", "文化环境建设", ["文体活动", "环境卫生", "公益广告"]),
]


def test_terms_leave_out_stock_words_and_words_of_several_areas():
    a, b, c = areas_of(AREAS)
    assert {"思想", "道德", "理论", "诚信"} <= a.terms
    assert "建设" not in a.terms and "工作" in stock_words()  # a stock word
    assert "活动" not in b.terms and "活动" not in c.terms  # stock, and in two areas
    assert {"志愿", "雷锋", "关爱"} <= b.terms


def test_a_section_on_its_area_passes_and_one_off_it_is_flagged():
    areas = areas_of(AREAS)
    sections = [
        ("一、基本情况", "本单位现有职工八十人。"),  # names no area: not judged
        ("(一)思想道德建设", "全年举办道德讲堂六期,职工写下学习心得一百余篇。"),
        ("(二)志愿服务", "春节前组织了文艺汇演和书法比赛,职工踊跃报名。"),
        ("(三)文化环境建设", ""),  # nothing written: left to the 【需补充】 note
    ]
    [found] = off_topic(sections, areas)
    assert (found.index, found.heading, found.area.code) == (2, "(二)志愿服务", "B")


def test_traditional_script_and_full_width_are_read_as_simplified():
    areas = areas_of(AREAS)
    named = area_named("(二)志願服務", areas)
    assert named is not None and named.code == "B"
    assert not off_topic([("(二)志願服務", "組織學雷鋒志願者到社區關愛老人。")], areas)
    assert not off_topic([("(三)文化环境建设", "ＬＥＤ屏播放公益广告。")], areas)
