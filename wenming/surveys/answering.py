"""Taking an answer sheet from the public page: checked against the version's questions and
show-if rules, counted against the target's quota, the token's single use or the device's
limit, flagged for quality — all in one transaction, and stored without token, address or
device id."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from wenming.surveys.models import (
    CHOICE_KINDS,
    Answer,
    DeviceTally,
    Flag,
    Kind,
    Question,
    Questionnaire,
    Response,
    Target,
    Token,
    TokenUse,
    Version,
    VersionState,
)
from wenming.surveys.services import SurveyRefused

MAX_TEXT = 500
MAX_NUMBER = Decimal("1e10")
SAME_MIN_QUESTIONS = 4  # "the same option everywhere" needs at least this many choice answers
BURST_WINDOW = timedelta(minutes=10)
BURST_COUNT = 3  # the third answer from one device inside the window is flagged
STARTED_SALT = "wenming.surveys.started"


def open_version(questionnaire: Questionnaire) -> Version | None:
    return Version.objects.filter(questionnaire=questionnaire, state=VersionState.OPEN).first()


# An opened version is frozen (services._draft refuses every change to its questions, and a
# version is never opened twice), so each process reads its questions once. The key holds the
# moment it was opened as well as its id: an id alone may come back after a rolled-back test.
_FROZEN: dict[tuple[int, datetime], list[Question]] = {}
FROZEN_KEPT = 256


def frozen_questions(version: Version) -> list[Question]:
    """The version's questions (with their sections), in order; kept per process once open."""
    if version.state != VersionState.OPEN or version.opened_at is None:
        return list(version.questions.select_related("section"))
    key = (version.pk, version.opened_at)
    questions = _FROZEN.get(key)
    if questions is None:
        questions = list(version.questions.select_related("section"))
        if len(_FROZEN) >= FROZEN_KEPT:
            _FROZEN.clear()
        _FROZEN[key] = questions
    return questions


def started_stamp(now: datetime | None = None) -> str:
    """A signed time the page was given out, to measure how long the answer took."""
    return signing.dumps(int((now or timezone.now()).timestamp()), salt=STARTED_SALT)


def seconds_since(stamp: str, now: datetime) -> int:
    """Seconds since the page was given out; 0 when the stamp is missing or forged."""
    try:
        issued = signing.loads(stamp, salt=STARTED_SALT, max_age=timedelta(days=2))
    except signing.BadSignature:
        return 0
    if not isinstance(issued, int):
        return 0
    return max(0, min(int(now.timestamp()) - issued, 86_400))


def device_key(cookie: str) -> str:
    """The device cookie, keyed: the tally never holds the cookie itself."""
    return hmac.new(settings.SECRET_KEY.encode(), cookie.encode(), hashlib.sha256).hexdigest()


@dataclass
class Checked:
    rows: list[Answer] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # question key → Chinese message
    single_values: list[str] = field(default_factory=list)


def visible(question: Question, given: dict[str, list[str]]) -> bool:
    if not question.show_if_key:
        return True
    return bool(set(given.get(question.show_if_key, [])) & set(question.show_if_values))


def check_answers(questions: list[Question], raw: dict[str, list[str]]) -> Checked:
    """Every visible question's answer checked; hidden questions' answers dropped."""
    out = Checked()
    given: dict[str, list[str]] = {}
    for q in questions:
        values = [v.strip() for v in raw.get(q.key, []) if v.strip()][: len(q.options) or 1]
        if not visible(q, given):
            continue
        label = f"第{q.key}题"
        if not values:
            if q.required:
                out.errors[q.key] = f"{label}为必答题"
            continue
        if q.kind in CHOICE_KINDS:
            bad = [v for v in values if v not in q.options]
            if bad or (q.kind != Kind.MULTIPLE and len(values) > 1):
                out.errors[q.key] = f"{label}的选项无效"
                continue
            given[q.key] = values
            if q.kind != Kind.MULTIPLE:
                out.single_values.append(values[0])
            out.rows.extend(Answer(question=q, option=v) for v in values)
        elif q.kind == Kind.NUMBER:
            try:
                number = Decimal(values[0])
            except InvalidOperation:
                out.errors[q.key] = f"{label}应填写数字"
                continue
            if (
                not number.is_finite()
                or abs(number) >= MAX_NUMBER
                or number != number.quantize(Decimal("0.0001"))
            ):
                out.errors[q.key] = f"{label}的数字过大或小数位过多(最多四位)"
                continue
            out.rows.append(Answer(question=q, number=number))
        else:
            text = values[0]
            if len(text) > MAX_TEXT:
                out.errors[q.key] = f"{label}不能超过{MAX_TEXT}字"
                continue
            out.rows.append(Answer(question=q, text=text))
    return out


def quality_flags(*, version: Version, seconds: int, single_values: list[str]) -> list[str]:
    flags = []
    if seconds < version.min_seconds:
        flags.append(Flag.FAST.value)
    if len(single_values) >= SAME_MIN_QUESTIONS and len(set(single_values)) == 1:
        flags.append(Flag.SAME.value)
    return flags


@dataclass(frozen=True)
class Submission:
    questionnaire: Questionnaire
    target: Target | None  # open link: the chosen unit or region
    token: Token | None
    device: str  # the device cookie ("" for token answers)
    answers: dict[str, list[str]]
    started: str
    version: Version | None = None  # the open version as the page read it (else read here)


class AnswersInvalid(SurveyRefused):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(";".join(errors.values()))
        self.errors = errors


TALLY_SQL = (
    "INSERT INTO {table} AS t (questionnaire_id, device, count, window_start, window_count) "
    "VALUES (%s, %s, 1, %s, 1) "
    "ON CONFLICT (questionnaire_id, device) DO UPDATE SET count = t.count + 1, "
    "window_start = CASE WHEN t.window_start < %s THEN excluded.window_start "
    "ELSE t.window_start END, "
    "window_count = CASE WHEN t.window_start < %s THEN 1 ELSE t.window_count + 1 END "
    "WHERE t.count < %s RETURNING window_count"
)


def _tally(questionnaire: Questionnaire, device: str, now: datetime) -> bool:
    """Count the device's answer (refused past its limit); True when it comes in a burst.

    One statement (the same on SQLite and PostgreSQL): the device's first answer inserts its
    row; a later one adds to it only while it is under the limit, restarting the burst window
    when the window is over. No row back means the limit was reached."""
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(now)
    window_over = ops.adapt_datetimefield_value(now - BURST_WINDOW)
    sql = TALLY_SQL.format(table=connection.ops.quote_name(DeviceTally._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                questionnaire.pk,
                device_key(device),
                stamp,
                window_over,
                window_over,
                questionnaire.device_limit,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        raise SurveyRefused("本设备已作答,感谢您的参与")
    return int(row[0]) >= BURST_COUNT


def submit(sub: Submission, *, now: datetime | None = None) -> Response:
    """Take one answer sheet, all or nothing; SurveyRefused (Chinese) when refused."""
    now = now or timezone.now()
    questionnaire = sub.questionnaire
    version = sub.version or open_version(questionnaire)
    if (
        version is None
        or version.state != VersionState.OPEN
        or version.questionnaire_id != questionnaire.pk
    ):
        raise SurveyRefused("本问卷当前不在收集期")
    if sub.token is not None:
        target = sub.token.target
    else:
        if not questionnaire.open_link:
            raise SurveyRefused("本问卷须扫描发放的二维码作答")
        if sub.target is None:
            raise AnswersInvalid({"_target": "请选择您所在的单位或地区"})
        target = sub.target
    checked = check_answers(frozen_questions(version), sub.answers)
    if checked.errors:
        raise AnswersInvalid(checked.errors)
    seconds = seconds_since(sub.started, now)
    flags = quality_flags(version=version, seconds=seconds, single_values=checked.single_values)
    with transaction.atomic():
        if sub.token is not None:
            # no savepoint: a second use fails the unique constraint and the whole sheet is
            # rolled back with the refusal
            try:
                TokenUse.objects.create(token=sub.token, used_on=timezone.localdate(now))
            except IntegrityError:
                raise SurveyRefused("此二维码已使用过,每个二维码只能作答一次") from None
        elif questionnaire.device_limit and sub.device and _tally(questionnaire, sub.device, now):
            flags.append(Flag.BURST.value)
        response = Response.objects.create(
            version=version,
            target=target,
            via_token=sub.token is not None,
            submitted_at=now,
            seconds=seconds,
            flags=flags,
            flagged=bool(flags),
        )
        for row in checked.rows:
            row.response = response
        Answer.objects.bulk_create(checked.rows)
        # the target's row is shared by every answer to it: counted last, so its lock is held
        # only until the commit; a full quota undoes the whole sheet
        taken = Target.objects.filter(pk=target.pk, accepted__lt=F("quota")).update(
            accepted=F("accepted") + 1
        )
        if not taken:
            raise SurveyRefused(f"“{target.name}”的样本已收满,感谢您的参与")
    return response


def answers_from_post(questions: list[Question], post: Any) -> dict[str, list[str]]:
    """The posted values of each question (bounded: at most as many as it has options)."""
    out: dict[str, list[str]] = {}
    for q in questions:
        values = post.getlist(f"q_{q.key}")[: max(len(q.options), 1)]
        out[q.key] = [str(v)[: MAX_TEXT + 1] for v in values]
    return out
