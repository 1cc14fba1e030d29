"""Forms of the public report page, the office's settings pages and the Open311 intake: they
parse and bound each field; the rules of a report live in ``services.report_file``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from wenming.citizen.models import ReportCategory, ReportPlace
from wenming.citizen.photos import MAX_PHOTOS, TOO_MANY
from wenming.citizen.services import (
    DESCRIPTION_LONG,
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    DESCRIPTION_SHORT,
    PHONE,
    PHONE_WRONG,
    PLACE_MAX,
    REPLY_MAX,
)
from wenming.organizations.models import Region, Unit
from wenming.rectification.models import Severity
from wenming.web.params import IdField


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to ``MAX_PHOTOS`` files; each is checked by ``photos.photo_read`` afterwards."""

    def __init__(self) -> None:
        super().__init__(
            label="照片", required=False, widget=MultipleFileInput(attrs={"accept": "image/*"})
        )

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(TOO_MANY)
        return [super(PhotosField, self).clean(f, initial) for f in files]


class ReportForm(forms.Form):
    """The public page: no login, so every field is bounded to its column."""

    category: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="问题类别",
        queryset=ReportCategory.objects.none(),
        error_messages={"required": "请选择问题类别", "invalid_choice": "所选类别不可用"},
    )
    place: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="地点",
        queryset=ReportPlace.objects.none(),
        required=False,
        error_messages={"invalid_choice": "所选地点不可用"},
    )
    place_text = forms.CharField(
        label="其他地点",
        required=False,
        max_length=PLACE_MAX,
        error_messages={"max_length": f"地点不能超过{PLACE_MAX}个字"},
    )
    description = forms.CharField(
        label="问题描述",
        min_length=DESCRIPTION_MIN,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea,
        error_messages={
            "required": "请填写问题描述",
            "min_length": DESCRIPTION_SHORT,
            "max_length": DESCRIPTION_LONG,
        },
    )
    photos = PhotosField()
    contact_name = forms.CharField(
        label="联系人",
        required=False,
        max_length=50,
        error_messages={"max_length": "联系人不能超过50个字"},
    )
    contact_phone = forms.RegexField(
        label="联系电话",
        regex=PHONE,
        required=False,
        max_length=30,
        error_messages={"max_length": "联系电话不能超过30个字符", "invalid": PHONE_WRONG},
    )

    def __init__(
        self,
        *args: Any,
        categories: QuerySet[ReportCategory],
        places: QuerySet[ReportPlace],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        self.fields["place"].queryset = places  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("place") and not (data.get("place_text") or "").strip():
            self.add_error("place", "请选择或填写地点")
        return data


class LookupForm(forms.Form):
    reference = forms.CharField(
        label="受理编号",
        required=False,
        max_length=20,
        error_messages={"max_length": "受理编号不超过20个字符"},
    )


class CategoryForm(forms.Form):
    category = IdField(label="类别")
    region: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="地区",
        queryset=Region.objects.none(),
        error_messages={"required": "请选择地区", "invalid_choice": "所选地区不可用"},
    )
    name = forms.CharField(
        label="类别名称",
        max_length=40,
        error_messages={"required": "请填写类别名称", "max_length": "类别名称不能超过40个字"},
    )
    unit: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="责任单位",
        queryset=Unit.objects.none(),
        error_messages={"required": "请选择责任单位", "invalid_choice": "所选单位不可用"},
    )
    severity = forms.ChoiceField(label="严重程度", choices=Severity.choices)
    position = forms.IntegerField(label="顺序", required=False, min_value=0, max_value=999)
    active = forms.BooleanField(label="启用", required=False)

    def __init__(
        self, *args: Any, regions: QuerySet[Region], units: QuerySet[Unit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class PlaceForm(forms.Form):
    place = IdField(label="地点")
    region: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="地区",
        queryset=Region.objects.none(),
        error_messages={"required": "请选择地区", "invalid_choice": "所选地区不可用"},
    )
    name = forms.CharField(
        label="地点名称",
        max_length=PLACE_MAX,
        error_messages={
            "required": "请填写地点名称",
            "max_length": f"地点名称不能超过{PLACE_MAX}个字",
        },
    )
    active = forms.BooleanField(label="启用", required=False)

    def __init__(self, *args: Any, regions: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="公开答复",
        max_length=REPLY_MAX,
        widget=forms.Textarea,
        error_messages={"required": "请填写答复内容", "max_length": f"答复不能超过{REPLY_MAX}个字"},
    )


class DuplicateForm(forms.Form):
    original = IdField(label="重复的报告")


class ReportFilter(forms.Form):
    page = forms.IntegerField(label="页码", required=False, min_value=1, max_value=100_000)


class ClientRevokeForm(forms.Form):
    client = IdField(label="外部系统", required=True)
