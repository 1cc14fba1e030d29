"""Stored framework editions: import, re-import, and immutability once used."""

from __future__ import annotations

import pytest

from tests.conftest import DATA
from wenming.audit.models import AuditEvent
from wenming.core.formats import framework_from_yaml
from wenming.frameworks.models import FrameworkEdition
from wenming.frameworks.selectors import engine_of, framework_edition_get, framework_of
from wenming.frameworks.services import FrameworkLocked, framework_import, framework_mark_used

pytestmark = pytest.mark.django_db
MINI = (DATA / "mini.yaml").read_text(encoding="utf-8")


def test_import_stores_the_canonical_yaml_and_audits(mini):
    edition, what = framework_import(framework=mini)
    assert what == "created"
    assert edition.key == "mini@2026" and edition.leaf_count == 5
    assert framework_of(edition) == mini
    assert engine_of(edition).total_max == 10000
    assert (
        AuditEvent.objects.filter(action="framework.import", object_id=str(edition.pk)).count() == 1
    )


def test_reimporting_the_same_content_changes_nothing(mini):
    framework_import(framework=mini)
    _, what = framework_import(framework=mini)
    assert what == "unchanged"
    assert FrameworkEdition.objects.count() == 1


def test_unused_edition_can_be_replaced(mini):
    framework_import(framework=mini)
    changed = framework_from_yaml(MINI.replace("name: 迷你框架", "name: 迷你框架(修订)"))
    edition, what = framework_import(framework=changed)
    assert what == "updated" and edition.name == "迷你框架(修订)"
    assert AuditEvent.objects.filter(action="framework.replace").count() == 1


def test_edition_is_immutable_once_scored_with(mini):
    edition, _ = framework_import(framework=mini)
    framework_mark_used(edition=edition)
    changed = framework_from_yaml(MINI.replace("name: 迷你框架", "name: 迷你框架(修订)"))
    with pytest.raises(FrameworkLocked, match="已用于评分,内容不能再修改"):
        framework_import(framework=changed)
    edition.refresh_from_db()
    assert edition.name == "迷你框架"
    # a new edition is a new version, and the old one keeps its content
    new = framework_from_yaml(
        MINI.replace('edition: "2026"', 'edition: "2027"').replace(
            "name: 迷你框架", "name: 迷你框架(修订)"
        )
    )
    newer, what = framework_import(framework=new)
    assert what == "created" and newer.pk != edition.pk
    assert framework_edition_get(key="mini").edition == "2027"
    assert framework_edition_get(key="mini@2026").name == "迷你框架"
