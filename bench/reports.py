"""1,000 self-inspection reports: documents per second per core, against plain python-docx.

Loads 1,000 schools (departments, 12 ledger activities each linked to indicators, an open task)
into a fresh database, then times, in one process (one core):

- the product: each unit's draft from its data (database reads, evidence, figures) and its
  .docx through the document engine;
- the floor: plain python-docx writing a document with the same paragraphs, unformatted.

    .venv/bin/python bench/reports.py [--database sqlite|postgres] [--units 1000]
"""

from __future__ import annotations

import argparse
import io
import time
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from common import fresh_django

if TYPE_CHECKING:  # imported at run time only after fresh_django() has set Django up
    from wenming.frameworks.models import FrameworkEdition


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--units", type=int, default=1000)
    args = parser.parse_args()
    fresh_django(args.database, "wenming_bench_reports")

    from django.contrib.auth.models import User
    from docx import Document as new_document

    from wenming.core.credit_code import make_credit_code
    from wenming.core.formats import framework_load
    from wenming.documents.docx_writer import render_docx
    from wenming.documents.report import document_of, draft_sections, report_title
    from wenming.frameworks.services import framework_import
    from wenming.ledger.models import (
        Activity,
        ActivityIndicator,
        ActivityType,
        IndicatorAssignment,
    )
    from wenming.organizations.models import Department, Region, RegionLevel, Unit, UnitType

    root = Path(__file__).resolve().parent.parent
    edition = framework_import(
        framework=framework_load(root / "wenming/library/school-standard.yaml")
    )[0]
    leaves = [c for c in edition_codes(edition)][:12]
    city = Region.objects.create(name="江城市", code="420100", level=RegionLevel.CITY, path="/")
    city.path = f"/{city.pk}/"
    city.save()
    school = UnitType.objects.create(name="学校", is_school=True)
    user = User.objects.create(username="bench")
    kind = ActivityType.objects.get_or_create(name="理论学习")[0]
    units = Unit.objects.bulk_create(
        Unit(
            name=f"江城市第{i}小学",
            credit_code=make_credit_code(serial=i + 1),
            unit_type=school,
            region=city,
            region_path=city.path,
            headcount=60 + i % 40,
            party_members=20 + i % 10,
            stage="小学",
            enrolment_primary=800,
        )
        for i in range(args.units)
    )
    Department.objects.bulk_create(
        Department(unit=u, name=name) for u in units for name in ("办公室", "教务处", "总务处")
    )
    day0 = date(2026, 1, 5)
    activities = Activity.objects.bulk_create(
        Activity(
            unit=u,
            activity_type=kind,
            title=f"主题活动{j + 1}",
            day=day0 + timedelta(days=7 * j),
            participants=30 + j,
            created_by=user,
        )
        for u in units
        for j in range(12)
    )
    ActivityIndicator.objects.bulk_create(
        ActivityIndicator(
            activity=a, edition=edition, code=leaves[k % len(leaves)], unit_id=a.unit_id
        )
        for k, a in enumerate(activities)
    )
    IndicatorAssignment.objects.bulk_create(
        IndicatorAssignment(
            unit=u, edition=edition, code=leaves[0], person="王敏", deadline=date(2026, 12, 31)
        )
        for u in units
    )
    as_of = date(2026, 6, 1)
    units = list(Unit.objects.select_related("unit_type", "region", "supervisor").order_by("id"))

    texts = []
    started = time.perf_counter()
    size = 0
    for unit in units:
        sections = draft_sections(unit, edition, as_of)
        content = render_docx(document_of(report_title(unit, edition), sections))
        size += len(content)
        texts.append((report_title(unit, edition), sections))
    product = time.perf_counter() - started

    started = time.perf_counter()
    for title, sections in texts:
        doc = new_document()
        doc.add_paragraph(title)
        for heading, text in sections:
            doc.add_paragraph(heading)
            for line in text.splitlines():
                doc.add_paragraph(line)
        out = io.BytesIO()
        doc.save(out)
    floor = time.perf_counter() - started

    n = len(units)
    print(f"database: {args.database}, {n} self-inspection reports, one core")
    print(
        f"product (data + draft + .docx): {product:.1f} s = {n / product:.1f} documents/s, average {size / n / 1024:.0f} KB"
    )
    print(
        f"floor (plain python-docx, same paragraphs): {floor:.1f} s = {n / floor:.1f} documents/s"
    )
    print(
        f"product / floor: {floor / product:.2f}x the floor's rate; goal ≥ 20 documents/s per core"
    )


def edition_codes(edition: FrameworkEdition) -> list[str]:
    from wenming.frameworks.selectors import framework_of

    return [n.code for n in framework_of(edition).leaves(bonus=False)]


if __name__ == "__main__":
    main()
