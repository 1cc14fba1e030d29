"""The public answering page /s/<code>/: no login, phone first; limited per address and per
device (django-ratelimit on the shared cache), by quota, token or device tally."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

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
from wenming.surveys.access import questionnaire_by_public_code
from wenming.surveys.answering import (
    AnswersInvalid,
    Submission,
    answers_from_post,
    open_version,
    started_stamp,
    submit,
)
from wenming.surveys.forms import AnswerParams
from wenming.surveys.models import Token
from wenming.surveys.services import SurveyRefused
from wenming.web.params import params


def limited(request: HttpRequest) -> Usage | None:
    """Count this POST per address and per device; the usage that refuses it, if any."""
    by_address = address_usage(request, group=SURVEY_GROUP, count=True)
    by_device = device_usage(
        request, group=SURVEY_GROUP, count=True, per_hour=SURVEY_POSTS_PER_DEVICE
    )
    for usage in (by_address, by_device):
        if usage.limited:
            return usage
    return None


def answer(request: HttpRequest, code: str) -> HttpResponse:
    questionnaire = questionnaire_by_public_code(code)
    p = params(request.GET if request.method == "GET" else request.POST, AnswerParams)
    version = open_version(questionnaire)
    context: dict[str, Any] = {"q": questionnaire, "version": version, "errors": {}}
    if version is None:
        return render(request, "surveys/public_closed.html", context, status=200)
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
    targets = list(questionnaire.targets.select_related("unit", "region").order_by("id"))
    questions = list(version.questions.select_related("section"))
    given: dict[str, list[str]] = {}
    chosen_target = p["target"]
    if request.method == "POST":
        usage = limited(request)
        if usage is not None:
            return too_many(request, usage)
        given = answers_from_post(questions, request.POST)
        target = None if token else next((t for t in targets if t.pk == chosen_target), None)
        try:
            submit(
                Submission(
                    questionnaire=questionnaire,
                    target=target,
                    token=token,
                    device="" if token else device_id(request),
                    answers=given,
                    started=str(request.POST.get("started", ""))[:200],
                )
            )
            return redirect("survey_public:done", code=questionnaire.code)
        except AnswersInvalid as exc:
            context["errors"] = exc.errors
            context["refusal"] = "请检查标红的题目"
        except SurveyRefused as exc:
            context["refusal"] = str(exc)
    sections: list[tuple[str, list[Any]]] = []
    for q in questions:
        if not sections or sections[-1][0] != q.section.title:
            sections.append((q.section.title, []))
        sections[-1][1].append((q, given.get(q.key, []), context["errors"].get(q.key, "")))
    context.update(
        {
            "sections": sections,
            "count": len(questions),
            "token": token,
            "targets": targets,
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
