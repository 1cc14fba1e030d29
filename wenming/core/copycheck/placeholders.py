"""Unfilled template gaps, each with its kind and position — the product's one placeholder finder.

Kinds (the CLI's ``kind`` field):

- ``marks``: runs of ×/x/X/＊/* (``××名``, ``XX单位``; a run counts once), ``某某``;
- ``year``: a year missing digits (``20*年``, ``20××年``, ``20__年``, ``××××年``, and a bare
  ``20年`` where a year is written: ``20年,我单位…``);
- ``place``: a place left open (``*市``, ``××区``, ``XX县``);
- ``empty_quote``: empty quotes and brackets “” ‘’ 《》 （） 【】 「」 "" () [];
- ``blank``: underlines left to fill (``____``, ``＿＿``);
- ``missing_number``: a measure word with no number where one is expected (``每年编发报表份``,
  ``发送信息余条``, ``共开展志愿服务活动次。``).

Real text that looks alike is not flagged: multiplication (``3×4``), words in Latin letters
(``Excel``, ``xxhash``), ``近20年``, ``每年一次``, ``定期``, ``近期``, ``份额``, ``股份``,
``其余条款``, ``业余``, ``名单``, ``人员``.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

MARK = "×✕╳＊*"
MEASURES = ("人次", "份", "条", "期", "次", "人", "名", "篇", "场", "件", "项", "册", "期")
PLACES = "省市区县镇乡村"
PLACE_WORDS = "街道|社区|单位|学校|公司"

_NUMERAL = set(
    "0123456789０１２３４５６７８９一二三四五六七八九十百千万亿两几多数半零〇壹贰叁肆伍陆柒捌玖拾佰仟"
)
# A clause ends at punctuation or a line's end.
_BOUNDARY = set("，,。.；;：:、！!？?）)」』”’\r\n") | {""}
# Words ending in a measure word that are not a count: "定期", "股份", "个人", "报名" …
_WORDS_TEXT = """股份 身份 年份 月份 省份 部份 成份 定期 近期 同期 长期 短期 初期 中期 后期 末期 学期 假期 周期
    日期 时期 分期 到期 按期 如期 逾期 限期 本期 当期 上期 下期 一期 二期 三期 工期 汛期 档期 期期
    个人 本人 他人 别人 人人 众人 为人 责任人 负责人 联系人 老人 家人 成人 工人 名人 世人 主人 法人 军人
    诗人 商人 用人 育人 树人 助人 待人 动人 感人 惠人 为民 知名 署名 排名 提名 命名 报名 实名 签名 姓名
    点名 联名 冠名 挂名 更名 落名 题名 再次 首次 多次 层次 批次 依次 屡次 其次 名次 班次 车次 档次 逐次
    现场 市场 广场 会场 考场 农场 立场 当场 到场 在场 出场 主场 全场 战场 职场 商场 剧场 球场 赛场 官场
    诗篇 长篇 短篇 中篇 通篇 全篇 开篇 篇篇 条条 信条 教条 面条 线条 链条 萧条 便条 金条 苗条 发条
    假条 欠条 收条 字条 词条 头条 专条 逐条 文件 条件 软件 案件 邮件 事件 稿件 证件 配件 附件 物件 信件
    部件 零件 硬件 要件 事项 款项 专项 各项 单项 多项 立项 强项 弱项 选项 本项 此项 该项 逐项 分项 手册
    名册 画册 花名册 注册 清册 台册 成册 成篇 装订成册"""
_WORDS = frozenset(_WORDS_TEXT.split())
_TRIGGERS = re.compile(
    "每年|每月|每季度?|每周|每天|全年|共|累计|先后|开展|举办|组织|编发|编印|发送|印发|发放|参加|参与|"
    "培训|接待|走访|慰问|张贴|悬挂|发布|刊发|刊登|报送|编写|撰写|召开|征集|收集|评选|表彰|制作|更新|"
    "上报|覆盖|受益|出动|推送|播放|放映|发表|录用|采用|结对|帮扶|捐赠|捐款|"
    "人员|职工|党员|干部|教师|学生|志愿者|居民"
)
_MEASURE_RE = re.compile("(?:人次|[份条期次人名篇场件项册])")
_REAL_BEFORE_YU = set("其剩多业盈残节结富有课工茶宽绰之空")
_YU_MEASURE = re.compile("余(人次|[份条次人名篇场件项册期个家户])")

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "year",
        re.compile(
            rf"20(?:[{MARK}xX]{{1,2}}|_{{1,4}}|＿{{1,4}}|\s{{1,3}})年"
            rf"|(?<![0-9A-Za-z])[{MARK}xX]{{2,4}}年"
            r"|(?:^|(?<=[\s，,。；;：:、（(“于在至从自到是今去]))20年(?=[，,、度]|[0-9０-９]{1,2}月|以来)"
        ),
    ),
    (
        "place",
        re.compile(
            rf"(?:[{MARK}]{{1,3}}|(?<![A-Za-z])[xX]{{1,3}}|某某?)(?:[{PLACES}]|{PLACE_WORDS})"
        ),
    ),
    (
        "empty_quote",
        re.compile(r"“\s*”|‘\s*’|\"\s*\"|《\s*》|（\s*）|\(\s*\)|【\s*】|「\s*」|\[\s*\]"),
    ),
    ("blank", re.compile(r"_{2,}|＿{2,}")),
    ("marks", re.compile(rf"[{MARK}]+|(?<![A-Za-z])[xX]{{2,}}(?![A-Za-z])|某某")),
]


@dataclass(frozen=True)
class Placeholder:
    kind: str
    text: str
    offset: int  # in the whole text
    paragraph: int  # 1-based, counting non-empty lines


def _is_multiplication(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    return (before.isdigit() or (before.isalpha() and before.isascii())) and (
        after.isdigit() or (after.isalpha() and after.isascii())
    )


def _missing_numbers(text: str) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for m in _YU_MEASURE.finditer(text):
        before = text[m.start() - 1] if m.start() else ""
        if before in _NUMERAL or before in _REAL_BEFORE_YU:
            continue
        found.append((m.start(), m.end()))
    for m in _MEASURE_RE.finditer(text):
        start, end = m.start(), m.end()
        after = text[end] if end < len(text) else ""
        if after not in _BOUNDARY:
            continue
        before = text[start - 1] if start else ""
        if (
            not before
            or before in _NUMERAL
            or before in "的之等们余各每个这那此该本xX"
            or before in MARK
        ):
            continue
        word = text[max(0, start - 2) : end]
        if any(word.endswith(w) for w in _WORDS):
            continue
        clause_start = max(text.rfind(c, 0, start) for c in "，,。；;：:！!？?\n") + 1
        clause = text[clause_start:start]
        trigger = None
        for t in _TRIGGERS.finditer(clause):
            trigger = t
        if trigger is None:
            continue
        if any(ch in _NUMERAL for ch in clause[trigger.end() :]):
            continue
        found.append((start, end))
    return found


def placeholders_in(text: str) -> list[Placeholder]:
    """Every placeholder in ``text``, in order of position (an empty list when it is clean)."""
    taken = bytearray(len(text))
    raw: list[tuple[int, int, str]] = []

    def claim(start: int, end: int, kind: str) -> None:
        if any(taken[start:end]):
            return
        taken[start:end] = b"\x01" * (end - start)
        raw.append((start, end, kind))

    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if (
                kind == "marks"
                and m.group(0)[0] in "×✕*"
                and _is_multiplication(text, m.start(), m.end())
            ):
                continue
            claim(m.start(), m.end(), kind)
    for start, end in _missing_numbers(text):
        claim(start, end, "missing_number")
    starts = []
    for m in re.finditer(r"[^\r\n]+", text):
        if m.group(0).strip():
            starts.append(m.start())
    raw.sort()
    return [
        Placeholder(kind, text[start:end], start, max(1, bisect.bisect_right(starts, start)))
        for start, end, kind in raw
    ]
