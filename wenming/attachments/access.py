"""Who may fetch a file: whoever may see the unit it belongs to (built on the scope)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from wenming.accounts.scope import scope_for, scoped_get
from wenming.attachments.models import Attachment


def attachments_visible_to(user: User | AnonymousUser) -> QuerySet[Attachment]:
    """Files of the units the person may see (an expert: also of their assigned units)."""
    return Attachment.objects.filter(scope_for(user).via_unit_q())


def attachment_get_for_user(user: User | AnonymousUser, pk: int) -> Attachment:
    """The file if the person may see its unit; otherwise 404 (never reveal that it exists)."""
    return scoped_get(
        attachments_visible_to(user).select_related("file"), pk, missing="文件不存在或无权查看"
    )
