"""Regions and units: read (scoped), and the bulk upsert by credit code through the very
importer the Excel sheet uses (same checks, all-or-nothing, kept as an import batch)."""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import F, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from wenming.accounts.scope import (
    path_prefix_q,
    regions_visible_to,
    unit_get_for_user,
    units_visible_to,
)
from wenming.api.core import ERRORS, ApiProblem, Light, PageQuery, TokenAuth, page
from wenming.core.xlsx_safe import new_workbook, workbook_bytes
from wenming.imports.services import ImportRefused, import_commit, import_preview
from wenming.organizations.importer import REGIONS, UNITS, UnitSheetImporter
from wenming.organizations.models import Region, Unit
from wenming.web.actor import actor

router = Router(tags=["地区与单位"], auth=TokenAuth("units"))
UPSERT_MAX = 5_000


class RegionOut(Schema):
    id: int
    code: str
    name: str
    level: int
    parent_id: int | None


class UnitOut(Light):
    id: int
    credit_code: str
    name: str
    unit_type: str
    region_id: int
    region_code: str
    supervisor_credit_code: str | None
    address: str
    contact_name: str
    contact_phone: str
    headcount: int
    party_members: int
    stage: str


class RegionPage(Schema):
    items: list[RegionOut]
    next: str | None


class UnitPage(Light):
    items: list[UnitOut]
    next: str | None


def unit_rows(rows: QuerySet[Unit]) -> QuerySet[Unit, Any]:
    """The columns a unit is answered with, joined in the one query (no model objects)."""
    return rows.values(
        "id",
        "credit_code",
        "name",
        "region_id",
        "region_path",
        "address",
        "contact_name",
        "contact_phone",
        "headcount",
        "party_members",
        "stage",
        type_name=F("unit_type__name"),
        region_code=F("region__code"),
        supervisor_code=F("supervisor__credit_code"),
    )


def unit_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "credit_code": row["credit_code"],
        "name": row["name"],
        "unit_type": row["type_name"],
        "region_id": row["region_id"],
        "region_code": row["region_code"],
        "supervisor_credit_code": row["supervisor_code"],
        "address": row["address"],
        "contact_name": row["contact_name"],
        "contact_phone": row["contact_phone"],
        "headcount": row["headcount"],
        "party_members": row["party_members"],
        "stage": row["stage"],
    }


@router.get("/regions", response={200: RegionPage, **ERRORS}, summary="地区列表")
def region_list(request: HttpRequest, q: Query[PageQuery]) -> dict[str, Any]:
    rows = regions_visible_to(actor(request)).only("id", "code", "name", "level", "parent_id")
    return page(rows, cursor=q.cursor, limit=q.limit, out=lambda found: found)


class UnitFilter(PageQuery):
    region: int | None = Field(default=None, description="只列该地区(含下级)的单位")


@router.get("/units", response={200: UnitPage, **ERRORS}, summary="单位列表")
def unit_list(request: HttpRequest, q: Query[UnitFilter]) -> dict[str, Any]:
    user = actor(request)
    rows = units_visible_to(user)
    if q.region is not None:
        region = Region.objects.filter(pk=q.region).first()  # narrows a scoped list only
        if region is None:
            raise ApiProblem(404, "not_found", "地区不存在")
        rows = rows.filter(path_prefix_q("region_path", region.path))
    return page(
        unit_rows(rows),
        cursor=q.cursor,
        limit=q.limit,
        out=lambda found: [unit_out(u) for u in found],
        keys=("region_path", "name"),  # the unit pages' order, served by their index
    )


@router.get("/units/{int:unit_id}", response={200: UnitOut, **ERRORS}, summary="单位详情")
def unit_detail(request: HttpRequest, unit_id: int) -> dict[str, Any]:
    unit = unit_get_for_user(actor(request), unit_id)
    return unit_out(unit_rows(Unit.objects.filter(pk=unit.pk)).get())


LevelLabel = Literal["省", "市", "区县", "乡镇街道", "社区村"]


class RegionIn(Schema):
    code: str = Field(min_length=1, max_length=12, description="行政区划代码")
    name: str = Field(min_length=1, max_length=100)
    level: LevelLabel
    parent: str = Field(default="", max_length=12, description="上级的行政区划代码")


class UnitIn(Schema):
    credit_code: str = Field(min_length=1, max_length=18, description="统一社会信用代码")
    name: str = Field(min_length=1, max_length=200)
    unit_type: str = Field(min_length=1, max_length=40, description="单位类型名称")
    region: str = Field(min_length=1, max_length=12, description="所属地区的行政区划代码")
    supervisor: str = Field(default="", max_length=18, description="主管部门的信用代码")
    address: str = Field(default="", max_length=300)
    contact_name: str = Field(default="", max_length=50)
    contact_phone: str = Field(default="", max_length=30)
    headcount: int | None = Field(default=None, ge=0, le=10_000_000)
    party_members: int | None = Field(default=None, ge=0, le=10_000_000)
    departments: str = Field(default="", max_length=2_000, description="科室,以顿号分隔")
    stage: str = Field(default="", max_length=10)
    enrolment_primary: int | None = Field(default=None, ge=0, le=10_000_000)
    enrolment_junior: int | None = Field(default=None, ge=0, le=10_000_000)
    enrolment_senior: int | None = Field(default=None, ge=0, le=10_000_000)


class UpsertIn(Schema):
    regions: list[RegionIn] = Field(default=[], max_length=UPSERT_MAX)
    units: list[UnitIn] = Field(max_length=UPSERT_MAX)


class UpsertOut(Schema):
    created: int
    updated: int
    unchanged: int
    batch_id: int


class UpsertRefused(Schema):
    code: str
    message: str
    errors: list[str]


def _sheet(rows: list[dict[str, Any]], sheet: str) -> list[list[Any]]:
    columns = UnitSheetImporter.sheets[sheet]
    lines: list[list[Any]] = [[c.header for c in columns]]
    for row in rows:
        lines.append([row.get(c.field) if row.get(c.field) != "" else None for c in columns])
    return lines


def _workbook(body: UpsertIn) -> bytes:
    wb = new_workbook(write_only=True)
    for name, rows in ((REGIONS, body.regions), (UNITS, body.units)):
        sheet = wb.create_sheet(name)
        for line in _sheet([r.model_dump() for r in rows], name):
            sheet.append(line)
    return workbook_bytes(wb)


@router.post(
    "/units/upsert",
    response={200: UpsertOut, 422: UpsertRefused, **{k: v for k, v in ERRORS.items() if k != 422}},
    summary="按统一社会信用代码批量新增或更新单位",
    description="与 Excel 单位导入同一套检查;任一行有错则整批不导入。",
)
def unit_upsert_bulk(request: HttpRequest, body: UpsertIn) -> Status[Any]:
    user = actor(request)
    try:
        batch, plan = import_preview(
            kind="units", filename="接口导入.xlsx", content=_workbook(body), user=user
        )
        if plan.errors:
            shown = [str(e) for e in plan.errors[:50]]
            return Status(
                422,
                {
                    "code": "import_errors",
                    "message": f"共{len(plan.errors)}处错误,未导入任何内容",
                    "errors": shown,
                },
            )
        plan = import_commit(batch_id=batch.pk, user=user)
    except ImportRefused as exc:
        return Status(422, {"code": "refused", "message": str(exc), "errors": []})
    counts = plan.counts()
    return Status(
        200,
        {
            "created": counts["新增"],
            "updated": counts["更新"],
            "unchanged": counts["无变化"],
            "batch_id": batch.pk,
        },
    )
