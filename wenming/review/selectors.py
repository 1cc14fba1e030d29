"""Reads of the material review: the marks of a check as a page shows them, a campaign's reports
by copy rate, clusters of units sharing text, and the library's sources for the CLI."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from wenming.accounts.scope import units_visible_to
from wenming.campaigns.models import Application, Campaign
from wenming.core.copycheck import Source
from wenming.review.access import checks_visible_to, readable_texts
from wenming.review.models import Check, Fingerprint, ReviewedText, TextKind, Verdict

COLOURS = 6  # source colours on the page (src0 … src5); further sources share the last
CLUSTER_CHARS = 100  # characters two reports must share to be in one cluster

KIND_LABELS = {
    "marks": "符号占位",
    "year": "年份缺数字",
    "place": "地名空缺",
    "empty_quote": "空引号或括号",
    "blank": "下划线空白",
    "missing_number": "缺少数字",
}


def library_sources() -> tuple[list[Source], dict[str, str]]:
    """Every template of the reference library as a source, with its name (for the CLI)."""
    names = dict(ReviewedText.objects.filter(kind=TextKind.LIBRARY).values_list("pk", "name"))
    prints: dict[int, tuple[list[int], list[int]]] = {pk: ([], []) for pk in names}
    rows = Fingerprint.objects.filter(text_id__in=list(names)).values_list(
        "text_id", "hash", "position"
    )
    for text_id, h, position in rows.iterator(chunk_size=5000):
        prints[text_id][0].append(h)
        prints[text_id][1].append(position)
    sources = [Source(str(pk), hs, ps) for pk, (hs, ps) in prints.items()]
    return sources, {str(pk): name for pk, name in names.items()}


@dataclass
class SourceInfo:
    text: ReviewedText
    colour: int
    chars: int
    readable: bool

    @property
    def label(self) -> str:
        if self.text.kind == TextKind.LIBRARY:
            return f"参考范文《{self.text.name}》"
        if self.readable:
            return self.text.name
        return "其他单位的材料"


@dataclass
class Piece:
    text: str
    colour: int | None = None
    placeholder: str = ""  # kind label when the piece is a placeholder


@dataclass
class Pair:
    source: SourceInfo
    mine: list[tuple[str, bool]]  # (text, differs from the source)
    theirs: list[tuple[str, bool]] = field(default_factory=list)


PHOTO_LABELS = {
    "reused": "同一照片用于本单位多项活动",
    "foreign": "与其他单位的照片相同",
    "earlier": "与往年活动的照片相同",
    "exif": "拍摄日期与活动日期相差较大",
}


@dataclass
class PhotoPair:
    label: str
    photo: int  # attachment id (served by files:thumb within the viewer's scope)
    day: str
    other: int | None = None
    other_day: str = ""
    other_readable: bool = False
    taken: str = ""
    other_label: str = "本单位"


@dataclass
class Marks:
    check: Check
    sources: list[SourceInfo]
    paragraphs: list[list[Piece]]
    pairs: list[Pair]
    placeholders: list[dict[str, Any]]
    copied_paragraphs: int
    photos: list[PhotoPair] = field(default_factory=list)


def _diff(mine: str, theirs: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    matcher = difflib.SequenceMatcher(None, mine, theirs, autojunk=False)
    a: list[tuple[str, bool]] = []
    b: list[tuple[str, bool]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        same = op == "equal"
        if i2 > i1:
            a.append((mine[i1:i2], not same))
        if j2 > j1:
            b.append((theirs[j1:j2], not same))
    return a, b


def check_marks(check: Check, user: User | AnonymousUser) -> Marks:
    """The check as the review page shows it to ``user``: the report's paragraphs cut into
    pieces coloured by source and placeholders, and each copied passage beside its source
    (a source's passage only when the person may read that text)."""
    result = check.result
    text = check.text.text
    order = [int(pk) for pk, _ in result.get("sources", [])]
    rows = {row.pk: row for row in ReviewedText.objects.filter(pk__in=order)}
    readable = readable_texts(user, rows.values())
    infos = {
        pk: SourceInfo(rows[pk], min(rank, COLOURS - 1), chars, pk in readable)
        for rank, (pk, chars) in enumerate(result.get("sources", []))
        if pk in rows
    }
    colour_at = [-1] * len(text)
    for span in result.get("spans", []):
        info = infos.get(span["source"])
        if info is None:
            continue
        for i in range(span["start"], min(span["end"], len(text))):
            if colour_at[i] == -1:
                colour_at[i] = info.colour
    placeholder_at: dict[int, dict[str, Any]] = {h["offset"]: h for h in result["placeholders"]}
    paragraphs: list[list[Piece]] = []
    for paragraph in result.get("paragraphs", []):
        pieces: list[Piece] = []
        i, end = paragraph["start"], paragraph["end"]
        while i < end:
            found = placeholder_at.get(i)
            if found is not None:
                pieces.append(Piece(found["text"], None, KIND_LABELS[found["kind"]]))
                i += len(found["text"])
                continue
            j = i + 1
            while j < end and colour_at[j] == colour_at[i] and j not in placeholder_at:
                j += 1
            colour = colour_at[i]
            pieces.append(Piece(text[i:j], None if colour < 0 else colour))
            i = j
        paragraphs.append(pieces)
    pairs: list[Pair] = []
    for span in result.get("spans", []):
        info = infos.get(span["source"])
        if info is None:
            continue
        mine = text[span["start"] : span["end"]]
        if info.readable:
            theirs = info.text.text[span["source_start"] : span["source_end"]]
            a, b = _diff(mine, theirs)
            pairs.append(Pair(info, a, b))
        else:
            pairs.append(Pair(info, [(mine, False)]))
    placeholders = [{**h, "label": KIND_LABELS[h["kind"]]} for h in result.get("placeholders", [])]
    found = result.get("photos", [])
    visible_units = set(
        units_visible_to(user)
        .filter(pk__in={f["other_unit"] for f in found if f.get("other_unit")})
        .values_list("pk", flat=True)
    )
    photos = [
        PhotoPair(
            label=PHOTO_LABELS[f["kind"]],
            photo=f["photo"],
            day=f["day"],
            other=f.get("other"),
            other_day=f.get("other_day", ""),
            other_readable=f.get("other_unit") in visible_units,
            taken=f.get("taken", ""),
            other_label="其他单位" if f["kind"] == "foreign" else "本单位",
        )
        for f in found
    ]
    return Marks(
        photos=photos,
        check=check,
        sources=list(infos.values()),
        paragraphs=paragraphs,
        pairs=pairs,
        placeholders=placeholders,
        copied_paragraphs=sum(1 for p in result.get("paragraphs", []) if p["copied"]),
    )


def campaign_checks(user: User | AnonymousUser, campaign: Campaign) -> list[Check]:
    """The campaign's checked reports the person may see, highest copy rate first."""
    return list(
        checks_visible_to(user)
        .filter(application__campaign=campaign)
        .select_related("unit", "application")
        .order_by("-rate_permille", "unit__name")
    )


def clusters(checks: list[Check]) -> list[list[Check]]:
    """Groups of these reports that share text with each other (at least CLUSTER_CHARS
    characters between two of them), largest first."""
    by_text = {check.text_id: check for check in checks}
    parent = {check.pk: check.pk for check in checks}

    def root(pk: int) -> int:
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    for check in checks:
        for source_id, chars in check.result.get("sources", []):
            other = by_text.get(source_id)
            if other is not None and chars >= CLUSTER_CHARS:
                parent[root(check.pk)] = root(other.pk)
    groups: dict[int, list[Check]] = {}
    for check in checks:
        groups.setdefault(root(check.pk), []).append(check)
    found = [sorted(g, key=lambda c: -c.rate_permille) for g in groups.values() if len(g) > 1]
    found.sort(key=lambda g: (-len(g), -g[0].rate_permille))
    return found


def library_texts() -> QuerySet[ReviewedText]:
    """The reference library (public templates: any office may list them)."""
    return (
        ReviewedText.objects.filter(kind=TextKind.LIBRARY)
        .order_by("name")
        .only("pk", "name", "chars", "created_at")
    )


def verdicts_of(application: Application) -> QuerySet[Verdict]:
    """The verdicts on an application already fetched through the access layer."""
    return Verdict.objects.filter(application=application).select_related("actor")
