"""Audit pages name the changed field in Chinese, never by its internal name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from wenming.audit.services import audit_record, field_label

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("object_type", "field", "label"),
    [
        ("assessments.selfassessment", "V1.value", "V1 填报值"),
        ("assessments.selfassessment", "B2.3.note", "B2.3 说明"),
        ("assessments.selfassessment", "status", "状态"),
        ("organizations.unit", "name", "单位名称"),
        ("organizations.unit", "headcount", "职工人数"),
        ("organizations.unit", "supervisor", "主管部门"),
        ("frameworks.frameworkedition", "sha256", "文件校验值(SHA-256)"),
        ("draws.draw", "digest", "SHA-256 摘要"),
        ("rectification.problem", "state", "状态"),
        ("organizations.unit", "人数", "人数"),  # already Chinese: kept as recorded
        ("no.such", "", ""),
    ],
)
def test_recorded_fields_read_in_chinese(object_type, field, label):
    assert field_label(object_type, field) == label


def test_the_audit_page_shows_the_chinese_field_name(client, world):
    audit_record(
        actor=world.people.east_office,
        action="unit.update",
        obj=world.s1,
        field="headcount",
        old=10,
        new=12,
    )
    client.force_login(world.people.east_office)
    html = client.get(reverse("audit:list")).content.decode()
    assert "<td>职工人数</td>" in html
    assert "<td>headcount</td>" not in html
