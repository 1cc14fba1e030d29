"""Random draws for on-site inspection (现场抽签): reproducible, auditable, Django-free.

A draw ranks every candidate by SHA-256 of the seed and its credit code (统一社会信用代码), so the
order depends only on the recorded seed and the codes — never on Python's ``random``, on the
order candidates were listed in, or on the machine. Then:

1. per stratum (unit type, school stage), the ``ceil(share × n)`` best-ranked candidates are
   drawn ("at least one third of junior schools": 7 → 3);
2. each district (the area one level below the campaign's region) that has fewer than the
   minimum drawn gets its best-ranked remaining candidates added, from strata that take part.

A record keeps the algorithm version, the seed, the candidates, the rules and the result, and a
SHA-256 over a canonical JSON of all of them; :func:`draw_check` re-runs the draw and compares.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

ALGORITHM = "wenming-draw/1"  # kept in the record and its digest; people read algorithm_label
# what a pick is drawn for: its stratum's share, or its district's minimum
BY_SHARE = "share"
BY_DISTRICT = "district"
REASON_LABELS = {BY_SHARE: "按比例抽取", BY_DISTRICT: "地区最低数补抽"}


class RulesInvalid(ValueError):
    """Rules that cannot be used; the message is Chinese and names the field."""


@dataclass(frozen=True)
class Candidate:
    """A unit that may be drawn. ``code`` decides the rank; the rest is for people to read."""

    code: str
    stratum: str
    district: str
    name: str = ""
    ref: int = 0  # the application's id in the product

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "stratum": self.stratum,
            "district": self.district,
            "name": self.name,
            "ref": self.ref,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Candidate:
        return cls(
            code=str(data["code"]),
            stratum=str(data["stratum"]),
            district=str(data["district"]),
            name=str(data.get("name", "")),
            ref=int(data.get("ref", 0)),
        )


@dataclass(frozen=True)
class Rules:
    """``shares``: stratum → share drawn, rounded up (a stratum not listed is not drawn);
    ``min_per_district``: at least this many drawn in every district that has candidates."""

    shares: Mapping[str, Fraction] = field(default_factory=dict)
    min_per_district: int = 0

    def __post_init__(self) -> None:
        for stratum, share in self.shares.items():
            if not 0 <= share <= 1:
                raise RulesInvalid(f"“{stratum}”的抽取比例须在0到1之间")
        if self.min_per_district < 0:
            raise RulesInvalid("每个地区最少抽取数不能为负数")

    def to_json(self) -> dict[str, Any]:
        return {
            "shares": {k: _fraction_text(v) for k, v in sorted(self.shares.items())},
            "min_per_district": self.min_per_district,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Rules:
        shares = {str(k): share_parse(str(v), label=str(k)) for k, v in data["shares"].items()}
        return cls(shares=shares, min_per_district=int(data.get("min_per_district", 0)))


@dataclass(frozen=True)
class Pick:
    code: str
    reason: str  # BY_SHARE or BY_DISTRICT

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "reason": self.reason}


def _fraction_text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)  # "0" (not drawn) or "1" (all)
    return f"{value.numerator}/{value.denominator}"


def share_parse(text: str, *, label: str = "") -> Fraction:
    """ "1/3", "0.5", "50%" or "0" → an exact fraction; a Chinese error naming the stratum."""
    raw = text.strip().replace("/", "/").replace("%", "%")
    where = f"“{label}”的" if label else ""
    try:
        if raw.endswith("%"):
            value = Fraction(Decimal(raw[:-1].strip())) / 100
        elif "/" in raw:
            top, bottom = raw.split("/", 1)
            value = Fraction(int(top.strip()), int(bottom.strip()))
        else:
            value = Fraction(Decimal(raw))
    except (ValueError, ZeroDivisionError, InvalidOperation):
        raise RulesInvalid(f"{where}抽取比例“{text}”无法识别,请写作 1/3、0.5 或 50%") from None
    if not 0 <= value <= 1:
        raise RulesInvalid(f"{where}抽取比例须在0到1之间,现为“{text}”")
    return value


def rank_key(seed: str, code: str) -> str:
    """The candidate's place in the draw: SHA-256 of the seed and the credit code, as hex."""
    return hashlib.sha256(f"{seed}:{code}".encode()).hexdigest()


def quota(share: Fraction, n: int) -> int:
    """How many of ``n`` a share draws, rounded up: one third of 7 is 3."""
    return min(n, math.ceil(share * n))


def draw(candidates: Iterable[Candidate], rules: Rules, seed: str) -> list[Pick]:
    """The drawn candidates, best-ranked first. Depends only on the seed, codes and rules."""
    pool = sorted(candidates, key=lambda c: (rank_key(seed, c.code), c.code))
    codes = [c.code for c in pool]
    if len(set(codes)) != len(codes):
        raise RulesInvalid("候选名单中有重复的统一社会信用代码")
    drawn: dict[str, str] = {}
    by_stratum: dict[str, list[Candidate]] = {}
    for c in pool:
        by_stratum.setdefault(c.stratum, []).append(c)
    for stratum, members in by_stratum.items():
        share = rules.shares.get(stratum, Fraction(0))
        for c in members[: quota(share, len(members))]:
            drawn[c.code] = BY_SHARE
    if rules.min_per_district:
        taking_part = [c for c in pool if rules.shares.get(c.stratum, 0) > 0]
        for district in sorted({c.district for c in taking_part}):
            members = [c for c in taking_part if c.district == district]
            missing = rules.min_per_district - sum(1 for c in members if c.code in drawn)
            for c in [c for c in members if c.code not in drawn][: max(0, missing)]:
                drawn[c.code] = BY_DISTRICT
    return [Pick(code=c.code, reason=drawn[c.code]) for c in pool if c.code in drawn]


def canonical_candidates(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Candidates in the recorded order (by credit code): the input order never matters."""
    return sorted(candidates, key=lambda c: c.code)


def draw_digest(
    *,
    algorithm: str,
    seed: str,
    candidates: Sequence[Mapping[str, Any]],
    rules: Mapping[str, Any],
    result: Sequence[Mapping[str, Any]],
) -> str:
    """SHA-256 over a canonical JSON (sorted keys, no spaces, UTF-8) of the whole record."""
    payload = {
        "algorithm": algorithm,
        "seed": seed,
        "candidates": list(candidates),
        "rules": dict(rules),
        "result": list(result),
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DrawRecord:
    """What is stored for a draw: everything needed to re-run and check it."""

    algorithm: str
    seed: str
    candidates: list[dict[str, Any]]
    rules: dict[str, Any]
    result: list[dict[str, Any]]
    digest: str


def draw_make(candidates: Iterable[Candidate], rules: Rules, seed: str) -> DrawRecord:
    """Run a draw and build its record (candidates in canonical order, digest over all)."""
    listed = canonical_candidates(candidates)
    rows = [c.to_json() for c in listed]
    result = [p.to_json() for p in draw(listed, rules, seed)]
    rules_json = rules.to_json()
    digest = draw_digest(
        algorithm=ALGORITHM, seed=seed, candidates=rows, rules=rules_json, result=result
    )
    return DrawRecord(
        algorithm=ALGORITHM,
        seed=seed,
        candidates=rows,
        rules=rules_json,
        result=result,
        digest=digest,
    )


@dataclass(frozen=True)
class Verdict:
    ok: bool
    problems: list[str]

    @property
    def label(self) -> str:
        return "核验通过" if self.ok else "核验失败"


def algorithm_label(algorithm: str) -> str:
    """The algorithm's version as people read it: ``wenming-draw/1`` → 第1版."""
    name, _, version = algorithm.partition("/")
    if name == ALGORITHM.partition("/")[0] and version.isdigit():
        return f"第{int(version)}版"
    return "未知算法"


def draw_check(record: DrawRecord) -> Verdict:
    """Re-run a recorded draw and compare: same algorithm, same result, same digest."""
    problems: list[str] = []
    if record.algorithm != ALGORITHM:
        recorded, ours = algorithm_label(record.algorithm), algorithm_label(ALGORITHM)
        return Verdict(False, [f"记录的抽签算法版本({recorded})不是本程序的{ours},无法重算"])
    try:
        candidates = [Candidate.from_json(c) for c in record.candidates]
        rules = Rules.from_json(record.rules)
        rerun = [p.to_json() for p in draw(candidates, rules, record.seed)]
    except (KeyError, TypeError, ValueError) as exc:
        return Verdict(False, [f"记录内容无法读取:{exc}"])
    names = {c.code: c.name or c.code for c in candidates}
    recorded_codes = [str(p.get("code")) for p in record.result]
    rerun_codes = [p["code"] for p in rerun]
    for code in rerun_codes:
        if code not in recorded_codes:
            problems.append(f"重算抽中“{names.get(code, code)}”({code}),记录中没有")
    for code in recorded_codes:
        if code not in rerun_codes:
            problems.append(f"记录中的“{names.get(code, code)}”({code})重算未抽中")
    if not problems and rerun != list(record.result):
        problems.append("重算结果的顺序或抽取依据与记录不同")
    recomputed = draw_digest(
        algorithm=record.algorithm,
        seed=record.seed,
        candidates=record.candidates,
        rules=record.rules,
        result=record.result,
    )
    if recomputed != record.digest:
        problems.append(
            f"摘要不符:记录的摘要为 {record.digest[:16]}…,按记录内容重算为 {recomputed[:16]}…"
            ",记录在抽签后被改动"
        )
    return Verdict(not problems, problems)
