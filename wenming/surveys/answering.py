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
from django.db import IntegrityError, transaction
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


class AnswersInvalid(SurveyRefused):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(";".join(errors.values()))
        self.errors = errors


def _tally(questionnaire: Questionnaire, device: str, now: datetime) -> bool:
    """Count the device's answer (refused past its limit); True when it comes in a burst."""
    key = device_key(device)
    tally, _ = DeviceTally.objects.get_or_create(
        questionnaire=questionnaire, device=key, defaults={"window_start": now}
    )
    taken = DeviceTally.objects.filter(pk=tally.pk, count__lt=questionnaire.device_limit).update(
        count=F("count") + 1
    )
    if not taken:
        raise SurveyRefused("本设备已作答,感谢您的参与")
    if now - tally.window_start > BURST_WINDOW:
        DeviceTally.objects.filter(pk=tally.pk).update(window_start=now, window_count=1)
        return False
    DeviceTally.objects.filter(pk=tally.pk).update(window_count=F("window_count") + 1)
    return tally.window_count + 1 >= BURST_COUNT


def submit(sub: Submission, *, now: datetime | None = None) -> Response:
    """Take one answer sheet, all or nothing; SurveyRefused (Chinese) when refused."""
    now = now or timezone.now()
    questionnaire = sub.questionnaire
    version = open_version(questionnaire)
    if version is None:
        raise SurveyRefused("本问卷当前不在收集期")
    if sub.token is not None:
        target = sub.token.target
    else:
        if not questionnaire.open_link:
            raise SurveyRefused("本问卷须扫描发放的二维码作答")
        if sub.target is None:
            raise AnswersInvalid({"_target": "请选择您所在的单位或地区"})
        target = sub.target
    questions = list(version.questions.all())
    checked = check_answers(questions, sub.answers)
    if checked.errors:
        raise AnswersInvalid(checked.errors)
    seconds = seconds_since(sub.started, now)
    flags = quality_flags(version=version, seconds=seconds, single_values=checked.single_values)
    with transaction.atomic():
        if sub.token is not None:
            try:
                with transaction.atomic():
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
