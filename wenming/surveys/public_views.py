"""The public answering page /s/<code>/: no login, phone first; limited per address and per
device (django-ratelimit on the shared cache), by quota, token or device tally."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from wenming.accounts.throttle import (
    SURVEY_GROUP,
    SURVEY_POSTS_PER_DEVICE,
    Usage,
    address_usage,
    device_cookie_ensure,
    device_id,
    device_usage,
    too_many,
)
from wenming.surveys.access import (
    open_by_public_code,
    public_target,
    public_targets,
    questionnaire_by_public_code,
)
from wenming.surveys.answering import (
    FROZEN_KEPT,
    AnswersInvalid,
    Submission,
    answers_from_post,
    frozen_questions,
    started_stamp,
    submit,
)
from wenming.surveys.forms import AnswerParams
from wenming.surveys.models import Question, Token, Version, VersionState
from wenming.surveys.services import SurveyRefused
from wenming.web.params import params


def limited(request: HttpRequest, *, token: bool) -> Usage | None:
    """Count this POST per address and per device; the usage that refuses it, if any.

    Each count is two round trips to the shared cache (django-ratelimit's ``add``, then
    ``incr``), so only what can refuse is counted: a POST the address already refuses does not
    count on the device, and a sheet answered with a one-time token is held by its token (it
    answers once, enforced by the database), not by the device: an interviewer's one phone
    goes door to door with many tokens."""
    by_address = address_usage(request, group=SURVEY_GROUP, count=True)
    if by_address.limited:
        return by_address
    if token:
        return None
    by_device = device_usage(
        request, group=SURVEY_GROUP, count=True, per_hour=SURVEY_POSTS_PER_DEVICE
    )
    return by_device if by_device.limited else None


# The blank questions of an open version, rendered once per process (the version is frozen;
# the key is frozen_questions' own). A page with answers or errors is rendered afresh.
_BLANK: dict[tuple[int, datetime], SafeString] = {}


def questions_html(
    version: Version, questions: list[Question], given: dict[str, list[str]], errors: dict[str, str]
) -> SafeString:
    blank = not given and not errors and version.opened_at is not None
    key = (version.pk, version.opened_at) if version.opened_at else None
    kept = _BLANK.get(key) if blank and key is not None else None  # .get: another thread may clear
    if kept is not None:
        return kept
    sections: list[tuple[str, list[Any]]] = []
    for q in questions:
        if not sections or sections[-1][0] != q.section.title:
            sections.append((q.section.title, []))
        sections[-1][1].append((q, given.get(q.key, []), errors.get(q.key, "")))
    # the template's own output, escaped as it rendered
    html = mark_safe(render_to_string("surveys/_questions.html", {"sections": sections}))
    if blank and key is not None and version.state == VersionState.OPEN:
        if len(_BLANK) >= FROZEN_KEPT:
            _BLANK.clear()
        _BLANK[key] = html
    return html


def answer(request: HttpRequest, code: str) -> HttpResponse:
    questionnaire, version = open_by_public_code(code)
    p = params(request.GET if request.method == "GET" else request.POST, AnswerParams)
    context: dict[str, Any] = {"q": questionnaire, "version": version, "errors": {}}
    if version is None:
        return render(request, "surveys/public_closed.html", context, status=200)
    if request.method == "POST":
        # counted before the token is looked up: a guessed or used token is held by the limit
        # like any other post (a sheet with a token counts on its address only)
        usage = limited(request, token=bool(p["t"]))
        if usage is not None:
            return too_many(request, usage)
    token = None
    if p["t"]:
        token = (
            Token.objects.filter(code=p["t"], questionnaire=questionnaire)
            .select_related("target__unit", "target__region", "use")
            .first()
        )
        if token is None or hasattr(token, "use"):
            context["refusal"] = "此二维码无效或已使用过,每个二维码只能作答一次"
            return render(request, "surveys/public_closed.html", context, status=200)
    elif not questionnaire.open_link:
        context["refusal"] = "本问卷须扫描发放的二维码作答"
        return render(request, "surveys/public_closed.html", context, status=200)
    questions = frozen_questions(version)
    given: dict[str, list[str]] = {}
    chosen_target = p["target"]
    if request.method == "POST":
        given = answers_from_post(questions, request.POST)
        # the chosen target alone (the list is read only if the page is shown again)
        target = None if token or not chosen_target else public_target(questionnaire, chosen_target)
        try:
            submit(
                Submission(
                    questionnaire=questionnaire,
                    target=target,
                    token=token,
                    device="" if token else device_id(request),
                    answers=given,
                    started=str(request.POST.get("started", ""))[:200],
                    version=version,
                )
            )
            return redirect("survey_public:done", code=questionnaire.code)
        except AnswersInvalid as exc:
            context["errors"] = exc.errors
            context["refusal"] = "请检查标红的题目"
        except SurveyRefused as exc:
            context["refusal"] = str(exc)
    context.update(
        {
            "questions_html": questions_html(version, questions, given, context["errors"]),
            "count": len(questions),
            "token": token,
            "targets": public_targets(questionnaire),
            "chosen_target": chosen_target,
            "started": started_stamp(),
            "target_error": context["errors"].get("_target", ""),
            "storage_key": f"wm-survey-{questionnaire.code}-{version.number}",
        }
    )
    response = render(request, "surveys/answer.html", context)
    if not token:
        device_cookie_ensure(request, response)
    return response


def done(request: HttpRequest, code: str) -> HttpResponse:
    questionnaire = questionnaire_by_public_code(code)
    return render(request, "surveys/public_done.html", {"q": questionnaire})
