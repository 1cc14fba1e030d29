"""Framework editions: read, validate a file (writes nothing), import a file."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from wenming.accounts.models import Role
from wenming.accounts.scope import scope_for
from wenming.api.core import ERRORS, ApiProblem, TokenAuth
from wenming.core.errors import FileInvalid
from wenming.core.formats import framework_from_bytes
from wenming.core.framework import Framework
from wenming.frameworks.models import FrameworkEdition
from wenming.frameworks.selectors import framework_edition_list, framework_of
from wenming.frameworks.services import FrameworkLocked, framework_import
from wenming.web.actor import actor

router = Router(tags=["测评体系"], auth=TokenAuth("frameworks"))
ISSUES_SHOWN = 200


class EditionOut(Schema):
    id: int
    code: str
    edition: str
    name: str
    campaign_type: str
    unit_types: list[str]
    total: str
    leaf_count: int
    used: bool


class NodeOut(Schema):
    code: str
    name: str
    depth: int
    points: str
    leaf: bool


class EditionDetail(EditionOut):
    nodes: list[NodeOut]


class Validation(Schema):
    valid: bool
    code: str
    edition: str
    name: str
    issues: list[str]


class ImportOut(Schema):
    outcome: str
    edition: EditionOut


def edition_out(stored: FrameworkEdition) -> dict[str, Any]:
    return {
        "id": stored.pk,
        "code": stored.code,
        "edition": stored.edition,
        "name": stored.name,
        "campaign_type": stored.campaign_type,
        "unit_types": list(stored.unit_types),
        "total": str(stored.total),
        "leaf_count": stored.leaf_count,
        "used": stored.used_at is not None,
    }


@router.get("/frameworks", response={200: list[EditionOut], **ERRORS}, summary="测评体系版本列表")
def edition_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [edition_out(e) for e in framework_edition_list()[:500]]


@router.get(
    "/frameworks/{int:edition_id}", response={200: EditionDetail, **ERRORS}, summary="测评体系内容"
)
def edition_detail(request: HttpRequest, edition_id: int) -> dict[str, Any]:
    stored = FrameworkEdition.objects.filter(pk=edition_id).first()
    if stored is None:
        raise ApiProblem(404, "not_found", "测评体系不存在")
    framework = framework_of(stored)
    nodes = [
        {
            "code": node.code,
            "name": node.name,
            "depth": depth,
            "points": str(node.points),
            "leaf": node.is_leaf,
        }
        for node, _, depth in framework.walk()
    ]
    return {**edition_out(stored), "nodes": nodes}


def _read(upload: UploadedFile) -> tuple[Framework | None, list[str]]:
    if upload.size is not None and upload.size > settings.FRAMEWORK_UPLOAD_MAX_BYTES:
        limit = settings.FRAMEWORK_UPLOAD_MAX_BYTES / (1024 * 1024)
        return None, [f"文件过大(测评体系文件上限{limit:g}MB)"]
    try:
        return framework_from_bytes(upload.read(), filename=upload.name or ""), []
    except FileInvalid as exc:
        issues = [str(issue) for issue in exc.issues[:ISSUES_SHOWN]]
        if len(exc.issues) > ISSUES_SHOWN:
            issues.append(f"共{len(exc.issues)}处错误,以上列出前{ISSUES_SHOWN}处")
        return None, issues


@router.post(
    "/frameworks/validate",
    response={200: Validation, **ERRORS},
    summary="检查测评体系文件(不保存)",
    auth=TokenAuth("frameworks", write=False),
)
def edition_validate(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    framework, issues = _read(file)
    if framework is None:
        return {"valid": False, "code": "", "edition": "", "name": "", "issues": issues}
    return {
        "valid": True,
        "code": framework.id,
        "edition": framework.edition,
        "name": framework.name,
        "issues": [],
    }


@router.post(
    "/frameworks/import",
    response={200: ImportOut, **ERRORS},
    summary="导入测评体系文件(YAML 或 Excel)",
)
def edition_import(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    user = actor(request)
    if not scope_for(user).has(Role.OFFICE):
        raise PermissionDenied("只有测评办公室可以导入测评体系")
    framework, issues = _read(file)
    if framework is None:
        raise ApiProblem(422, "invalid_file", ";".join(issues[:20]))
    try:
        with transaction.atomic():
            stored, outcome = framework_import(framework=framework, actor=user)
    except FrameworkLocked as exc:
        raise ApiProblem(422, "edition_locked", str(exc)) from None
    return {"outcome": outcome, "edition": edition_out(stored)}
