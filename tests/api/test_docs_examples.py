"""The three worked examples of docs/api.md, run as printed against a live server."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from wenming.api.tokens import token_create
from wenming.citizen.models import CitizenReport, ReportCategory
from wenming.organizations.models import Unit

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
EXAMPLES = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def run_example(number: int, live_server, secret: str, **more: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(EXAMPLES[number], {"BASE": live_server.url, "TOKEN": secret, **more})
    return out.getvalue()


def service_token(world, scopes):
    return token_create(
        actor=world.people.city_office,
        name="对接",
        kind="service",
        scopes=scopes,
        days=30,
        region_id=world.east.pk,
    ).secret


@pytest.mark.django_db(transaction=True)
def test_the_three_examples_run_as_printed(live_server, world, onsite, settings):
    assert len(EXAMPLES) == 3
    settings.API_REQUESTS_PER_MINUTE = 10_000

    printed = run_example(0, live_server, service_token(world, ["units:write"]))
    assert printed.startswith("新增 1 更新 0 无变化 0")
    assert Unit.objects.get(credit_code="12420102000000019T").headcount == 35

    printed = run_example(
        1, live_server, service_token(world, ["dashboards:read", "campaigns:read"])
    )
    assert onsite.campaign.name in printed and "家单位" in printed

    ReportCategory.objects.create(
        region=world.east, region_path=world.east.path, name="校园周边环境", unit=world.s1
    )
    secret = service_token(world, ["problems:write"])
    printed = run_example(2, live_server, secret, CATEGORY="校园周边环境")
    assert printed.startswith("已受理 ") and "open 已收到,待受理" in printed
    report = CitizenReport.objects.get(channel="open311")
    assert report.reference in printed and report.contact_name == "王五"
    assert report.problem is not None and report.problem.unit == world.s1
    assert report.problem.source == "complaint"
