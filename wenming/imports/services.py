"""Preview and commit of uploaded sheets (see :mod:`wenming.imports.base`).

The upload is read once, bounded (wenming.core.xlsx_guard), and what it would change is stored
with the batch (:func:`preview_of`): the preview page shows that and never reads the file again.
Confirming plans the kept file once more against the data as it is now and applies it only if it
is exactly what was previewed (same digest), all-or-nothing.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import timezone

from wenming.accounts.scope import scope_for
from wenming.audit.services import audit_record
from wenming.core.xlsx_guard import WorkbookRefused
from wenming.imports.base import REGISTRY, Importer, ImportPlan, open_workbook
from wenming.imports.models import ImportBatch, ImportStatus

ERRORS_SHOWN = 200  # errors kept and listed; the total is counted
CHANGES_SHOWN = 500  # changed rows kept for the preview table


class ImportRefused(Exception):
    """The import cannot go ahead; the message says why in Chinese."""


def importer_for(kind: str, user: User, context: dict[str, str] | None = None) -> Importer:
    cls = REGISTRY.get(kind)
    if cls is None or not cls.allowed(scope_for(user)):
        raise ImportRefused("无权使用该导入")
    importer = cls(
        context={k: v for k, v in (context or {}).items() if k in cls.context_keys}, user=user
    )
    importer.check_context()
    return importer


def _plan(importer: Importer, content: bytes, user: User) -> ImportPlan:
    """Read the file (bounded: a file past a limit is refused before or while it is read)."""
    try:
        workbook = open_workbook(content)
    except WorkbookRefused as exc:
        raise ImportRefused(str(exc)) from None
    try:
        return importer.plan(workbook, scope=scope_for(user))
    except WorkbookRefused as exc:  # a sheet past the row limit, found while streaming it
        raise ImportRefused(str(exc)) from None
    finally:
        workbook.close()


def _canonical(value: Any) -> Any:
    """Plain data that is the same in every process (for the plan's digest)."""
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda i: str(i[0]))}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(str(_canonical(v)) for v in value)
    if isinstance(value, models.Model):
        return f"{value._meta.label}:{value.pk}"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def plan_digest(plan: ImportPlan) -> str:
    rows = [
        [c.sheet, c.row, c.key, c.label, c.action, _canonical(c.changes), _canonical(c.data)]
        for c in plan.changes
    ]
    text = json.dumps(rows, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


def preview_of(plan: ImportPlan) -> dict[str, Any]:
    """What the preview page shows, as stored with the batch (bounded in size)."""
    changed = [c for c in plan.changes if c.action != "无变化"]
    return {
        "counts": plan.counts(),
        "rows": len(plan.changes),
        "errors": [str(e) for e in plan.errors[:ERRORS_SHOWN]],
        "error_total": len(plan.errors),
        "changed": [
            {
                "sheet": c.sheet,
                "row": c.row,
                "key": str(c.key),
                "label": str(c.label),
                "action": c.action,
                "changes": {str(k): [_shown(a), _shown(b)] for k, (a, b) in c.changes.items()},
            }
            for c in changed[:CHANGES_SHOWN]
        ],
        "more": max(0, len(changed) - CHANGES_SHOWN),
        "digest": plan_digest(plan),
    }


def import_preview(
    *, kind: str, filename: str, content: bytes, user: User, context: dict[str, str] | None = None
) -> tuple[ImportBatch, ImportPlan]:
    """Keep the upload with what it would change. Nothing else is written."""
    importer = importer_for(kind, user, context)
    if len(content) > settings.IMPORT_MAX_BYTES:
        raise ImportRefused(f"文件过大(上限{settings.IMPORT_MAX_BYTES // (1024 * 1024)}MB)")
    if not filename.lower().endswith(".xlsx"):
        raise ImportRefused("请上传.xlsx格式的Excel文件")
    plan = _plan(importer, content, user)
    batch = ImportBatch.objects.create(
        kind=kind,
        filename=filename[:200],
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        created_by=user,
        context=importer.context,
        summary={"counts": plan.counts(), "errors": len(plan.errors)},
        plan=preview_of(plan),
    )
    return batch, plan


@transaction.atomic
def import_commit(*, batch_id: int, user: User) -> ImportPlan:
    """Apply a previewed upload all-or-nothing, only if it would still do what was shown."""
    batch = ImportBatch.objects.select_for_update().filter(pk=batch_id, created_by=user).first()
    if batch is None:
        raise ImportRefused("导入记录不存在")
    if batch.status != ImportStatus.PREVIEWED:
        raise ImportRefused(f"该文件{batch.get_status_display()},不能再次导入")
    shown = batch.plan
    if not shown:  # uploaded before plans were stored
        raise ImportRefused("该预览已失效,请重新上传文件")
    if shown.get("error_total"):
        raise ImportRefused(f"文件有{shown['error_total']}处错误,未导入任何内容")
    if not shown.get("rows"):
        raise ImportRefused("文件中没有可导入的数据行,未导入任何内容")
    importer = importer_for(batch.kind, user, batch.context)
    plan = _plan(importer, bytes(batch.content), user)
    if not plan.ok:
        raise ImportRefused(f"文件有{len(plan.errors)}处错误,未导入任何内容")
    if plan_digest(plan) != shown.get("digest"):
        raise ImportRefused("预览之后相关数据已有变化,请重新上传并核对预览,未导入任何内容")
    importer.apply(plan, actor=user)
    batch.status = ImportStatus.COMMITTED
    batch.committed_at = timezone.now()
    batch.summary = {"counts": plan.counts(), "errors": 0}
    batch.save(update_fields=["status", "committed_at", "summary"])
    audit_record(actor=user, action="import.commit", obj=batch, new=str(plan.counts()))
    return plan
