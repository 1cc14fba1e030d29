"""Photos of the ledger in the material review: a photo reused for several activities, taken
from another unit, or from an earlier year (perceptual hash, ``wenming.core.photomatch``), and a
photo whose camera date lies far from the activity's day."""

from __future__ import annotations

from typing import Any

from wenming.attachments.models import Attachment
from wenming.attachments.services import content_path
from wenming.campaigns.models import Application
from wenming.core.photomatch import PhotoIndex, photo_print, signed
from wenming.ledger.models import Activity
from wenming.review.models import PhotoHash

EXIF_DAYS = 30  # a camera date further than this from the activity's day is marked
MAX_BYTES = 30 * 1024 * 1024


def photos_hash(unit_ids: set[int] | None = None) -> int:
    """Hash the ledger photos not hashed yet (of these units, or all); returns how many."""
    label = Activity._meta.label_lower
    photos = (
        Attachment.objects.filter(owner_type=label, file__kind="image")
        .exclude(pk__in=PhotoHash.objects.values("attachment_id"))
        .select_related("file", "unit")
    )
    if unit_ids is not None:
        photos = photos.filter(unit_id__in=unit_ids)
    photos_list = list(photos)
    activities = Activity.objects.in_bulk(
        {int(a.owner_id) for a in photos_list if a.owner_id.isdigit()}
    )
    rows = []
    for attachment in photos_list:
        activity = (
            activities.get(int(attachment.owner_id)) if attachment.owner_id.isdigit() else None
        )
        path = content_path(attachment.file.sha256)
        if activity is None or attachment.file.size > MAX_BYTES or not path.exists():
            continue
        found = photo_print(path.read_bytes())
        if found is None:
            continue
        rows.append(
            PhotoHash(
                attachment=attachment,
                unit_id=activity.unit_id,
                region_path=attachment.unit.region_path,
                activity=activity,
                day=activity.day,
                hash=signed(found.hash),
                taken=found.taken,
            )
        )
    PhotoHash.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def photo_findings(application: Application) -> list[dict[str, Any]]:
    """What the review marks in the unit's photos of the campaign's year and before: each
    (photo, matching photo, kind) with kind ``reused`` (another activity of the unit),
    ``foreign`` (another unit), ``earlier`` (an activity of an earlier year); and ``exif``
    for a camera date far from the activity's day."""
    photos_hash()  # new photos of every unit (a photo taken from another unit is found too)
    everything = list(
        PhotoHash.objects.values_list(
            "pk", "hash", "unit_id", "activity_id", "day", "attachment_id"
        )
    )
    if not everything:
        return []
    index = PhotoIndex([row[1] for row in everything], [row[0] for row in everything])
    by_pk = {row[0]: row for row in everything}
    mine = PhotoHash.objects.filter(
        unit_id=application.unit_id, day__year__lte=application.campaign.year
    ).values_list("pk", "hash", "activity_id", "day", "attachment_id", "taken")
    findings: list[dict[str, Any]] = []
    seen: set[tuple[int, int]] = set()
    for pk, value, activity_id, day, attachment_id, taken in mine:
        if taken is not None and abs((taken - day).days) > EXIF_DAYS:
            findings.append(
                {
                    "kind": "exif",
                    "photo": attachment_id,
                    "day": day.isoformat(),
                    "taken": taken.isoformat(),
                }
            )
        for other_pk, bits in index.near(value):
            if other_pk == pk:
                continue
            _, _, unit_id, other_activity, other_day, other_attachment = by_pk[other_pk]
            if unit_id != application.unit_id:
                kind = "foreign"
            elif other_day.year < day.year:
                kind = "earlier"
            elif other_activity != activity_id:
                kind = "reused"
            else:
                continue  # the same photo twice in one activity
            key = (min(attachment_id, other_attachment), max(attachment_id, other_attachment))
            if key in seen:
                continue
            seen.add(key)
            findings.append(
                {
                    "kind": kind,
                    "photo": attachment_id,
                    "other": other_attachment,
                    "other_unit": unit_id,
                    "day": day.isoformat(),
                    "other_day": other_day.isoformat(),
                    "distance": bits,
                }
            )
    return findings
