"""The office's questionnaire pages (/surveys/): list, builder, targets and tokens, quality,
results. Thin: a form, an access helper, a service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from wenming.accounts.models import Role
from wenming.accounts.scope import regions_visible_to, scope_for, units_visible_to
from wenming.campaigns.access import applications_visible_to, campaigns_visible_to, runs_campaign
from wenming.core.errors import ActionRefused
from wenming.jobs.tasks import job_start
from wenming.surveys import charts
from wenming.surveys.access import (
    questionnaire_get_for_user,
    questionnaires_visible_to,
    runs_questionnaire,
)
from wenming.surveys.exports import tokens_pdf
from wenming.surveys.feed import figure_record
from wenming.surveys.forms import (
    CreateForm,
    ExcludeForm,
    FigureForm,
    MappingForm,
    OpForm,
    QualityParams,
    QuestionForm,
    QuotaForm,
    ResultsParams,
    RowForm,
    SectionForm,
    SettingsForm,
    TargetForm,
    TokensForm,
)
from wenming.surveys.importer import questions_xlsx
from wenming.surveys.models import Questionnaire, Version, VersionState
from wenming.surveys.quality import flags_text, response_exclude, response_include
from wenming.surveys.results import (
    current_version,
    free_texts,
    mapping_rates,
    progress,
    question_counts,
    region_of,
)
from wenming.surveys.rules import (
    LABEL_BY_KIND,
    QuestionSpec,
    parse_weights,
    split_list,
    weights_text,
)
from wenming.surveys.services import (
    mapping_remove,
    mapping_set,
    question_add,
    question_remove,
    questionnaire_create,
    section_add,
    settings_set,
    target_add,
    target_quota_set,
    tokens_create,
    version_close,
    version_new,
    version_open,
)
from wenming.web.actor import actor
from wenming.web.downloads import XLSX, file_download
from wenming.web.params import errors_text, params

PER_PAGE = 50


def _office(request: HttpRequest) -> None:
    scope = scope_for(request.user)
    if not (scope.is_admin or scope.has(Role.OFFICE)):
        raise PermissionDenied("只有测评办公室人员可以管理问卷")


def _version(questionnaire: Questionnaire, pk: int | None) -> Version:
    versions = questionnaire.versions.all()
    version = versions.filter(pk=pk).first() if pk else current_version(questionnaire)
    if version is None:
        raise Http404("版本不存在")
    return version


def _form(request: HttpRequest, form_class: type[Any]) -> dict[str, Any] | None:
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, errors_text(form))
        return None
    return dict(form.cleaned_data)


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    _office(request)
    user = actor(request)
    campaigns = [c for c in campaigns_visible_to(user)[:200] if runs_campaign(user, c)]
    if request.method == "POST":
        f = _form(request, CreateForm)
        campaign = next((c for c in campaigns if f and c.pk == f["campaign"]), None)
        if f and campaign is None:
            messages.error(request, "请选择您组织的创建活动")
        elif f and campaign is not None:
            try:
                q = questionnaire_create(
                    actor=user, campaign=campaign, title=f["title"], audience=f["audience"]
                )
                return redirect("surveys:build", pk=q.pk)
            except ActionRefused as exc:
                messages.error(request, str(exc))
    rows = questionnaires_visible_to(user).select_related("campaign").order_by("-id")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/list.html",
        {"page": page, "campaigns": campaigns, "form": CreateForm()},
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Versions, targets with quota progress, tokens, links."""
    _office(request)
    user = actor(request)
    questionnaire = questionnaire_get_for_user(user, pk)
    runs = runs_questionnaire(user, questionnaire)
    if request.method == "POST":
        if not runs:
            raise PermissionDenied("只有活动所在地区的文明办可以管理本问卷")
        result = _detail_post(request, questionnaire)
        if result is not None:
            return result
        return redirect("surveys:detail", pk=pk)
    version = current_version(questionnaire)
    return render(
        request,
        "surveys/detail.html",
        {
            "q": questionnaire,
            "version": version,
            "versions": questionnaire.versions.all(),
            "progress": progress(questionnaire, version),
            "units": units_visible_to(user)
            .filter(region_path__startswith=questionnaire.region_path)
            .order_by("name")[:500],
            "regions": regions_visible_to(user)
            .filter(path__startswith=questionnaire.region_path)
            .order_by("path")[:200],
            "runs": runs,
            "link": request.build_absolute_uri(
                reverse("survey_public:answer", args=[questionnaire.code])
            ),
        },
    )


def _detail_post(request: HttpRequest, questionnaire: Questionnaire) -> HttpResponse | None:
    user = actor(request)
    op = params(request.POST, OpForm)["op"]
    targets = questionnaire.targets.select_related("unit", "region")
    try:
        if op == "target":
            f = _form(request, TargetForm)
            if f:
                unit = units_visible_to(user).filter(pk=f["unit"]).first() if f["unit"] else None
                region = (
                    regions_visible_to(user).filter(pk=f["region"]).first() if f["region"] else None
                )
                target_add(
                    actor=user,
                    questionnaire=questionnaire,
                    unit=unit,
                    region=region,
                    quota=f["quota"],
                )
                messages.success(request, "已添加调查对象")
        elif op == "quota":
            f = _form(request, QuotaForm)
            if f:
                target = targets.filter(pk=f["row"]).first()
                if target is None:
                    raise Http404("调查对象不存在")
                target_quota_set(actor=user, target=target, quota=f["quota"])
                messages.success(request, "已修改样本量")
        elif op == "tokens":
            f = _form(request, TokensForm)
            if f:
                target = targets.filter(pk=f["row"]).first()
                if target is None:
                    raise Http404("调查对象不存在")
                tokens = tokens_create(actor=user, target=target, count=f["count"])
                base = request.build_absolute_uri("/").rstrip("/")
                pdf = tokens_pdf(
                    title=questionnaire.title,
                    target_name=target.name,
                    tokens=tokens,
                    base=base,
                    per_page=f["per_page"],
                )
                return file_download(
                    pdf, f"{questionnaire.title}-{target.name}-二维码.pdf", "application/pdf"
                )
        elif op in ("open", "close", "new_version"):
            version = _version(questionnaire, None)
            if op == "open":
                version_open(actor=user, version=version)
                messages.success(request, f"第{version.number}版开始收集答卷")
            elif op == "close":
                version_close(actor=user, version=version)
                messages.success(request, f"第{version.number}版已停止收集")
            else:
                new = version_new(actor=user, questionnaire=questionnaire)
                messages.success(request, f"已建立第{new.number}版,可以修改")
                return redirect("surveys:build", pk=questionnaire.pk)
        elif op == "settings":
            f = _form(request, SettingsForm)
            if f:
                settings_set(
                    actor=user,
                    version=_version(questionnaire, None),
                    intro=f["intro"],
                    min_seconds=f["min_seconds"],
                    device_limit=f["device_limit"],
                    open_link=f["open_link"],
                )
                messages.success(request, "已保存作答设置")
    except ActionRefused as exc:
        messages.error(request, str(exc))
    return None


@login_required
def build(request: HttpRequest, pk: int) -> HttpResponse:
    """The builder of the draft version (or the frozen current version, read only)."""
    _office(request)
    user = actor(request)
    questionnaire = questionnaire_get_for_user(user, pk)
    version = _version(questionnaire, None)
    runs = runs_questionnaire(user, questionnaire)
    if request.method == "POST":
        if not runs:
            raise PermissionDenied("只有活动所在地区的文明办可以修改本问卷")
        _build_post(request, version)
        return redirect("surveys:build", pk=pk)
    questions = list(version.questions.select_related("section"))
    return render(
        request,
        "surveys/build.html",
        {
            "q": questionnaire,
            "version": version,
            "editable": runs and version.state == VersionState.DRAFT,
            "sections": version.sections.all(),
            "questions": [
                (q, LABEL_BY_KIND.get(q.kind, q.kind), weights_text(q.weights)) for q in questions
            ],
            "mappings": version.mappings.order_by("code"),
            "kinds": QuestionForm.base_fields["kind"].choices,  # type: ignore[attr-defined]
        },
    )


def _build_post(request: HttpRequest, version: Version) -> None:
    user = actor(request)
    op = params(request.POST, OpForm)["op"]
    try:
        if op == "section":
            f = _form(request, SectionForm)
            if f:
                section_add(actor=user, version=version, title=f["title"])
        elif op == "question":
            f = _form(request, QuestionForm)
            if f:
                section = version.sections.filter(pk=f["section"]).first()
                if section is None:
                    raise Http404("部分不存在")
                try:
                    weights = parse_weights(f["weights"])
                except ValueError as exc:
                    messages.error(request, str(exc))
                    return
                spec = QuestionSpec(
                    key=f["key"].strip(),
                    text=f["text"],
                    kind=f["kind"],
                    options=split_list(f["options"]),
                    weights=weights,
                    required=f["required"],
                    show_if_key=f["show_if_key"].strip(),
                    show_if_values=split_list(f["show_if_values"]),
                )
                question_add(actor=user, version=version, section=section, spec=spec)
                messages.success(request, f"已添加第{spec.key}题")
        elif op == "remove":
            f = _form(request, RowForm)
            if f:
                question = version.questions.filter(pk=f["row"]).first()
                if question is None:
                    raise Http404("题目不存在")
                question_remove(actor=user, question=question)
        elif op == "mapping":
            f = _form(request, MappingForm)
            if f:
                mapping_set(
                    actor=user,
                    version=version,
                    code=f["code"],
                    keys=split_list(f["keys"].replace(",", "、").replace(",", "、")),
                )
                messages.success(request, "已保存指标对应")
        elif op == "unmap":
            f = _form(request, RowForm)
            if f:
                mapping = version.mappings.filter(pk=f["row"]).first()
                if mapping is None:
                    raise Http404("指标对应不存在")
                mapping_remove(actor=user, mapping=mapping)
    except ActionRefused as exc:
        messages.error(request, str(exc))


@login_required
def export_questions(request: HttpRequest, pk: int) -> HttpResponse:
    _office(request)
    questionnaire = questionnaire_get_for_user(actor(request), pk)
    version = _version(questionnaire, params(request.GET, ResultsParams)["version"])
    return file_download(
        questions_xlsx(version), f"{questionnaire.title}第{version.number}版题目.xlsx", XLSX
    )


@login_required
def quality(request: HttpRequest, pk: int) -> HttpResponse:
    _office(request)
    user = actor(request)
    questionnaire = questionnaire_get_for_user(user, pk)
    p = params(request.GET, QualityParams)
    version = _version(questionnaire, p["version"])
    runs = runs_questionnaire(user, questionnaire)
    if request.method == "POST":
        if not runs:
            raise PermissionDenied("只有活动所在地区的文明办可以剔除答卷")
        op = params(request.POST, OpForm)["op"]
        f = _form(request, ExcludeForm)
        if f:
            response = version.responses.filter(pk=f["row"]).first()
            if response is None:
                raise Http404("答卷不存在")
            try:
                if op == "exclude":
                    response_exclude(actor=user, response=response, reason=f["reason"])
                    messages.success(request, f"已剔除答卷{response.pk}")
                else:
                    response_include(actor=user, response=response, reason=f["reason"])
                    messages.success(request, f"已恢复答卷{response.pk}")
            except ActionRefused as exc:
                messages.error(request, str(exc))
        return redirect(
            f"{reverse('surveys:quality', args=[pk])}?version={version.pk}&show={p['show']}"
        )
    rows = version.responses.select_related("target__unit", "target__region")
    if p["show"] == "excluded":
        rows = rows.filter(excluded=True)
    elif p["show"] != "all":
        rows = rows.filter(flagged=True)
    page = Paginator(rows, PER_PAGE).get_page(p["page"])
    return render(
        request,
        "surveys/quality.html",
        {
            "q": questionnaire,
            "version": version,
            "versions": questionnaire.versions.all(),
            "progress": progress(questionnaire, version),
            "page": page,
            "rows": [(r, flags_text(r)) for r in page],
            "show": p["show"],
            "runs": runs,
        },
    )


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    _office(request)
    user = actor(request)
    questionnaire = questionnaire_get_for_user(user, pk)
    p = params(request.GET, ResultsParams)
    version = _version(questionnaire, p["version"])
    runs = runs_questionnaire(user, questionnaire)
    if request.method == "POST":
        if not runs:
            raise PermissionDenied("只有活动所在地区的文明办可以操作")
        op = params(request.POST, OpForm)["op"]
        if op == "export":
            job = job_start(
                kind="survey_answers",
                label=f"{questionnaire.title}第{version.number}版答卷",
                owner=user,
                params={"questionnaire": questionnaire.pk, "version": version.pk},
            )
            return redirect("jobs:detail", pk=job.pk)
        f = _form(request, FigureForm)
        if f:
            mapping = version.mappings.filter(pk=f["mapping"]).first()
            target = questionnaire.targets.filter(pk=f["row"], unit__isnull=False).first()
            if mapping is None or target is None or target.unit_id is None:
                raise Http404("指标对应或调查对象不存在")
            application = (
                applications_visible_to(user)
                .filter(campaign=questionnaire.campaign, unit_id=target.unit_id)
                .order_by("-id")
                .first()
            )
            if application is None:
                messages.error(request, f"“{target.name}”没有参加本活动的申报")
            else:
                try:
                    figure = figure_record(
                        actor=user, mapping=mapping, target=target, application=application
                    )
                    messages.success(
                        request,
                        f"已将满意率{figure.rate.normalize():f}%计入{target.name}的{mapping.code}",
                    )
                except ActionRefused as exc:
                    messages.error(request, str(exc))
        return redirect(f"{reverse('surveys:results', args=[pk])}?version={version.pk}")
    with_excluded = p["excluded"] == "1"
    targets = [pr.target for pr in progress(questionnaire, version)]
    rates = mapping_rates(version, targets, with_excluded=with_excluded)
    rates_other = mapping_rates(version, targets, with_excluded=not with_excluded)
    counts = question_counts(version, with_excluded=with_excluded)
    texts = Paginator(free_texts(version), PER_PAGE).get_page(request.GET.get("page"))
    tables = []
    for r, other in zip(rates, rates_other, strict=True):
        rows = [(t, region_of(t), r.by_target[t.pk], other.by_target[t.pk]) for t in targets]
        regions = sorted(r.by_region.items())
        tables.append((r, rows, regions, other.total))
    specs = charts.specs(rates, counts, targets)
    return render(
        request,
        "surveys/results.html",
        {
            "q": questionnaire,
            "version": version,
            "versions": questionnaire.versions.all(),
            "with_excluded": with_excluded,
            "tables": tables,
            "counts": counts,
            "texts": texts,
            "charts": specs,
            "runs": runs,
        },
    )
