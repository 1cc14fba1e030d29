from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from wenming.accounts.models import Role
from wenming.accounts.scope import scope_for, unit_get_for_user, units_visible_to
from wenming.documents.bulletin import sample_document
from wenming.documents.docx_writer import render_docx
from wenming.documents.forms import (
    BatchParams,
    RegenerateParams,
    SectionParams,
    UnitEditionParams,
)
from wenming.documents.pdf_writer import render_pdf
from wenming.documents.report import export_refusal, sections_to_complete
from wenming.documents.selectors import (
    editions_for,
    export_document,
    export_sections,
    regeneration_preview,
    report_of,
    report_section_get_for_user,
    report_sign_off,
    report_versions,
    template_in_force,
)
from wenming.documents.services import (
    DocumentRefused,
    can_edit_report,
    report_generate,
    report_section_save,
    template_reset,
    template_upload,
)
from wenming.documents.templating import KINDS, TemplateInvalid, render_with_template
from wenming.frameworks.models import FrameworkEdition
from wenming.jobs.tasks import job_start
from wenming.organizations.models import Unit
from wenming.web.actor import actor
from wenming.web.downloads import DOCX, PDF, file_download
from wenming.web.params import params

BATCH_LIMIT = 2000


def _unit_and_edition(
    request: HttpRequest,
) -> tuple[Unit, FrameworkEdition, list[FrameworkEdition]]:
    f = params(request.GET if "unit" in request.GET else request.POST, UnitEditionParams)
    if f["unit"]:
        unit = unit_get_for_user(request.user, f["unit"])
    else:
        own = scope_for(request.user).own_units
        if not own:
            raise Http404("请选择单位")
        unit = unit_get_for_user(request.user, own[0])
    editions = editions_for(unit)
    if not editions:
        raise Http404("没有适用于本单位的测评体系")
    edition = next((e for e in editions if e.pk == f["edition"]), editions[0])
    return unit, edition, editions


def _report_url(unit: Unit, edition: FrameworkEdition) -> str:
    return f"{reverse('documents:report')}?unit={unit.pk}&edition={edition.pk}"


def _regenerate_url(unit: Unit, edition: FrameworkEdition) -> str:
    return f"{reverse('documents:report_regenerate')}?unit={unit.pk}&edition={edition.pk}"


@login_required
def report_page(request: HttpRequest) -> HttpResponse:
    unit, edition, editions = _unit_and_edition(request)
    report = report_of(unit, edition)
    sections = list(report.sections.all()) if report else []
    sign_off = report_sign_off(report) if report else None
    return render(
        request,
        "documents/report.html",
        {
            "unit": unit,
            "edition": edition,
            "editions": editions,
            "report": report,
            "sections": sections,
            "editable": can_edit_report(actor(request), unit.pk),
            "to_complete": sections_to_complete([(s.heading, s.text) for s in sections]),
            "sign_off": sign_off,
        },
    )


@login_required
@require_POST
def report_create(request: HttpRequest) -> HttpResponse:
    unit, edition, _ = _unit_and_edition(request)
    f = params(request.POST, RegenerateParams)
    existing = report_of(unit, edition)
    if existing is not None and not f["seen"]:  # regenerating is confirmed on its own page
        return redirect(_regenerate_url(unit, edition))
    try:
        report_generate(
            actor=actor(request), unit=unit, edition=edition, replace=f["replace"], seen=f["seen"]
        )
    except DocumentRefused as exc:
        messages.error(request, str(exc))
        if existing is not None:
            return redirect(_regenerate_url(unit, edition))
    else:
        messages.success(
            request,
            "已按最新数据重新生成,请逐段核对修改"
            if existing
            else "已根据本单位数据生成自查报告草稿,请逐段核对修改",
        )
    return redirect(_report_url(unit, edition))


@login_required
def report_regenerate(request: HttpRequest) -> HttpResponse:
    """Before regenerating: which sections the unit edited (kept unless ticked)."""
    unit, edition, _ = _unit_and_edition(request)
    if not can_edit_report(actor(request), unit.pk):
        raise PermissionDenied("只有本单位人员可以重新生成自查报告")
    report = report_of(unit, edition)
    if report is None:
        return redirect(_report_url(unit, edition))
    return render(
        request,
        "documents/report_regenerate.html",
        {
            "unit": unit,
            "edition": edition,
            "report": report,
            "states": regeneration_preview(report),
            "seen": report_versions(report),
        },
    )


@login_required
@require_POST
def section_save(request: HttpRequest, pk: int) -> HttpResponse:
    section = report_section_get_for_user(request.user, pk)
    f = params(request.POST, SectionParams)
    try:
        report_section_save(
            actor=actor(request), section_id=pk, text=f["text"], version=f["version"] or 0
        )
    except DocumentRefused as exc:
        messages.error(request, f"“{section.heading}”未保存:{exc}")
    else:
        messages.success(request, f"“{section.heading}”已保存")
    return redirect(_report_url(section.report.unit, section.report.edition) + f"#s-{pk}")


@login_required
def report_export(request: HttpRequest) -> HttpResponse:
    unit, edition, _ = _unit_and_edition(request)
    _, sections = export_sections(unit, edition)
    unfinished = sections_to_complete(sections)
    if unfinished:
        messages.error(request, export_refusal(unfinished))
        return redirect(_report_url(unit, edition))
    document = export_document(unit, edition)
    if request.GET.get("format") == "pdf":
        return file_download(render_pdf(document), f"{document.title}.pdf", PDF)
    return file_download(render_docx(document), f"{document.title}.docx", DOCX)


@login_required
def batch_page(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).has(Role.OFFICE):
        raise PermissionDenied("只有测评办公室人员可以批量生成")
    editions = list(FrameworkEdition.objects.defer("source"))
    f = params(request.POST if request.method == "POST" else request.GET, BatchParams)
    edition = next((e for e in editions if e.pk == f["edition"]), editions[0] if editions else None)
    units = (
        units_visible_to(request.user)
        .filter(unit_type__name__in=edition.unit_types if edition else [])
        .select_related("region", "unit_type")
        .order_by("region_path", "name")
    )
    if request.method == "POST" and edition is not None:
        chosen = f["units"]
        allowed = set(units.filter(pk__in=chosen).values_list("pk", flat=True))
        if not allowed:
            messages.error(request, "请至少选择一个单位")
        elif len(allowed) > BATCH_LIMIT:
            messages.error(request, f"一次最多生成{BATCH_LIMIT}份")
        else:
            job = job_start(
                kind="reports",
                label=f"批量生成自查报告({len(allowed)}个单位)",
                owner=actor(request),
                params={"edition": edition.pk, "units": [u for u in chosen if u in allowed]},
            )
            return redirect("jobs:detail", pk=job.pk)
    return render(
        request,
        "documents/batch.html",
        {"editions": editions, "edition": edition, "units": units[:BATCH_LIMIT]},
    )


def _admin(request: HttpRequest) -> None:
    if not scope_for(request.user).is_admin:
        raise PermissionDenied("只有系统管理员可以管理文书模板")


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    _admin(request)
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        try:
            if request.POST.get("reset"):
                template_reset(actor=actor(request), kind=kind)
                messages.success(request, "已恢复默认模板")
            else:
                upload = request.FILES.get("file")
                if upload is None:
                    raise DocumentRefused("请选择模板文件")
                template_upload(
                    actor=actor(request), kind=kind, name=upload.name or "", content=upload.read()
                )
                messages.success(request, "模板已通过样例数据检查并启用")
        except (DocumentRefused, TemplateInvalid) as exc:
            messages.error(request, f"模板未启用:{exc}")
        return redirect("documents:templates")
    kinds = [(kind, label, template_in_force(kind)[1]) for kind, label in KINDS.items()]
    return render(request, "documents/templates.html", {"kinds": kinds})


@login_required
def template_download(request: HttpRequest, kind: str) -> HttpResponse:
    _admin(request)
    if kind not in KINDS:
        raise Http404("没有这种文书类型")
    content, _ = template_in_force(kind)
    return file_download(content, f"{KINDS[kind]}模板.docx", DOCX)


@login_required
def bulletin_sample(request: HttpRequest) -> HttpResponse:
    """A kind's sample through the template in force (.docx) or the PDF writer."""
    _admin(request)
    kind = request.GET.get("kind") or "bulletin"
    if kind not in KINDS:
        raise Http404("没有这种文书类型")
    document = sample_document(kind)
    name = f"{KINDS[kind]}(样例)"
    if request.GET.get("format") == "pdf":
        return file_download(render_pdf(document), f"{name}.pdf", PDF)
    template, _ = template_in_force(kind)
    return file_download(render_with_template(template, document), f"{name}.docx", DOCX)
