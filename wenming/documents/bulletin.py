"""The evaluation bulletin (测评结果通报): plain figures in, a :class:`Document` out.

Campaign results do not exist yet; when they do, a selector turns a campaign into
:class:`BulletinData` and this function is unchanged. Publicity lists, certificates and score
sheets follow the same shape: one small function feeding the structured document.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wenming.documents.model import Document, Heading, Paragraph, Table


@dataclass
class BulletinData:
    office: str  # e.g. 江城市精神文明建设办公室
    number: str  # 发文字号
    campaign: str  # e.g. 2026年度市级文明单位测评
    recipients: str
    date: str
    summary: str
    results: list[tuple[str, str, str, str]] = field(default_factory=list)  # 序号 单位 得分 等级
    requirements: list[str] = field(default_factory=list)


def bulletin_document(data: BulletinData) -> Document:
    blocks: list[Heading | Paragraph | Table] = [
        Paragraph(data.summary),
        Heading("一、测评结果", 1),
        Table(("序号", "单位名称", "得分", "等级"), tuple(data.results), (1, 5, 1.5, 1.5)),
    ]
    if data.requirements:
        blocks.append(Heading("二、有关要求", 1))
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
