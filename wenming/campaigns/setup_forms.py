"""The parts of a campaign's set-up that are lists: its review chain (an ordered list of steps)
and who names the title per school stage or unit type (a small table). Offices fill them in as
rows of a form; the stored shapes (``Campaign.chain``, ``Campaign.naming``) stay as they are."""

from __future__ import annotations

from typing import Any

from django import forms

from wenming.campaigns.models import Level
from wenming.organizations.models import SchoolStage, UnitType

CHAIN_ROWS = 6
NAMING_ROWS = 4
ROLE_CHOICES = [("office", "测评办公室"), ("supervisor", "主管部门(单位的上级主管单位)")]
OFFICE_LEVELS = [(1, "省级"), (2, "市级"), (3, "区县级"), (4, "乡镇(街道)")]


def _office(key: str, label: str, level: int, *, result: bool = False) -> dict[str, Any]:
    step: dict[str, Any] = {"key": key, "label": label, "role": "office", "level": level}
    if result:
        step["result"] = True
    return step


SUPERVISOR_STEP = {"key": "supervisor", "label": "主管部门审核", "role": "supervisor"}
# A campaign's usual chain by its level: the unit's supervising body first, then the offices
# from the county up to the level that runs the campaign, which records the result.
DEFAULT_CHAINS: dict[str, list[dict[str, Any]]] = {
    Level.DISTRICT: [
        SUPERVISOR_STEP,
        _office("accept", "区县测评办公室受理", 3),
        _office("evaluate", "区县级测评", 3, result=True),
    ],
    Level.CITY: [
        SUPERVISOR_STEP,
        _office("accept", "区县初审推荐", 3),
        _office("evaluate", "市级测评", 2, result=True),
    ],
    Level.PROVINCE: [
        SUPERVISOR_STEP,
        _office("accept", "区县初审推荐", 3),
        _office("recommend", "市级审核推荐", 2),
        _office("evaluate", "省级测评", 1, result=True),
    ],
    Level.NATIONAL: [
        SUPERVISOR_STEP,
        _office("accept", "区县初审推荐", 3),
        _office("recommend", "市级审核推荐", 2),
        _office("evaluate", "省级测评推荐", 1, result=True),
    ],
}


def default_chain(level: str) -> list[dict[str, Any]]:
    return [dict(step) for step in DEFAULT_CHAINS.get(level, DEFAULT_CHAINS[Level.DISTRICT])]


def chain_described(chain: list[dict[str, Any]]) -> str:
    """One line for the page: 主管部门审核 → 区县测评办公室受理 → 区县级测评(录入结果)."""
    return " → ".join(
        step["label"] + ("(录入测评结果)" if step.get("result") else "") for step in chain
    )


class ChainStepForm(forms.Form):
    key = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    label = forms.CharField(label="环节名称", required=False, max_length=40)
    role = forms.ChoiceField(label="办理人", choices=ROLE_CHOICES, required=False)
    level = forms.TypedChoiceField(
        label="办公室层级",
        choices=[("", "—"), *OFFICE_LEVELS],
        coerce=int,
        empty_value=None,
        required=False,
    )
    result = forms.BooleanField(label="录入测评结果", required=False)


# min_num: every row is read, also one left as it was shown (a formset skips those otherwise)
ChainSteps = forms.formset_factory(
    ChainStepForm,
    extra=0,
    min_num=CHAIN_ROWS,
    max_num=CHAIN_ROWS,
    absolute_max=CHAIN_ROWS,
    validate_max=True,
)


def chain_rows(chain: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A stored chain as the rows of the form, padded with empty rows to add steps."""
    rows = [
        {
            "key": s["key"],
            "label": s["label"],
            "role": s["role"],
            "level": s.get("level"),
            "result": bool(s.get("result")),
        }
        for s in chain
    ]
    return rows + [{} for _ in range(CHAIN_ROWS - len(rows))]


def chain_from_rows(steps: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """The chain the filled rows describe (rows without a name are left out), with the
    problems of each row named by its number."""
    chain: list[dict[str, Any]] = []
    problems: list[str] = []
    used: set[str] = set()
    for n, row in enumerate(steps.cleaned_data, start=1):
        label = (row.get("label") or "").strip()
        if not label:
            continue
        role = row.get("role") or "office"
        level = row.get("level")
        if role == "office" and level is None:
            problems.append(f"第{n}个环节“{label}”:请选择办理的测评办公室层级")
            continue
        step: dict[str, Any] = {"key": "", "label": label, "role": role}
        if role == "office":
            step["level"] = level
        if row.get("result"):
            step["result"] = True
        key = (row.get("key") or "").strip()
        if not key or key in used:
            key = "supervisor" if role == "supervisor" and "supervisor" not in used else ""
            number = len(chain) + 1
            while not key or key in used:
                key, number = f"step{number}", number + 1
        step["key"] = key
        used.add(key)
        chain.append(step)
    return chain, problems


def naming_choices() -> list[tuple[str, str]]:
    stages = [(s, f"{s}(学段)") for s in SchoolStage.values]
    kinds = [(n, n) for n in UnitType.objects.order_by("name").values_list("name", flat=True)]
    return [("", "—"), *stages, *kinds]


class NamingRowForm(forms.Form):
    name = forms.ChoiceField(label="学段或单位类型", required=False, choices=())
    level = forms.TypedChoiceField(
        label="命名机关层级",
        choices=[("", "—"), *OFFICE_LEVELS[:3]],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["name"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = naming_choices()


NamingRows = forms.formset_factory(
    NamingRowForm,
    extra=0,
    min_num=NAMING_ROWS,
    max_num=NAMING_ROWS + 8,
    absolute_max=NAMING_ROWS + 8,
)


def naming_rows(naming: dict[str, int]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [{"name": k, "level": v} for k, v in naming.items()]
    return rows + [{} for _ in range(max(NAMING_ROWS - len(rows), 1))]


def naming_from_rows(rows: Any) -> tuple[dict[str, int], list[str]]:
    naming: dict[str, int] = {}
    problems: list[str] = []
    for n, row in enumerate(rows.cleaned_data, start=1):
        name, level = row.get("name"), row.get("level")
        if not name and level is None:
            continue
        if not name or level is None:
            problems.append(f"命名机关第{n}行:请同时选择学段或单位类型和命名机关层级")
        elif name in naming:
            problems.append(f"命名机关第{n}行:“{name}”重复")
        else:
            naming[name] = level
    return naming, problems
