"""Scoring on site: entries from experts' phones, synchronised idempotently, and their photos.

Each entry carries the id the browser made when the item was first typed. The server stores by
(expert, client id) — a unique constraint — so an entry sent twice (a lost answer, a second
tab, a retry after the connection came back) updates one row and never adds another. An older
copy arriving after a newer one changes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import IO, Any, cast

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from wenming.assessments.inputs import COUNT_STYLES, counts_from_mapping
from wenming.assessments.screen import profile_of
from wenming.attachments.services import attachment_store, content_name
from wenming.audit.services import audit_record
from wenming.campaigns.models import Application
from wenming.core.engine import Engine
from wenming.core.points import fmt, to_centi
from wenming.core.styles import NA_TEXT, NOT_APPLICABLE, InputError, ScoringStyle
from wenming.frameworks.selectors import engine_of
from wenming.onsite.components import component_of, component_score
from wenming.onsite.errors import NOT_ASSIGNED, REASON_REQUIRED, SIGNED, OnsiteRefused
from wenming.onsite.models import Assignment, Photo, Score, Sheet, SheetState, TeamMember
from wenming.onsite.reconciliation import sheets_refresh
from wenming.web.storage import stored_seekable

VALUE_MAX = 60  # Score.value


@dataclass
class SyncAnswer:
    client_id: str
    ok: bool
    error: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"client_id": self.client_id, "ok": self.ok, "error": self.error}


def _entered_at(raw: Any) -> datetime:
    parsed = parse_datetime(str(raw or ""))
    if parsed is None:
        return timezone.now()
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return min(parsed, timezone.now())


def scores_sync(*, actor: User, entries: list[dict[str, Any]]) -> list[SyncAnswer]:
    """Store a batch of entries from one expert's phone; one answer per entry, in order.

    The batch is one transaction. Every entry is checked first; one bad entry (no reason for a
    deduction) does not hold back the others — the phone keeps the refused ones and shows why.
    The others are written together (``_batch_write``: the expert's earlier copies read in one
    query, the new scores inserted in one statement); when entries of the batch touch one
    another, or another connection inserted one of them meanwhile, the batch is written entry
    by entry instead, each in a savepoint. The batch commits once, its audit events linked into
    the chain together at that commit (one short hold of the append lock per batch). The
    reconciliation sheets are brought up to date afterwards, in their own transactions.
    """
    entries = entries[:500]
    assignments: dict[int, Assignment | None] = {}
    touched: dict[int, set[int]] = {}  # campaign → applications whose sheets to refresh
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: the batch at once, else entry by entry
                outcomes = _batch_write(actor, entries, assignments)
        except (_Again, IntegrityError):
            outcomes = []
            for raw in entries:
                try:
                    outcomes.append(
                        score_record(actor=actor, entry=raw, cache=assignments, refresh=False)
                    )
                except OnsiteRefused as exc:
                    outcomes.append(exc)
    answers = []
    for raw, outcome in zip(entries, outcomes, strict=True):
        client_id = str(raw.get("client_id", ""))
        if isinstance(outcome, OnsiteRefused):
            answers.append(SyncAnswer(client_id, False, str(outcome)))
        else:
            touched.setdefault(outcome.campaign_id, set()).add(outcome.application_id)
            answers.append(SyncAnswer(client_id, True))
    campaigns = {a.campaign_id: a.campaign for a in assignments.values() if a is not None}
    for campaign_id, applications in touched.items():
        sheets_refresh(campaigns[campaign_id], application_ids=sorted(applications))
    return answers


def _assignment(actor: User, pk: Any, cache: dict[int, Assignment | None]) -> Assignment:
    key = int(pk) if str(pk).isdigit() else 0
    if key not in cache:
        found = (
            Assignment.objects.select_related(
                "application", "application__campaign__edition", "unit", "campaign"
            )
            # the framework's text is read only when its engine is not yet compiled
            .defer("application__campaign__edition__source")
            .annotate(
                sheet_signed=Exists(
                    Sheet.objects.filter(
                        application=OuterRef("application"), state=SheetState.SIGNED
                    )
                )
            )
            .filter(pk=key)
            .first()
        )
        member = (
            found is not None
            and TeamMember.objects.filter(team_id=found.team_id, expert__user=actor).exists()
        )
        cache[key] = found if member else None
    kept = cache[key]
    if kept is None:
        raise OnsiteRefused(NOT_ASSIGNED)
    return kept


@transaction.atomic
def score_record(
    *,
    actor: User,
    entry: dict[str, Any],
    cache: dict[int, Assignment | None] | None = None,
    refresh: bool = True,
) -> Score:
    """Create or update one expert's entry for one item (idempotent by client id), and bring
    the unit's reconciliation sheet up to date (unless the caller refreshes it for a batch)."""
    score = _score_write(actor, entry, {} if cache is None else cache)
    if refresh:
        sheets_refresh(score.campaign, application_ids=[score.application_id])
    return score


def _typed_value(style: ScoringStyle, entry: dict[str, Any], value: str) -> str:
    """The entry text: 不适用, the counts per kind the phone sent, or the value as typed."""
    if entry.get("na"):
        return NA_TEXT
    counts = entry.get("counts")
    if isinstance(counts, dict) and style.key in COUNT_STYLES:
        numbers: dict[str, int | None] = {}
        for name, raw in counts.items():
            text = "" if raw is None else str(raw).strip()
            if text and not text.isdigit():
                raise InputError(f"“{name}”的数量应为非负整数,不能是“{text}”")
            numbers[str(name)] = int(text) if text else None
        return counts_from_mapping(style, numbers)
    return value


def _item_scored(
    engine: Engine,
    application: Application,
    code: str,
    entry: dict[str, Any],
    value: str,
    reason: str,
) -> tuple[str, int, int]:
    """A leaf item's entry as stored, its points for this unit and the item's maximum."""
    style = engine.styles.get(code)
    if style is None:
        raise OnsiteRefused(f"指标“{code}”不是本测评体系的末级指标")
    profile = profile_of(application.assessment)
    if not engine.applies(code, profile):
        raise OnsiteRefused(f"{code} 不适用于本单位的类型或学段,不评分")
    try:
        value = _typed_value(style, entry, value)
        parsed = engine.parse_item(code, value).value
    except InputError as exc:
        raise OnsiteRefused(f"{code}:{exc}") from None
    if len(value) > VALUE_MAX:
        raise OnsiteRefused(f"{code}:填写内容不能超过{VALUE_MAX}字")
    points = style.points
    if parsed is NOT_APPLICABLE:
        centi = points = 0  # out of the item's maximum: no loss, no reason, no deviation
    else:
        try:
            centi = style.score(parsed, profile)
        except InputError as exc:
            raise OnsiteRefused(f"{code}:{exc}") from None
    if centi < points and not reason:
        raise OnsiteRefused(f"{code}:{REASON_REQUIRED}")
    return value, centi, points


@dataclass
class _Entry:
    """An entry from a phone, checked and scored, not yet stored."""

    client_id: uuid.UUID
    assignment: Assignment
    code: str
    value: str
    reason: str
    note: str
    centi: int
    points: int
    entered_at: datetime

    @property
    def item(self) -> tuple[int, str]:
        return self.assignment.application_id, self.code


def _entry_checked(
    actor: User, entry: dict[str, Any], cache: dict[int, Assignment | None]
) -> _Entry:
    """The entry's assignment, value and points, or OnsiteRefused saying what is wrong."""
    try:
        client_id = uuid.UUID(str(entry.get("client_id", "")))
    except ValueError:
        raise OnsiteRefused("条目编号无效") from None
    assignment = _assignment(actor, entry.get("assignment"), cache)
    application = assignment.application
    if getattr(assignment, "sheet_signed", True):  # looked up with the assignment, once a batch
        raise OnsiteRefused(SIGNED)
    code = str(entry.get("code", "")).strip()
    value = str(entry.get("value", "")).strip()
    reason = str(entry.get("reason", "")).strip()[:500]
    note = str(entry.get("note", "")).strip()
    engine = engine_of(application.campaign.edition)
    component = component_of(engine, code)
    if component is not None:
        # a separately scored component: its score as typed, no deduction reason asked
        centi, points = component_score(component, value), to_centi(component.points)
        value = fmt(centi)
    else:
        value, centi, points = _item_scored(engine, application, code, entry, value, reason)
    return _Entry(
        client_id,
        assignment,
        code,
        value,
        reason,
        note,
        centi,
        points,
        _entered_at(entry.get("entered_at")),
    )


def _score_write(actor: User, entry: dict[str, Any], cache: dict[int, Assignment | None]) -> Score:
    checked = _entry_checked(actor, entry, cache)
    # the entry sent before under this client id, else the expert's entry for this item
    found = sorted(
        Score.objects.select_for_update().filter(
            Q(client_id=checked.client_id)
            | Q(application_id=checked.assignment.application_id, code=checked.code),
            expert=actor,
        ),
        key=lambda s: s.client_id != checked.client_id,
    )
    stored = _entry_stored(actor, checked, found[0] if found else None)
    if stored is not None:
        return stored
    try:
        with transaction.atomic():
            score = _new_score(actor, checked)
            score.save(force_insert=True)
    except IntegrityError:  # the same entry arrived on two connections at once
        return Score.objects.get(expert=actor, client_id=checked.client_id)
    _new_score_audited(actor, checked, score)
    return score


def _entry_stored(actor: User, checked: _Entry, existing: Score | None) -> Score | None:
    """The entry applied to the expert's stored one (``existing``: the same client id, else
    the same item); None when there is none and a new row is to be inserted."""
    if existing is None:
        return None
    if existing.application_id != checked.assignment.application_id or (
        existing.code != checked.code
    ):
        raise OnsiteRefused("条目编号与指标不一致")
    value, reason, note = checked.value, checked.reason, checked.note
    if existing.entered_at > checked.entered_at or (
        (existing.value, existing.reason, existing.note) == (value, reason, note)
    ):
        return existing  # an older or identical copy: nothing changes
    old = f"{existing.value} {existing.reason}".strip()
    existing.value, existing.reason, existing.note = value, reason, note
    existing.score_centi, existing.entered_at = checked.centi, checked.entered_at
    existing.points_centi = checked.points
    existing.save()
    audit_record(
        actor=actor,
        action="onsite.score",
        obj=existing,
        field=checked.code,
        old=old,
        new=f"{value} {reason}".strip(),
        comment=checked.assignment.unit.name,
    )
    return existing


def _new_score(actor: User, checked: _Entry) -> Score:
    return Score(
        expert=actor,
        client_id=checked.client_id,
        campaign_id=checked.assignment.campaign_id,
        application=checked.assignment.application,
        code=checked.code,
        value=checked.value,
        score_centi=checked.centi,
        points_centi=checked.points,
        reason=checked.reason,
        note=checked.note,
        entered_at=checked.entered_at,
    )


def _new_score_audited(actor: User, checked: _Entry, score: Score) -> None:
    audit_record(
        actor=actor,
        action="onsite.score",
        obj=score,
        field=checked.code,
        new=f"{checked.value} {checked.reason}".strip(),
        comment=checked.assignment.unit.name,
    )


class _Again(Exception):
    """The batch cannot be written at once: write it entry by entry."""


def _batch_write(
    actor: User, entries: list[dict[str, Any]], cache: dict[int, Assignment | None]
) -> list[Score | OnsiteRefused]:
    """Every entry of a batch checked, then the stored ones read in one query and the new ones
    inserted in one statement (a score an entry was 6 statements, three of them savepoints).
    An entry refused is its answer; the others are written. Raises ``_Again`` when entries of
    the batch touch one another (the same client id or item twice) and IntegrityError when
    another connection inserted one of them meanwhile: the caller writes entry by entry."""
    outcomes: list[_Entry | OnsiteRefused] = []
    for raw in entries:
        try:
            outcomes.append(_entry_checked(actor, raw, cache))
        except OnsiteRefused as exc:
            outcomes.append(exc)
    checked = [o for o in outcomes if isinstance(o, _Entry)]
    if not checked:
        return list(cast("list[OnsiteRefused]", outcomes))
    ids, items = {c.client_id for c in checked}, {c.item for c in checked}
    if len(ids) < len(checked) or len(items) < len(checked):
        raise _Again
    by_id: dict[uuid.UUID, Score] = {}
    by_item: dict[tuple[int, str], Score] = {}
    for score in Score.objects.select_for_update().filter(
        Q(client_id__in=ids)
        | Q(application_id__in={a for a, _ in items}, code__in={c for _, c in items}),
        expert=actor,
    ):
        by_id[score.client_id] = score
        by_item[(score.application_id, score.code)] = score
    answers: list[Score | OnsiteRefused] = []
    new: list[tuple[_Entry, Score]] = []
    for outcome in outcomes:
        if isinstance(outcome, OnsiteRefused):
            answers.append(outcome)
            continue
        existing = by_id.get(outcome.client_id) or by_item.get(outcome.item)
        try:
            stored = _entry_stored(actor, outcome, existing)
        except OnsiteRefused as exc:
            answers.append(exc)
            continue
        if stored is None:
            stored = _new_score(actor, outcome)
            new.append((outcome, stored))
        answers.append(stored)
    Score.objects.bulk_create([score for _, score in new])
    for outcome, score in new:
        _new_score_audited(actor, outcome, score)
    return answers


# -- photos ---------------------------------------------------------------------------------

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, DATETIME = 36867, 306


def photo_metadata(path: str | IO[bytes]) -> tuple[datetime | None, Decimal | None, Decimal | None]:
    """When and where the photo was taken, from its EXIF data when present."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            exif = image.getexif()
    except Exception:
        return None, None, None
    taken = None
    text = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    if text:
        try:
            taken = timezone.make_aware(datetime.strptime(str(text).strip(), "%Y:%m:%d %H:%M:%S"))
        except ValueError:
            taken = None
    gps = exif.get_ifd(GPS_IFD)

    def degrees(values: Any, ref: Any, negative: str) -> Decimal | None:
        try:
            d, m, s = (Decimal(str(float(v))) for v in values)
        except (TypeError, ValueError, ZeroDivisionError):
            return None
        value = (d + m / 60 + s / 3600).quantize(Decimal("0.000001"))
        return -value if str(ref).upper().startswith(negative) else value

    latitude = degrees(gps.get(2), gps.get(1, "N"), "S") if gps.get(2) else None
    longitude = degrees(gps.get(4), gps.get(3, "E"), "W") if gps.get(4) else None
    return taken, latitude, longitude


@transaction.atomic
def _kept_photo(score: Score, client_id: str) -> Photo | None:
    if not client_id:
        return None
    return Photo.objects.filter(score=score, client_id=client_id).first()


def _photo_keep(actor: User, score: Score, name: str, stream: IO[bytes], client_id: str) -> Photo:
    attachment, _ = attachment_store(
        unit=score.application.unit, owner=score, name=name, stream=stream, actor=actor
    )
    with stored_seekable(content_name(attachment.file.sha256)) as content:
        taken, latitude, longitude = photo_metadata(content)
    return Photo.objects.create(
        score=score,
        attachment=attachment,
        taken_at=taken,
        latitude=latitude,
        longitude=longitude,
        client_id=client_id,
    )


def photo_add(
    *, actor: User, score: Score, name: str, stream: IO[bytes], client_id: str = ""
) -> Photo:
    """Keep a photo for the expert's own entry, with its EXIF time and place. A photo sent
    again from the phone (same ``client_id``) is the one already kept."""
    if score.expert_id != actor.pk:
        raise OnsiteRefused(NOT_ASSIGNED)
    client_id = client_id.strip()[:36]
    kept = _kept_photo(score, client_id)
    if kept is not None:
        return kept
    application = score.application
    if Sheet.objects.filter(application=application, state=SheetState.SIGNED).exists():
        raise OnsiteRefused(SIGNED)
    try:
        with transaction.atomic():
            photo = _photo_keep(actor, score, name, stream, client_id)
    except IntegrityError:
        if not client_id:
            raise
        # the same photo arrived on two connections at once (a phone retrying while its first
        # upload was still being stored): the other one was kept, and this one's file with it
        # rolled back
        return Photo.objects.get(score=score, client_id=client_id)
    return photo
