"""Electronic sign-off (签字盖章): a SHA-256 over a canonical JSON of exactly what was signed.

The content is the application's self-assessment (every item's value and reason, the totals)
and the hashes of the evidence files linked to the framework's indicators. If any of it
changes after signing, the digest no longer matches and the signature does not count.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from wenming.attachments.models import Attachment
from wenming.campaigns.models import Application, Signature
from wenming.ledger.models import ActivityIndicator


def signed_content(application: Application) -> dict[str, Any]:
    assessment = application.assessment
    entries = sorted(
        assessment.entries.values_list("code", "kind", "value", "reason", "event_date"),
        key=lambda e: (e[0], e[1]),
    )
    activity_ids = ActivityIndicator.objects.filter(
        unit_id=application.unit_id, edition_id=assessment.edition_id
    ).values("activity_id")
    files = sorted(
        Attachment.objects.filter(
            unit_id=application.unit_id,
            owner_type="ledger.activity",
            owner_id__in=[str(a["activity_id"]) for a in activity_ids],
        ).values_list("file__sha256", flat=True)
    )
    return {
        "campaign": application.campaign_id,
        "unit": application.unit.credit_code,
        "framework": [assessment.edition.code, assessment.edition.edition],
        "assessment": {"id": assessment.pk, "revision": assessment.revision},
        "items": [
            [code, kind, value, reason, day.isoformat() if day else None]
            for code, kind, value, reason, day in entries
        ],
        "total_centi": assessment.total_centi,
        "grade": assessment.grade,
        "vetoed": assessment.vetoed,
        "files": files,
    }


def canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def digest_of(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


def signature_valid(signature: Signature, current_digest: str) -> bool:
    return signature.digest == current_digest


def signature_state(application: Application) -> dict[str, Any]:
    """For each role: the latest signature and whether it still counts."""
    current = digest_of(signed_content(application))
    out: dict[str, Any] = {"digest": current}
    for signature in application.signatures.select_related("signer"):
        if signature.role not in out:
            out[signature.role] = {
                "signature": signature,
                "valid": signature_valid(signature, current),
            }
    return out
