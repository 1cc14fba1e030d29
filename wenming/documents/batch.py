"""Self-inspection reports for many units as one background job producing a ZIP.

A unit whose report cannot be built is listed in 失败清单.txt inside the ZIP and on the job
page (``job.params["failures"]``); the other reports are kept.
"""

from __future__ import annotations

import logging
import os
import tempfile
import zipfile
from pathlib import Path

from django.utils import timezone

from wenming.attachments.services import safe_name
from wenming.documents.docx_writer import render_docx
from wenming.documents.models import SelfInspectionReport
from wenming.documents.report import document_of, draft_sections, report_title
from wenming.documents.selectors import report_document
from wenming.frameworks.models import FrameworkEdition
from wenming.jobs.models import Job
from wenming.jobs.services import Progress, register_job, result_dir
from wenming.organizations.models import Unit

logger = logging.getLogger(__name__)
FAILURES = "失败清单.txt"


def report_docx(unit: Unit, edition: FrameworkEdition) -> bytes:
    """The unit's edited report if it has one, else a fresh draft from its data."""
    stored = SelfInspectionReport.objects.filter(unit=unit, edition=edition).first()
    if stored is not None:
        return render_docx(report_document(stored))
    sections = draft_sections(unit, edition, timezone.localdate())
    return render_docx(document_of(report_title(unit, edition), sections))


@register_job("reports")
def build_reports(job: Job, progress: Progress) -> Path:
    edition = FrameworkEdition.objects.get(pk=job.params["edition"])
    ids = [int(i) for i in job.params["units"]]
    units = {
        u.pk: u
        for u in Unit.objects.filter(pk__in=ids).select_related("unit_type", "region", "supervisor")
    }
    descriptor, target = tempfile.mkstemp(dir=result_dir(), suffix=".zip")
    os.close(descriptor)
    failures: list[str] = []
    names: set[str] = set()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, pk in enumerate(ids, start=1):
            unit = units.get(pk)
            label = unit.name if unit else f"单位{pk}"
            try:
                if unit is None:
                    raise LookupError("单位不存在")
                content = report_docx(unit, edition)
            except Exception as exc:  # one unit's failure must not lose the others
                logger.exception("report for unit %s failed", pk)
                failures.append(f"{label}:{exc or type(exc).__name__}")
            else:
                name = safe_name(f"{label}自查报告.docx")
                if name in names:
                    name = safe_name(f"{label}({pk})自查报告.docx")
                names.add(name)
                archive.writestr(name, content)
            if done % 10 == 0 or done == len(ids):
                progress(done, len(ids), f"已生成{done - len(failures)}份")
        if failures:
            archive.writestr(
                FAILURES,
                f"以下{len(failures)}个单位的自查报告生成失败,其余已生成:\n" + "\n".join(failures),
            )
    params = {**job.params, "failures": failures}
    Job.objects.filter(pk=job.pk).update(
        result_name=f"自查报告{timezone.localdate():%Y%m%d}.zip", params=params
    )
    return Path(target)
