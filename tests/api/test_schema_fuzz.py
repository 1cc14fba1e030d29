"""schemathesis runs the whole schema against the product (served in-process through its WSGI
application): for every operation a fixed, small number of generated requests, each answered
without a server error and as the schema says (status, content type, body)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from wenming.api.tokens import AREAS, token_create
from wenming.assessments.services import self_assessment_start
from wenming.citizen.models import ReportCategory
from wenming.rectification.services import problem_create

EXAMPLES = 8  # per operation: keeps the whole run within its CI budget

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(world, standard, settings):
    settings.API_REQUESTS_PER_MINUTE = 100_000
    self_assessment_start(actor=world.people.filler, unit=world.s1, edition=standard)
    problem_create(actor=world.people.east_office, unit=world.s1, source="patrol", title="破损")
    ReportCategory.objects.create(
        region=world.east, region_path=world.east.path, name="环境卫生", unit=world.s1
    )
    # the WSGI handler closes the database connection after each request; the test's
    # transaction must stay open (Django's test client does the same)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_operation_answers_as_its_schema_says(world, api_schema):
    # a service token of the east district: every operation answers it, Open311's included
    secret = token_create(
        actor=world.people.east_office,
        name="模糊测试",
        kind="service",
        scopes=[f"{area}:write" for area in AREAS],
        days=1,
        region_id=world.east.pk,
    ).secret
    headers = {"Authorization": f"Bearer {secret}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
        )
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()
