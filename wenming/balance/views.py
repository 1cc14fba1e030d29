from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from wenming.accounts.models import Role
from wenming.accounts.scope import regions_visible_to, scope_for
from wenming.balance.forms import RegionYearParams, standards_from_post
from wenming.balance.models import BalanceThreshold, QualityRule, QualityStandard
from wenming.balance.selectors import (
    QUALITY_LABELS,
    QUALITY_SHORT,
    StageBalance,
    decimal_text,
    region_balance,
    years_on_file,
)
from wenming.balance.services import NOT_ADMIN, BalanceRefused, standards_set
from wenming.core.balance import INDICATORS, QUALITY_INDICATORS
from wenming.core.xlsx_safe import new_workbook, workbook_bytes
from wenming.organizations.models import Region
from wenming.web.actor import actor
from wenming.web.downloads import XLSX, file_download
from wenming.web.params import params


def _office(request: HttpRequest) -> None:
    if not scope_for(request.user).has(Role.OFFICE):
        raise PermissionDenied("只有测评办公室人员可以查看均衡发展统计")


def _region(request: HttpRequest) -> Region:
    """The region asked for (?region=), within the person's scope; by default their own."""
    visible = regions_visible_to(request.user)
    if pk := params(request.GET, RegionYearParams)["region"]:
        region = visible.filter(pk=pk).first()
        if region is None:
            raise Http404("地区不存在或无权查看")
        return region
    scope = scope_for(request.user)
    top = (
        visible.filter(path__in=scope.region_paths).first()
        if scope.region_paths
        else visible.order_by("level", "path").first()
    )
    if top is None:
        raise Http404("没有可查看的地区")
    return top


def _year(request: HttpRequest, region: Region) -> int:
    if year := params(request.GET, RegionYearParams)["year"]:
        return int(year)
    on_file = years_on_file(region)
    return on_file[0] if on_file else timezone.localdate().year


@login_required
def balance_index(request: HttpRequest) -> HttpResponse:
    _office(request)
    region = _region(request)
    year = _year(request, region)
    stages = region_balance(region=region, year=year)
    regions = regions_visible_to(request.user).filter(level__lte=4).order_by("path")[:500]
    return render(
        request,
        "balance/index.html",
        {
            "region": region,
            "year": year,
            "years": sorted({year, *years_on_file(region)}, reverse=True),
            "regions": regions,
            "stages": stages,
            "indicators": INDICATORS,
            "quality_columns": [(QUALITY_SHORT[c], label) for c, label in QUALITY_INDICATORS],
            "is_admin": scope_for(request.user).is_admin,
        },
    )


def _sheet_rows(sb: StageBalance) -> list[list[object]]:
    rows: list[list[object]] = [["指标", "加权平均值", "差异系数"]]
    labels = dict(INDICATORS)
    for ind in sb.result.indicators:
        rows.append([labels[ind.code], _r(ind.mean), _r(ind.cv)])
    rows.append(["综合差异系数", None, _r(sb.result.composite)])
    for v in sb.verdicts:
        rows.append([f"{v.level}标准(≤{v.max_cv})", None, "达到" if v.passed else "未达到"])
    rows += _quality_rows(sb)
    rows.append([])
    header: list[object] = ["学校", "统一社会信用代码", "在校生数"]
    header += [label for _, label in INDICATORS]
    header += ["对综合差异系数的影响(留一法)"]
    rows.append(header)
    for record, effect in sb.ranked():
        line: list[object] = [record.unit.name, record.unit.credit_code, record.enrolment]
        line += [float(getattr(record, code)) for code, _ in INDICATORS]
        line.append(_r(effect))
        rows.append(line)
    return rows


def _quality_rows(sb: StageBalance) -> list[list[object]]:
    quality = sb.quality
    rows: list[list[object]] = [
        [],
        ["优质均衡指标", "加权平均值", "差异系数", "差异系数上限", "校际标准", "结论"],
    ]
    for ind in quality.indicators:
        verdict = "达到" if ind.passed else ("无法计算" if ind.cv is None else "未达到")
        rows.append(
            [ind.label, _r(ind.mean), _r(ind.cv), float(ind.max_cv), float(ind.minimum), verdict]
        )
    rows.append(["未达到校际标准要求的学校", len(quality.failed_schools)])
    for school in quality.failed_schools:
        rows.append([school.record.unit.name, ";".join(school.reasons())])
    for record in quality.missing:
        rows.append([record.unit.name, "未导入优质均衡指标"])
    judged = {True: "达到", False: "未达到", None: "无法判定"}[quality.passed]
    rows.append(["优质均衡", None, judged])
    return rows


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@login_required
def balance_export(request: HttpRequest) -> HttpResponse:
    _office(request)
    region = _region(request)
    year = _year(request, region)
    wb = new_workbook(write_only=True)
    for sb in region_balance(region=region, year=year):
        sheet = wb.create_sheet(f"{sb.stage}")
        sheet.append([f"{region.name}{year}年义务教育均衡发展差异系数({sb.stage})"])
        for row in _sheet_rows(sb):
            sheet.append(row)
    name = f"{region.name}{year}年均衡发展差异系数.xlsx"
    return file_download(workbook_bytes(wb), name, XLSX)


@login_required
def threshold_list(request: HttpRequest) -> HttpResponse:
    _office(request)
    editable = scope_for(request.user).is_admin
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(NOT_ADMIN)
        try:
            standards_set(actor=actor(request), **standards_from_post(request.POST))
        except BalanceRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "差异系数及校际标准已保存")
            return redirect("balance:thresholds")
    standards = [
        (s, QUALITY_LABELS[s.indicator], decimal_text(s.minimum))
        for s in QualityStandard.objects.order_by("-stage", "id")
    ]
    return render(
        request,
        "balance/thresholds.html",
        {
            "thresholds": BalanceThreshold.objects.order_by("level", "-stage"),
            "standards": standards,
            "rules": [
                (r, decimal_text(r.floor_percent)) for r in QualityRule.objects.order_by("-stage")
            ],
            "editable": editable,
        },
    )
