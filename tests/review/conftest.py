from __future__ import annotations

from typing import Any

from django.utils import timezone

from tests.assessments.conftest import standard  # noqa: F401
from tests.campaigns.conftest import campaign, submitted_assessment  # noqa: F401
from tests.core.copycheck.texts import TEMPLATES
from tests.factories import UnitFactory, person
from wenming.accounts.models import Role
from wenming.campaigns.services import application_prepare, application_sign, application_submit
from wenming.documents.models import ReportSection, SelfInspectionReport
from wenming.review.services import library_upload


def library(world: Any) -> None:
    library_upload(
        actor=world.people.east_office,
        files=[(f"{name}.txt", text.encode("utf-8")) for name, text in TEMPLATES.items()],
    )


def report(unit: Any, edition: Any, *sections: str) -> SelfInspectionReport:
    row = SelfInspectionReport.objects.create(
        unit=unit, edition=edition, title=f"{unit.name}自查报告", generated_at=timezone.now()
    )
    for position, text in enumerate(sections, start=1):
        ReportSection.objects.create(
            report=row, position=position, heading=f"第{position}部分", text=text
        )
    return row


def submitted(world: Any, campaign: Any, unit: Any = None) -> Any:  # noqa: F811
    unit = unit or world.s1
    if unit == world.s1:
        filler, admin, head = world.people.filler, world.people.unit_admin, world.people.head
    else:
        filler = person(f"filler{unit.pk}", Role.UNIT_FILLER, unit=unit)
        admin = person(f"admin{unit.pk}", Role.UNIT_ADMIN, unit=unit)
        head = person(f"head{unit.pk}", Role.UNIT_HEAD, unit=unit)
    submitted_assessment(world, campaign.edition, unit=unit, filler=filler, admin=admin)
    application = application_prepare(actor=admin, campaign=campaign, unit=unit)
    application_sign(actor=head, application=application, role="head")
    return application_submit(
        actor=admin, application_id=application.pk, version=application.version
    )


def peer_school(world: Any) -> Any:
    """A second primary school of the district, under the same bureau."""
    return UnitFactory.create(
        name="江东区第二小学",
        unit_type=world.types.school,
        region=world.east,
        supervisor=world.bureau,
        stage="小学",
        enrolment_primary=world.s1.enrolment_primary or 600,
    )
