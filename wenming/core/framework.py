"""The indicator framework (测评体系) as data: the pydantic model of a framework file.

The structure is checked here field by field; rules that need the whole tree (unique codes,
children adding up to their parent, contiguous grade bands, references to existing codes,
known scoring styles) live in :mod:`wenming.core.validation`. ``docs/framework-format.md``
documents every field.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

METHODS = ("听取汇报", "材料审核", "问卷调查", "网络调查", "实地考察", "整体观察", "座谈走访")
STAGES = ("小学", "初中", "九年一贯制", "完全中学")

NonNegative = Annotated[Decimal, Field(ge=0)]

# The stages a school of each stage takes part in: a nine-year school has a primary and a
# junior section, a complete secondary school a junior (and senior) section.
STAGE_COVERS: dict[str, frozenset[str]] = {
    "小学": frozenset({"小学"}),
    "初中": frozenset({"初中"}),
    "九年一贯制": frozenset({"九年一贯制", "小学", "初中"}),
    "完全中学": frozenset({"完全中学", "初中"}),
}
NA_TOTAL_LABELS = {"scale": "按适用分值折算", "keep": "不折算"}
VETO_KIND_LABELS = {"event": "事件", "state": "状态"}


def limit_applies(
    *,
    unit_types: frozenset[str] | None,
    stages: frozenset[str] | None,
    unit_type: str | None,
    stage: str | None,
) -> bool:
    """Whether a node limited to ``unit_types``/``stages`` (None: no limit) applies to a unit.

    A unit whose type or stage is not known is held to every item, as before limits existed.
    """
    if unit_types is not None and unit_type is not None and unit_type not in unit_types:
        return False
    if stages is not None and stage is not None:
        return bool(STAGE_COVERS.get(stage, frozenset({stage})) & stages)
    return True


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Effect(StrEnum):
    """What a negative-list entry does when it counts."""

    DEDUCT = "deduct"
    SUSPEND = "suspend"
    VETO = "veto"
    REVOKE = "revoke"

    @property
    def label(self) -> str:
        return EFFECT_LABELS[self]


EFFECT_LABELS = {
    Effect.DEDUCT: "扣分",
    Effect.SUSPEND: "暂缓",
    Effect.VETO: "一票否决",
    Effect.REVOKE: "撤销称号",
}


PERIODS = {"year": "每年", "half": "每半年", "quarter": "每季度", "month": "每月", "day": "每天"}


class EvidenceRule(Model):
    """A rule about the evidence (台账) an indicator needs; see docs/framework-format.md.

    kind: ``photos`` (at least ``min`` photos), ``files`` (at least ``min`` attachments),
    ``records`` (at least ``min`` records, per ``per`` period, optionally of ``activity_type``),
    ``explanation`` (an explanation of at most ``max_chars`` characters), or ``manual`` (a check
    a machine cannot make, e.g. "照片能看清单位名称": a person confirms it).
    """

    kind: Literal["photos", "files", "records", "explanation", "manual"]
    min: int | None = Field(default=None, ge=1)
    per: Literal["year", "half", "quarter", "month"] | None = None
    activity_type: str | None = None
    max_chars: int | None = Field(default=None, ge=1)
    text: str = ""


class Quota(Model):
    """A recurring quota tracked against recorded activities (e.g. 中心组学习每年不少于12次)."""

    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    activity_type: str = Field(min_length=1)
    per: Literal["year", "half", "quarter", "month", "day"] = "year"
    min: int = Field(ge=1)
    per_department: bool = False


class Indicator(Model):
    """One node of the tree: a first- or second-level indicator, or a leaf item (测评内容)."""

    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    points: NonNegative
    requirement: str = ""
    rule: str = ""
    scoring: dict[str, Any] | None = None
    methods: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    department: str = ""
    keywords: tuple[str, ...] = ()
    evidence_rules: tuple[EvidenceRule, ...] = ()
    unit_types: tuple[str, ...] = ()  # applies only to these unit types (whole branch)
    stages: tuple[str, ...] = ()  # applies only to schools of these stages (whole branch)
    allow_na: bool = False  # the item may be marked 不适用 (leaf items only)
    children: tuple[Indicator, ...] = ()

    @field_validator("scoring", mode="before")
    @classmethod
    def _style_shorthand(cls, value: Any) -> Any:
        # ``scoring: yesno`` is short for ``scoring: {style: yesno}``.
        if isinstance(value, str):
            return {"style": value}
        return value

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def style(self) -> str:
        return str((self.scoring or {}).get("style", ""))


class Bonus(Model):
    """Bonus items (特色/加分) counted above the base total, never more than ``cap``."""

    cap: NonNegative
    indicators: tuple[Indicator, ...] = Field(min_length=1)


class Veto(Model):
    """A veto item (一票否决): any hit makes the unit fail whatever its score."""

    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    indicator: str | None = None
    window_months: int | None = Field(default=None, ge=1, le=120)
    kind: Literal["event", "state"] = "event"  # a dated happening, or a state at the as-of date


class NegativeEntry(Model):
    """An entry of the graded negative list (负面清单), counted inside a look-back window."""

    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    effect: Effect
    points: NonNegative | None = None
    window_months: int = Field(ge=1, le=120)
    indicator: str | None = None
    description: str = ""
    max: NonNegative | None = None  # cumulative cap of this entry's deductions


class Band(Model):
    """A grade band: ``min`` ≤ total < ``max`` (no ``max`` on the top band)."""

    name: str = Field(min_length=1, max_length=40)
    min: NonNegative
    max: NonNegative | None = None


class Component(Model):
    """A separately scored component: must reach ``threshold`` and counts ``weight`` %."""

    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    points: Decimal = Field(gt=0)
    threshold: NonNegative
    weight: Decimal = Field(gt=0, lt=100)


class Combination(Model):
    """Rules for schools that span stages (DOMAIN.md section 2)."""

    nine_year: bool = False
    complete_secondary: bool = False


class MeasuredBand(Model):
    """Partial credit: from ``from_`` % of the standard upwards the item earns ``share`` %."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_: NonNegative = Field(alias="from")
    share: Annotated[Decimal, Field(ge=0, le=100)]


DEFAULT_LETTER_GRADES: dict[str, Decimal] = {
    "A": Decimal(100),
    "B": Decimal(66),
    "C": Decimal(33),
    "D": Decimal(0),
}
DEFAULT_MEASURED_BANDS: tuple[MeasuredBand, ...] = (
    MeasuredBand(from_=Decimal(100), share=Decimal(100)),
    MeasuredBand(from_=Decimal(80), share=Decimal(80)),
    MeasuredBand(from_=Decimal(60), share=Decimal(50)),
    MeasuredBand(from_=Decimal(0), share=Decimal(0)),
)


class Framework(Model):
    """One edition of an indicator framework."""

    id: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.\-]+$")
    name: str = Field(min_length=1, max_length=200)
    edition: str = Field(min_length=1, max_length=40)
    campaign_type: str = Field(min_length=1, max_length=80)
    unit_types: tuple[str, ...] = Field(min_length=1)
    stages: tuple[str, ...] = ()
    notice: str = ""
    description: str = ""
    total: NonNegative
    letter_grades: dict[str, Annotated[Decimal, Field(ge=0, le=100)]] = Field(
        default_factory=lambda: dict(DEFAULT_LETTER_GRADES)
    )
    measured_bands: tuple[MeasuredBand, ...] = DEFAULT_MEASURED_BANDS
    indicators: tuple[Indicator, ...] = Field(min_length=1)
    bonus: Bonus | None = None
    vetoes: tuple[Veto, ...] = ()
    negative_list: tuple[NegativeEntry, ...] = ()
    bands: tuple[Band, ...] = Field(min_length=1)
    veto_grade: str | None = None
    components: tuple[Component, ...] = ()
    combination: Combination = Combination()
    quotas: tuple[Quota, ...] = ()
    na_total: Literal["scale", "keep"] = "scale"  # the total when items do not apply
    negative_cap: NonNegative | None = None  # cap of all negative-list deductions together

    @property
    def key(self) -> str:
        return f"{self.id}@{self.edition}"

    def walk(self, *, bonus: bool = True) -> Iterator[tuple[Indicator, Indicator | None, int]]:
        """Yield ``(node, parent, depth)`` in pre-order, main tree first, then bonus items."""
        roots: list[tuple[Indicator, ...]] = [self.indicators]
        if bonus and self.bonus is not None:
            roots.append(self.bonus.indicators)
        for tree in roots:
            stack: list[tuple[Indicator, Indicator | None, int]] = [
                (node, None, 1) for node in reversed(tree)
            ]
            while stack:
                node, parent, depth = stack.pop()
                yield node, parent, depth
                stack.extend((child, node, depth + 1) for child in reversed(node.children))

    def leaves(self, *, bonus: bool = True) -> Iterator[Indicator]:
        return (node for node, _, _ in self.walk(bonus=bonus) if node.is_leaf)

    def find(self, code: str) -> Indicator | None:
        return next((node for node, _, _ in self.walk() if node.code == code), None)

    @property
    def lowest_band(self) -> str:
        return min(self.bands, key=lambda b: b.min).name

    @property
    def failing_grade(self) -> str:
        """The grade given when a veto, revocation or component threshold fails."""
        return self.veto_grade or self.lowest_band
