"""Preview and commit of uploaded sheets (see :mod:`wenming.imports.base`)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from wenming.accounts.scope import scope_for
from wenming.audit.services import audit_record
from wenming.core.errors import ActionRefused
from wenming.imports.base import REGISTRY, CellError, Importer, ImportPlan, open_workbook
from wenming.imports.models import ImportBatch, ImportStatus


class ImportRefused(ActionRefused):
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
    workbook = open_workbook(content)
    if workbook is None:
        return ImportPlan(
            errors=[CellError("", 0, 0, "", "无法读取该文件,请上传.xlsx格式的Excel工作簿")]
        )
    try:
        return importer.plan(workbook, scope=scope_for(user))
    finally:
        workbook.close()


def import_preview(
    *, kind: str, filename: str, content: bytes, user: User, context: dict[str, str] | None = None
) -> tuple[ImportBatch, ImportPlan]:
    """Keep the upload and return what it would change. Nothing else is written."""
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
    )
    return batch, plan


def import_plan_of(batch: ImportBatch, user: User) -> ImportPlan:
    """Re-read a kept upload against the current data (for showing the preview again)."""
    return _plan(importer_for(batch.kind, user, batch.context), bytes(batch.content), user)


@transaction.atomic
def import_commit(*, batch_id: int, user: User) -> ImportPlan:
    """Apply a previewed upload all-or-nothing; refuse if anything is wrong now."""
    batch = ImportBatch.objects.select_for_update().filter(pk=batch_id, created_by=user).first()
    if batch is None:
        raise ImportRefused("导入记录不存在")
    if batch.status != ImportStatus.PREVIEWED:
        raise ImportRefused(f"该文件{batch.get_status_display()},不能再次导入")
    importer = importer_for(batch.kind, user, batch.context)
    plan = _plan(importer, bytes(batch.content), user)
    if not plan.ok:
        raise ImportRefused(f"文件有{len(plan.errors)}处错误,未导入任何内容")
    importer.apply(plan, actor=user)
    batch.status = ImportStatus.COMMITTED
    batch.committed_at = timezone.now()
    batch.summary = {"counts": plan.counts(), "errors": 0}
    batch.save(update_fields=["status", "committed_at", "summary"])
    audit_record(actor=user, action="import.commit", obj=batch, new=str(plan.counts()))
    return plan
