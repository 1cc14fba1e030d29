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
from wenming.core.copycheck import Source, fingerprint
from wenming.review.access import checks_visible_to, readable_texts
from wenming.review.models import Check, ReviewedText, TextKind, Verdict

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
    """Every template of the reference library as a source (fingerprinted again: the stored
    hashes are folded to 32 bits), with its name (for the CLI)."""
    sources, names = [], {}
    rows = ReviewedText.objects.filter(kind=TextKind.LIBRARY).values_list("pk", "name", "text")
    for pk, name, text in rows.iterator(chunk_size=50):
        fp = fingerprint(text)
        sources.append(Source(str(pk), fp.hashes, fp.positions))
        names[str(pk)] = name
    return sources, names


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
        if not self.readable:
            return "其他单位的材料"
        attachment = self.text.attachment
        uploaded = self.text.kind == TextKind.UPLOAD and (
            attachment is None or attachment.owner_type != "ledger.activity"
        )
        if uploaded and self.text.unit is not None:
            return f"{self.text.unit.name}上传的《{self.text.name}》"
        return self.text.name


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
class TextMarks:
    """One checked text of an application (own report, an uploaded file, the 说明 texts)."""

    text: ReviewedText
    name: str
    chars: int
    copied_chars: int
    rate_permille: int
    sources: list[SourceInfo]
    paragraphs: list[list[Piece]]
    labels: list[str]  # per paragraph: the indicator a 说明 paragraph is about ("" otherwise)
    flags: list[str]  # per paragraph: why it is marked ("" when it is not)
    pairs: list[Pair]
    placeholders: list[dict[str, Any]]
    copied_paragraphs: int
    off_topic: list[dict[str, Any]]

    @property
    def kind_label(self) -> str:
        return TextKind(self.text.kind).label

    @property
    def title(self) -> str:
        """What the page calls the text (the unit is named at the top already)."""
        if self.text.kind == TextKind.UPLOAD:
            return f"{self.kind_label}:{self.name}"
        return self.kind_label

    @property
    def rows(self) -> list[tuple[list[Piece], str, str]]:
        return list(zip(self.paragraphs, self.labels, self.flags, strict=True))


@dataclass
class Marks:
    check: Check
    texts: list[TextMarks]
    photos: list[PhotoPair] = field(default_factory=list)
    unread: list[dict[str, str]] = field(default_factory=list)

    @property
    def copied_paragraphs(self) -> int:
        return sum(t.copied_paragraphs for t in self.texts)

    @property
    def off_topic(self) -> int:
        return sum(len(t.off_topic) for t in self.texts)


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


def _entries(check: Check) -> list[dict[str, Any]]:
    """The checked texts' marks (a check stored before texts were listed held one text)."""
    result = check.result
    if "texts" in result:
        return list(result["texts"])
    if check.text_id is None:
        return []
    return [
        {
            **result,
            "text": check.text_id,
            "chars": check.chars,
            "copied_chars": check.copied_chars,
            "rate_permille": check.rate_permille,
        }
    ]


def _text_marks(
    entry: dict[str, Any], row: ReviewedText, rows: dict[int, ReviewedText], readable: set[int]
) -> TextMarks:
    text = row.text
    infos = {
        pk: SourceInfo(rows[pk], min(rank, COLOURS - 1), chars, pk in readable)
        for rank, (pk, chars) in enumerate(entry.get("sources", []))
        if pk in rows
    }
    colour_at = [-1] * len(text)
    for span in entry.get("spans", []):
        info = infos.get(span["source"])
        if info is None:
            continue
        for i in range(span["start"], min(span["end"], len(text))):
            if colour_at[i] == -1:
                colour_at[i] = info.colour
    placeholder_at: dict[int, dict[str, Any]] = {
        h["offset"]: h for h in entry.get("placeholders", [])
    }
    off_topic = {o["paragraph"]: o for o in entry.get("off_topic", [])}
    labels_given = entry.get("labels", [])
    paragraphs: list[list[Piece]] = []
    labels: list[str] = []
    flags: list[str] = []
    for paragraph in entry.get("paragraphs", []):
        pieces: list[Piece] = []
        i, end = paragraph["start"], min(paragraph["end"], len(text))
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
        index = paragraph["index"]
        labels.append(labels_given[index - 1] if index <= len(labels_given) else "")
        flag = []
        if paragraph["copied"]:
            flag.append("本段大部分与同一来源相同")
        if index in off_topic:
            flag.append(f"本部分未提及“{off_topic[index]['area']}”方面的内容")
        flags.append(";".join(flag))
    pairs: list[Pair] = []
    for span in entry.get("spans", []):
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
    return TextMarks(
        text=row,
        name=entry.get("name") or row.name,
        chars=entry.get("chars", 0),
        copied_chars=entry.get("copied_chars", 0),
        rate_permille=entry.get("rate_permille", 0),
        sources=list(infos.values()),
        paragraphs=paragraphs,
        labels=labels,
        flags=flags,
        pairs=pairs,
        placeholders=[
            {**h, "label": KIND_LABELS[h["kind"]]} for h in entry.get("placeholders", [])
        ],
        copied_paragraphs=sum(1 for p in entry.get("paragraphs", []) if p["copied"]),
        off_topic=list(entry.get("off_topic", [])),
    )


def check_marks(check: Check, user: User | AnonymousUser) -> Marks:
    """The check as the review page shows it to ``user``: each checked text's paragraphs cut
    into pieces coloured by source and placeholders, and each copied passage beside its source
    (a source's passage only when the person may read that text)."""
    entries = _entries(check)
    wanted = {e["text"] for e in entries}
    for e in entries:
        wanted.update(int(pk) for pk, _ in e.get("sources", []))
    rows = {
        row.pk: row
        for row in ReviewedText.objects.filter(pk__in=wanted).select_related("unit", "attachment")
    }
    readable = readable_texts(user, rows.values())
    texts = [_text_marks(e, rows[e["text"]], rows, readable) for e in entries if e["text"] in rows]
    found = check.result.get("photos", [])
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
        check=check, texts=texts, photos=photos, unread=list(check.result.get("unread", []))
    )


def report_files_of(application: Application) -> QuerySet[ReviewedText]:
    """The report files uploaded for an application already fetched through the access layer
    (the ledger's report files are listed with the check)."""
    return (
        ReviewedText.objects.filter(application=application, kind=TextKind.UPLOAD)
        .exclude(attachment__owner_type="ledger.activity")
        .select_related("attachment")
        .order_by("pk")
        .only("pk", "name", "chars", "attachment__id", "attachment__name", "created_at")
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
    by_text = {e["text"]: check for check in checks for e in _entries(check)}
    parent = {check.pk: check.pk for check in checks}

    def root(pk: int) -> int:
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    for check in checks:
        shared: dict[int, int] = {}
        for entry in _entries(check):
            for source_id, chars in entry.get("sources", []):
                other = by_text.get(source_id)
                if other is not None and other.pk != check.pk:
                    shared[other.pk] = shared.get(other.pk, 0) + chars
        for other_pk, chars in shared.items():
            if chars >= CLUSTER_CHARS:
                parent[root(check.pk)] = root(other_pk)
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
