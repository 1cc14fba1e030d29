from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from wenming.campaigns.models import Level
from wenming.campaigns.services import CampaignInput, chain_problems
from wenming.campaigns.setup_forms import (
    ChainSteps,
    NamingRows,
    chain_described,
    chain_from_rows,
    chain_rows,
    default_chain,
    naming_from_rows,
    naming_rows,
)
from wenming.frameworks.models import FrameworkEdition
from wenming.organizations.models import Region, RegionLevel, UnitType
from wenming.web.params import MAX_ID, IdField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VersionParams(forms.Form):
    version = forms.IntegerField(label="版本", min_value=1, max_value=MAX_ID)
    reason = forms.CharField(label="修改说明", required=False, max_length=500)


class CampaignForm(forms.Form):
    name = forms.CharField(label="活动名称", max_length=200)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    level = forms.ChoiceField(label="级别", choices=Level.choices)
    region = forms.ModelChoiceField(label="组织地区", queryset=Region.objects.none())
    organiser = forms.CharField(
        label="主办机关",
        max_length=100,
        required=False,
        help_text="署名于通报、公示等文书,如“江东区人民政府教育督导室”;不填为组织地区的文明办",
    )
    edition = forms.ModelChoiceField(
        label="测评体系", queryset=FrameworkEdition.objects.defer("source")
    )
    unit_types = forms.ModelMultipleChoiceField(
        label="可申报单位类型", queryset=UnitType.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    apply_from = forms.DateField(label="申报开始", widget=DATE)
    apply_until = forms.DateField(label="申报截止", widget=DATE)
    evaluate_until = forms.DateField(label="测评截止", widget=DATE, required=False)
    publicity_days = forms.IntegerField(label="公示天数", min_value=1, max_value=60, initial=5)
    publicity_working_days = forms.BooleanField(label="按工作日计算", required=False, initial=True)
    term_years = forms.IntegerField(label="称号有效期(年)", min_value=1, max_value=10, initial=3)
    rectify_months = forms.IntegerField(
        label="基本达标整改期限(月)", min_value=12, max_value=24, initial=12
    )
    previous_title_required = forms.BooleanField(label="须获上一届称号", required=False)
    clean_months = forms.IntegerField(
        label="无否决/负面清单事项(月)", min_value=0, max_value=120, initial=24
    )
    legal_person_required = forms.BooleanField(label="须为独立法人", required=False)
    target_count = forms.IntegerField(label="年度目标(个)", min_value=0, required=False)
    target_percent = forms.IntegerField(
        label="或:年度目标(占比%)", min_value=1, max_value=100, required=False
    )
    target_score_scale = forms.IntegerField(
        label="目标完成折算:完成100%得分", min_value=1, max_value=1000, initial=100
    )
    target_score_cap = forms.IntegerField(
        label="目标完成得分上限", min_value=1, max_value=1000, initial=100
    )
    chain_default = forms.BooleanField(
        label="使用该级别的默认审核流程", required=False, initial=True
    )

    def __init__(
        self,
        *args: Any,
        regions: QuerySet[Region],
        chain: list[dict[str, Any]] | None = None,
        naming: dict[str, int] | None = None,
        locked: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # settings that can no longer change keep their value whatever is posted
        self.locked = locked or {}
        for name, reason in self.locked.items():
            if name in self.fields:
                self.fields[name].disabled = True
                self.fields[name].help_text = f"{reason},不能再修改"
        field = self.fields["region"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = regions.filter(level__lte=RegionLevel.COUNTY).order_by("path")
        data = args[0] if args else kwargs.get("data")
        self.steps = ChainSteps(
            data, prefix="step", initial=chain_rows(chain or default_chain(Level.DISTRICT))
        )
        if chain is not None:  # editing: the stored chain is shown, not a level's default
            self.fields["chain_default"].initial = False
        self.namings = NamingRows(data, prefix="naming", initial=naming_rows(naming or {}))
        self.initial_chain = chain or default_chain(Level.DISTRICT)
        self.initial_naming = naming or {}
        self.chain: list[dict[str, Any]] = []
        self.naming: dict[str, int] = {}

    def is_valid(self) -> bool:
        steps_ok, naming_ok = self.steps.is_valid(), self.namings.is_valid()
        return super().is_valid() and steps_ok and naming_ok and self._lists_ok()

    def _lists_ok(self) -> bool:
        if "chain" in self.locked:
            self.chain = self.initial_chain
            problems: list[str] = []
        elif self.cleaned_data.get("chain_default"):
            self.chain = default_chain(self.cleaned_data.get("level") or Level.DISTRICT)
            problems = []
        else:
            self.chain, problems = chain_from_rows(self.steps)
            if not problems:
                problems = chain_problems(self.chain)
        for problem in problems:
            self.add_error("chain_default", problem)
        naming_problems: list[str] = []
        if "naming" in self.locked:
            self.naming = dict(self.initial_naming)
        else:
            self.naming, naming_problems = naming_from_rows(self.namings)
        for problem in naming_problems:
            self.add_error(None, problem)
        return not problems and not naming_problems

    @property
    def default_chains(self) -> list[tuple[str, str]]:
        """Each level's default chain, as the page explains it."""
        return [(label, chain_described(default_chain(level))) for level, label in Level.choices]

    def to_input(self) -> CampaignInput:
        d = self.cleaned_data
        return CampaignInput(
            name=d["name"],
            organiser=d.get("organiser") or "",
            year=d["year"],
            level=d["level"],
            region=d["region"],
            edition=d["edition"],
            unit_types=list(d["unit_types"]),
            apply_from=d["apply_from"],
            apply_until=d["apply_until"],
            evaluate_until=d.get("evaluate_until"),
            publicity_days=d["publicity_days"],
            publicity_working_days=d["publicity_working_days"],
            term_years=d["term_years"],
            rectify_months=d["rectify_months"],
            previous_title_required=d["previous_title_required"],
            clean_months=d["clean_months"],
            legal_person_required=d["legal_person_required"],
            target_count=d.get("target_count"),
            target_percent=d.get("target_percent"),
            target_score_scale=d["target_score_scale"],
            target_score_cap=d["target_score_cap"],
            chain=self.chain,
            naming=self.naming,
        )


OBJECTION_TEXT_MAX = 2000
PHONE = r"^[0-9+\-() 转]{5,30}$"


class ObjectionForm(forms.Form):
    """The public objection form: no login, so every field is bounded to its column and checked."""

    application: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="针对单位",
        queryset=None,
        error_messages={
            "required": "请选择异议针对的单位",
            "invalid_choice": "所选单位不在公示名单中",
        },
    )
    name = forms.CharField(
        label="姓名",
        max_length=50,
        error_messages={"required": "请填写姓名", "max_length": "姓名不能超过50个字"},
    )
    phone = forms.RegexField(
        label="联系电话",
        regex=PHONE,
        max_length=30,
        error_messages={
            "required": "请填写联系电话",
            "max_length": "联系电话不能超过30个字符",
            "invalid": "联系电话只能包含数字、空格和 + - ( ) 转,至少5位",
        },
    )
    text = forms.CharField(
        label="异议内容",
        min_length=5,
        max_length=OBJECTION_TEXT_MAX,
        widget=forms.Textarea,
        error_messages={
            "required": "请填写异议内容",
            "min_length": "异议内容至少5个字,请写明具体事实",
            "max_length": f"异议内容不能超过{OBJECTION_TEXT_MAX}个字,可先提交要点,调查时再补充",
        },
    )

    def __init__(self, *args: Any, applications: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["application"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = applications


# -- request parameters (wenming.web.params) -------------------------------------------------


class CampaignActionParams(forms.Form):
    action = forms.CharField(label="操作", max_length=20)
    edition = IdField(label="测评体系版本")
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    start = forms.DateField(label="公示开始日期", required=False)
    unit = forms.CharField(label="单位", required=False, max_length=200)
    until = forms.DateField(label="延长至", required=False)
    reason = forms.CharField(label="原因", required=False, max_length=300)


class ApplicationActionParams(forms.Form):
    action = forms.CharField(label="操作", max_length=20)
    version = forms.IntegerField(label="版本号", required=False, min_value=0, max_value=MAX_ID)
    comment = forms.CharField(label="意见", required=False, max_length=20_000)


class ObjectionResolveParams(forms.Form):
    objection = IdField(label="异议", required=True)
    upheld = forms.CharField(label="是否成立", required=False, max_length=1)
    resolution = forms.CharField(label="办理结果", required=False, max_length=20_000)


class RewardParams(forms.Form):
    unit = forms.CharField(label="单位", required=False, max_length=200)
    amount = forms.DecimalField(
        label="奖金(元)", required=False, max_digits=12, decimal_places=2, min_value=0
    )
    awarded_on = forms.DateField(label="奖励日期")
    person = forms.CharField(label="受奖个人", required=False, max_length=50)
    kind = forms.CharField(label="奖励形式", required=False, max_length=40)
    description = forms.CharField(label="奖励内容", required=False, max_length=300)


class ApplicationFilterParams(forms.Form):
    """The filters of a campaign's application list; an unknown state or step simply matches
    nothing, but no value may be longer than its column."""

    state = forms.CharField(label="状态", required=False, max_length=20)
    step = forms.CharField(label="环节", required=False, max_length=40)
    grade = forms.CharField(label="等次", required=False, max_length=40)
    region = forms.CharField(label="地区", required=False, max_length=19)
    q = forms.CharField(label="单位名称或代码", required=False, max_length=200)
