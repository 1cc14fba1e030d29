"""Writes to stored framework editions: import and marking as used."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone

from wenming.audit.services import audit_record
from wenming.core.formats import framework_to_yaml
from wenming.core.framework import Framework
from wenming.frameworks.models import FrameworkEdition

EDITION_LOCKED = "框架“{name}”的{edition}版已用于评分,内容不能再修改;请改用新的版本号导入"

Actor = User | AnonymousUser | None


class FrameworkLocked(Exception):
    pass


@transaction.atomic
def framework_import(*, framework: Framework, actor: Actor = None) -> tuple[FrameworkEdition, str]:
    """Store an edition. Returns it and what happened: "created", "updated" or "unchanged".

    Re-importing the same content is a no-op; changed content replaces an edition only while
    nothing has been scored with it.
    """
    source = framework_to_yaml(framework)
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    fields = {
        "name": framework.name,
        "campaign_type": framework.campaign_type,
        "unit_types": list(framework.unit_types),
        "notice": framework.notice,
        "total": framework.total,
        "leaf_count": sum(1 for _ in framework.leaves(bonus=False)),
        "source": source,
        "sha256": digest,
    }
    existing = (
        FrameworkEdition.objects.select_for_update()
        .filter(code=framework.id, edition=framework.edition)
        .first()
    )
    if existing is None:
        edition = FrameworkEdition.objects.create(
            code=framework.id, edition=framework.edition, imported_by=_user(actor), **fields
        )
        audit_record(actor=actor, action="framework.import", obj=edition, new=digest)
        return edition, "created"
    if existing.sha256 == digest:
        return existing, "unchanged"
    if existing.is_locked:
        raise FrameworkLocked(EDITION_LOCKED.format(name=existing.name, edition=existing.edition))
    old = existing.sha256
    for name, value in fields.items():
        setattr(existing, name, value)
    existing.save()
    audit_record(
        actor=actor, action="framework.replace", obj=existing, field="sha256", old=old, new=digest
    )
    return existing, "updated"


def framework_mark_used(*, edition: FrameworkEdition) -> None:
    """Record that something was scored with ``edition``; from then on it is immutable."""
    FrameworkEdition.objects.filter(pk=edition.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    edition.refresh_from_db(fields=["used_at"])


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None
