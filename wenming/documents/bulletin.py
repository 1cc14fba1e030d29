"""The evaluation bulletin (测评结果通报): plain figures in, a :class:`Document` out.

:func:`wenming.documents.campaign_docs.bulletin_data` turns a campaign's results into
:class:`BulletinData`; the sample below checks uploaded templates. The publicity list follows
the same shape: one small function feeding the structured document.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wenming.documents.model import Document, Heading, Paragraph, Table

NUMERALS = "一二"


@dataclass
class BulletinData:
    office: str  # e.g. 江城市精神文明建设办公室
    number: str  # 发文字号
    campaign: str  # e.g. 2026年度市级文明单位测评
    recipients: str
    date: str
    summary: str
    # 序号 单位 得分 (one score per component) 等级
    results: list[tuple[str, ...]] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    component_headers: list[str] = field(default_factory=list)  # separately scored parts


def bulletin_document(data: BulletinData) -> Document:
    blocks: list[Heading | Paragraph | Table] = [Paragraph(data.summary)]
    parts = 0
    if data.results:  # no empty table before anyone is evaluated
        parts += 1
        blocks.append(Heading(f"{NUMERALS[parts - 1]}、测评结果", 1))
        parts_n = len(data.component_headers)
        blocks.append(
            Table(
                ("序号", "单位名称", "得分", *data.component_headers, "等级"),
                tuple(data.results),
                (1, 5 - parts_n, 1.5, *(2.0,) * parts_n, 1.5),
            )
        )
    if data.requirements:
        parts += 1
        blocks.append(Heading(f"{NUMERALS[parts - 1]}、有关要求", 1))
        blocks += [Paragraph(text) for text in data.requirements]
    return Document(
        title=f"关于{data.campaign}结果的通报",
        blocks=list(blocks),
        style="official",
        issuer_mark=f"{data.office}文件",
        doc_number=data.number,
        recipients=data.recipients,
        issuer=data.office,
        date=data.date,
    )


def sample_bulletin() -> BulletinData:
    """Plain sample data: the default template is checked against it, and tests render it."""
    return BulletinData(
        office="江城市精神文明建设办公室",
        number="江文明办〔2026〕3号",
        campaign="2026年度市级文明单位测评",
        recipients="各区文明办,市直各单位",
        date="2026年6月1日",
        summary="根据《江城市文明单位测评体系(2026年版)》,市文明办组织测评组对申报单位进行了材料审核和实地考察。现将测评结果通报如下。",
        results=[
            ("1", "江东区第一小学", "92.5", "优秀"),
            ("2", "江东区实验中学", "88.0", "良好"),
            ("3", "江西区人民医院", "79.5", "合格"),
        ],
        requirements=[
            "各单位要对照测评中发现的问题,于2026年7月31日前完成整改,并将整改报告报送市文明办。"
        ],
    )


def sample_publicity() -> Document:
    """The publicity list (公示名单) of sample data, in the shape campaign_docs produces."""
    return Document(
        title="关于2026年度市级文明单位拟命名名单的公示",
        blocks=[
            Paragraph("经单位申报、审核和测评,拟命名2个单位为“2026年度市级文明单位”。"),
            Paragraph("公示期为2026年6月1日至2026年6月5日(5个工作日)。"),
            Heading("拟命名名单", 1),
            Table(
                ("序号", "单位名称", "所在地区", "单位类型", "测评等级"),
                (
                    ("1", "江东区第一小学", "江东区", "学校", "优秀"),
                    ("2", "江东区实验中学", "江东区", "学校", "良好"),
                ),
                (1, 5, 2, 2, 2),
            ),
        ],
        style="official",
        issuer="江城市精神文明建设办公室",
        date="2026年6月1日",
    )


def sample_document(kind: str) -> Document:
    """Sample data an uploaded template of ``kind`` must render before it is accepted."""
    if kind == "publicity":
        return sample_publicity()
    return bulletin_document(sample_bulletin())
