"""Documents in batch as background jobs producing a ZIP: self-inspection reports here,
a campaign's certificates and score sheets in :mod:`wenming.documents.campaign_batch`.

A document that cannot be built is listed in 失败清单.txt inside the ZIP and on the job page
(``job.params["failures"]``); the other documents are kept.
"""

from __future__ import annotations

import logging
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from django.utils import timezone

from wenming.accounts.scope import units_visible_to
from wenming.attachments.services import safe_name
from wenming.documents.docx_writer import render_docx
from wenming.documents.selectors import export_document
from wenming.frameworks.models import FrameworkEdition
from wenming.jobs.models import Job
from wenming.jobs.services import Progress, register_job, result_dir
from wenming.organizations.models import Unit

logger = logging.getLogger(__name__)
FAILURES = "失败清单.txt"


def report_docx(unit: Unit, edition: FrameworkEdition) -> bytes:
    """The unit's edited report if it has one, else a fresh draft from its data (signed off)."""
    return render_docx(export_document(unit, edition))


Build = Callable[[], tuple[str, bytes]]  # → (file name in the ZIP, content)


def zip_each(
    job: Job,
    progress: Progress,
    items: list[tuple[str, Build]],
    *,
    what: str,
    result_name: str,
) -> Path:
    """Build every item into one ZIP. An item that raises is listed (label:reason) in
    失败清单.txt and in ``job.params["failures"]``; the others are kept."""
    descriptor, target = tempfile.mkstemp(dir=result_dir(), suffix=".zip")
    os.close(descriptor)
    failures: list[str] = []
    names: set[str] = set()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, (label, build) in enumerate(items, start=1):
            try:
                name, content = build()
            except Exception as exc:  # one document's failure must not lose the others
                logger.exception("%s for %s failed", what, label)
                failures.append(f"{label}:{exc or type(exc).__name__}")
            else:
                name = safe_name(name)
                if name in names:
                    stem, dot, ext = name.rpartition(".")
                    name = safe_name(f"{stem}({done}){dot}{ext}")
                names.add(name)
                archive.writestr(name, content)
            if done % 10 == 0 or done == len(items):
                progress(done, len(items), f"已生成{done - len(failures)}份")
        if failures:
            archive.writestr(
                FAILURES,
                f"以下{len(failures)}份{what}生成失败,其余已生成:\n" + "\n".join(failures),
            )
    params = {**job.params, "failures": failures}
    Job.objects.filter(pk=job.pk).update(result_name=result_name, params=params)
    return Path(target)


@register_job("reports")
def build_reports(job: Job, progress: Progress) -> Path:
    edition = FrameworkEdition.objects.get(pk=job.params["edition"])
    ids = [int(i) for i in job.params["units"]]
    units = {
        u.pk: u
        # asked again as the owner when the job runs: a unit that has left their scope since
        # is listed in 失败清单.txt as missing
        for u in units_visible_to(job.owner)
        .filter(pk__in=ids)
        .select_related("unit_type", "region", "supervisor")
    }

    def build(pk: int) -> Build:
        def run() -> tuple[str, bytes]:
            unit = units.get(pk)
            if unit is None:
                raise LookupError("单位不存在")
            return f"{unit.name}自查报告.docx", report_docx(unit, edition)

        return run

    items = [(units[pk].name if pk in units else f"单位{pk}", build(pk)) for pk in ids]
    return zip_each(
        job,
        progress,
        items,
        what="自查报告",
        result_name=f"自查报告{timezone.localdate():%Y%m%d}.zip",
    )
