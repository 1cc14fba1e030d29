"""The three worked examples of docs/api.md, run as printed against a live server."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from wenming.api.tokens import token_create
from wenming.organizations.models import Unit
from wenming.rectification.models import Problem

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

    secret = service_token(world, ["units:read", "problems:write"])
    printed = run_example(2, live_server, secret, CREDIT_CODE=world.s1.credit_code)
    assert "已登记" in printed
    problem = Problem.objects.get(title="校门口占道经营")
    assert problem.unit == world.s1 and problem.source == "complaint"
