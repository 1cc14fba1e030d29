"""Reads of stored framework editions."""

from __future__ import annotations

import threading
from collections import OrderedDict

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


_COMPILED: OrderedDict[str, tuple[Framework, Engine]] = OrderedDict()
_COMPILED_MAX = 64
_LOCK = threading.Lock()


def _compiled(edition: FrameworkEdition) -> tuple[Framework, Engine]:
    """Parsed and compiled once per process, keyed by the content's SHA-256 alone: the text
    (often large) is read only on a miss, so lists may load editions with ``source`` deferred
    (``defer("edition__source")``) and still score."""
    with _LOCK:
        hit = _COMPILED.get(edition.sha256)
        if hit is not None:
            _COMPILED.move_to_end(edition.sha256)
            return hit
    framework = framework_from_yaml(edition.source)
    compiled = (framework, Engine(framework))
    with _LOCK:
        _COMPILED[edition.sha256] = compiled
        while len(_COMPILED) > _COMPILED_MAX:
            _COMPILED.popitem(last=False)
    return compiled


def framework_of(edition: FrameworkEdition) -> Framework:
    return _compiled(edition)[0]


def engine_of(edition: FrameworkEdition) -> Engine:
    """The compiled engine for a stored edition, cached by content hash."""
    return _compiled(edition)[1]
