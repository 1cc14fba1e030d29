"""Reads of stored framework editions."""

from __future__ import annotations

from functools import lru_cache

from django.db.models import QuerySet

from wenming.core.engine import Engine
from wenming.core.formats import framework_from_yaml
from wenming.core.framework import Framework
from wenming.frameworks.models import FrameworkEdition


def framework_edition_list() -> QuerySet[FrameworkEdition]:
    return FrameworkEdition.objects.defer("source").order_by("campaign_type", "code", "-edition")


def framework_edition_get(*, key: str) -> FrameworkEdition:
    """Look up ``code@edition``; raises FrameworkEdition.DoesNotExist."""
    code, _, edition = key.partition("@")
    qs = FrameworkEdition.objects.filter(code=code)
    if edition:
        return qs.get(edition=edition)
    found = qs.order_by("-edition").first()
    if found is None:
        raise FrameworkEdition.DoesNotExist(key)
    return found


@lru_cache(maxsize=64)
def _parsed(sha256: str, source: str) -> tuple[Framework, Engine]:
    framework = framework_from_yaml(source)
    return framework, Engine(framework)


def framework_of(edition: FrameworkEdition) -> Framework:
    return _parsed(edition.sha256, edition.source)[0]


def engine_of(edition: FrameworkEdition) -> Engine:
    """The compiled engine for a stored edition, cached by content hash."""
    return _parsed(edition.sha256, edition.source)[1]
