"""A campaign's settings as a file (活动设置文件), for administrators only: exported as YAML,
imported (YAML or JSON — JSON is YAML) as a new draft through ``campaign_create``.

The file names things the way people read them and the database keeps them unique: the region
by its 行政区划代码 (with its name), the framework by its code and edition, unit types by name.
Reading is bounded (``core.yaml_io.load``: size, depth, aliases) and validated with pydantic;
every problem names the field in Chinese, with its line, and nothing is written.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.contrib.auth.models import User
from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from wenming.accounts.scope import scope_for
from wenming.audit.services import audit_record
from wenming.campaigns.campaign_setup import CampaignInput, campaign_create
from wenming.campaigns.models import Campaign, Level
from wenming.campaigns.transitions import Refused
from wenming.core.errors import FileInvalid, Issue
from wenming.core.yaml_io import dump, load, locator
from wenming.frameworks.models import FrameworkEdition
from wenming.organizations.models import Region, UnitType

FORMAT = "wenming-campaign-settings"
MAX_BYTES = 200_000  # a campaign's settings are a few KB
NOT_ADMIN = "只有系统管理员可以导出或导入活动设置文件"

# field → how the refusals name it
LABELS = {
    "format": "文件类型",
    "name": "活动名称",
    "organiser": "主办机关",
    "year": "年度",
    "level": "级别",
    "region": "组织地区",
    "code": "行政区划代码",
    "framework": "测评体系",
    "edition": "版本",
    "unit_types": "可申报单位类型",
    "apply_from": "申报开始",
    "apply_until": "申报截止",
    "evaluate_until": "测评截止",
    "publicity_days": "公示天数",
    "publicity_working_days": "按工作日计算公示期",
    "term_years": "称号有效期(年)",
    "rectify_months": "基本达标整改期限(月)",
    "previous_title_required": "须获上一届称号",
    "clean_months": "无否决/负面清单事项的月数",
    "legal_person_required": "须为独立法人",
    "target_count": "年度目标(个)",
    "target_percent": "年度目标(占比%)",
    "target_score_scale": "目标完成折算分",
    "target_score_cap": "目标完成得分上限",
    "chain": "审核流程",
    "key": "环节标识",
    "label": "环节名称",
    "role": "审核人",
    "result": "录入测评结果",
    "naming": "命名机关",
}

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegionRef(_Model):
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=12)]
    name: str = Field(default="", max_length=100)


class FrameworkRef(_Model):
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    edition: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    name: str = Field(default="", max_length=200)


class ChainStep(_Model):
    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    role: Annotated[str, StringConstraints(pattern=r"^(supervisor|office)$")]
    level: int | None = Field(default=None, ge=1, le=5)
    result: bool = False


class SettingsFile(_Model):
    format: Annotated[str, StringConstraints(pattern=f"^{FORMAT}$")]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    organiser: str = Field(default="", max_length=100)
    year: int = Field(ge=2000, le=2100)
    level: Annotated[str, StringConstraints(pattern="^(" + "|".join(Level.values) + ")$")]
    region: RegionRef
    framework: FrameworkRef
    unit_types: list[Annotated[str, StringConstraints(max_length=40)]] = Field(
        min_length=1, max_length=50
    )
    apply_from: date
    apply_until: date
    evaluate_until: date | None = None
    publicity_days: int = Field(default=5, ge=1, le=60)
    publicity_working_days: bool = True
    term_years: int = Field(default=3, ge=1, le=10)
    rectify_months: int = Field(default=12, ge=1, le=60)
    previous_title_required: bool = False
    clean_months: int = Field(default=24, ge=0, le=120)
    legal_person_required: bool = False
    target_count: int | None = Field(default=None, ge=0, le=1_000_000)
    target_percent: int | None = Field(default=None, ge=1, le=100)
    target_score_scale: int = Field(default=100, ge=1, le=1000)
    target_score_cap: int = Field(default=100, ge=1, le=1000)
    chain: list[ChainStep] = Field(min_length=1, max_length=20)
    naming: dict[
        Annotated[str, StringConstraints(max_length=40)], Annotated[int, Field(ge=1, le=5)]
    ] = Field(default_factory=dict, max_length=50)


def campaign_settings_export(campaign: Campaign) -> str:
    """The campaign's settings as YAML text (the dates, chain and naming as set)."""
    edition = campaign.edition
    data: dict[str, Any] = {
        "format": FORMAT,
        "name": campaign.name,
        "organiser": campaign.organiser,
        "year": campaign.year,
        "level": campaign.level,
        "region": {"code": campaign.region.code, "name": campaign.region.name},
        "framework": {"code": edition.code, "edition": edition.edition, "name": edition.name},
        "unit_types": [t.name for t in campaign.unit_types.all()],
        "apply_from": campaign.apply_from,
        "apply_until": campaign.apply_until,
        "evaluate_until": campaign.evaluate_until,
        "publicity_days": campaign.publicity_days,
        "publicity_working_days": campaign.publicity_working_days,
        "term_years": campaign.term_years,
        "rectify_months": campaign.rectify_months,
        "previous_title_required": campaign.previous_title_required,
        "clean_months": campaign.clean_months,
        "legal_person_required": campaign.legal_person_required,
        "target_count": campaign.target_count,
        "target_percent": campaign.target_percent,
        "target_score_scale": campaign.target_score_scale,
        "target_score_cap": campaign.target_score_cap,
        "chain": [dict(step) for step in campaign.chain],
        "naming": {str(k): int(v) for k, v in campaign.naming.items()},
    }
    header = f"# {campaign.name} 活动设置(导入后成为新的草稿活动)\n"
    return header + dump(data)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"第{part + 1}项")
        else:
            parts.append(LABELS.get(str(part), str(part)))
    return "·".join(parts) or "文件"


def _problem(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "缺少该项"
    if kind == "extra_forbidden":
        return "不是活动设置的项目"
    if kind in ("string_too_long", "too_long"):
        return "过长"
    if kind in ("greater_than_equal", "less_than_equal", "too_short"):
        return "超出允许范围"
    if kind.startswith("date"):
        return "应为日期,如2026-06-30"
    if kind.startswith("int"):
        return "应为整数"
    if kind.startswith("bool"):
        return "应为是(true)或否(false)"
    if kind == "string_pattern_mismatch":
        return "取值不对"
    return "内容或类型不对"


def settings_parse(content: bytes) -> SettingsFile:
    """The file validated; FileInvalid (Chinese, every problem with its field and line)."""
    if len(content) > MAX_BYTES:
        raise FileInvalid([_issue((), f"文件过大(上限{MAX_BYTES // 1000}KB)")])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileInvalid([_issue((), "文件不是UTF-8编码的文本")]) from None
    data, lines = load(text)
    if not isinstance(data, dict):
        raise FileInvalid([_issue((), "文件内容应为活动设置(各项设置的名称和值)")])
    try:
        return SettingsFile.model_validate(data)
    except ValidationError as exc:
        where = locator(lines)
        issues = [
            _issue(tuple(e["loc"]), f"“{_field_name(tuple(e['loc']))}”{_problem(e)}")
            for e in exc.errors()[:20]
        ]
        raise FileInvalid(issues).located(where) from None


def _issue(loc: tuple[Any, ...], message: str) -> Issue:
    return Issue(loc, message)


def _resolved(parsed: SettingsFile) -> CampaignInput:
    """The references looked up; every one that is not found is named."""
    problems = []
    region = Region.objects.filter(code=parsed.region.code).first()
    if region is None:
        problems.append(f"“组织地区”行政区划代码“{parsed.region.code}”不存在")
    edition = FrameworkEdition.objects.filter(
        code=parsed.framework.code, edition=parsed.framework.edition
    ).first()
    if edition is None:
        problems.append(f"“测评体系”{parsed.framework.code}({parsed.framework.edition}版)尚未导入")
    types = {t.name: t for t in UnitType.objects.filter(name__in=parsed.unit_types)}
    unknown = [n for n in parsed.unit_types if n not in types]
    if unknown:
        problems.append(f"“可申报单位类型”没有:{'、'.join(unknown)}")
    if problems:
        raise Refused(";".join(problems))
    assert region is not None and edition is not None
    return CampaignInput(
        name=parsed.name,
        organiser=parsed.organiser,
        year=parsed.year,
        level=parsed.level,
        region=region,
        edition=edition,
        unit_types=[types[n] for n in dict.fromkeys(parsed.unit_types)],
        apply_from=parsed.apply_from,
        apply_until=parsed.apply_until,
        evaluate_until=parsed.evaluate_until,
        publicity_days=parsed.publicity_days,
        publicity_working_days=parsed.publicity_working_days,
        term_years=parsed.term_years,
        rectify_months=parsed.rectify_months,
        previous_title_required=parsed.previous_title_required,
        clean_months=parsed.clean_months,
        legal_person_required=parsed.legal_person_required,
        target_count=parsed.target_count,
        target_percent=parsed.target_percent,
        target_score_scale=parsed.target_score_scale,
        target_score_cap=parsed.target_score_cap,
        chain=[step.model_dump(exclude_defaults=True) for step in parsed.chain],
        naming=dict(parsed.naming),
    )


@transaction.atomic
def campaign_settings_import(*, actor: User, content: bytes, filename: str = "") -> Campaign:
    """A new draft campaign from a settings file (administrators only; audited)."""
    if not scope_for(actor).is_admin:
        raise Refused(NOT_ADMIN)
    campaign = campaign_create(actor=actor, data=_resolved(settings_parse(content)))
    audit_record(
        actor=actor,
        action="campaign.import",
        obj=campaign,
        new=campaign.name,
        comment=filename[:200],
    )
    return campaign
