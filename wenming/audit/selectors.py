"""Reads of the audit trail, limited to what the person may see."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from wenming.accounts.models import Role
from wenming.accounts.scope import scope_for, units_visible_to
from wenming.assessments.access import assessments_visible_to
from wenming.audit.models import AuditEvent


def audit_events_visible_to(user: User | AnonymousUser) -> QuerySet[AuditEvent]:
    """Administrators see everything; offices see the trail of units and self-assessments
    in their region; nobody else browses the whole trail (each object page shows its own)."""
    scope = scope_for(user)
    events = AuditEvent.objects.select_related("actor")
    if scope.is_admin:
        return events
    if Role.OFFICE not in scope.roles:
        return events.none()
    unit_ids = units_visible_to(user).annotate(key=Cast("pk", CharField())).values("key")
    assessment_ids = (
        assessments_visible_to(user).annotate(key=Cast("pk", CharField())).values("key")
    )
    return events.filter(
        Q(object_type="organizations.unit", object_id__in=unit_ids)
        | Q(object_type="assessments.selfassessment", object_id__in=assessment_ids)
    )
