from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from wenming.accounts.models import Role
from wenming.accounts.scope import scope_for
from wenming.core.engine import Engine
from wenming.core.errors import FileInvalid
from wenming.core.formats import (
    framework_from_bytes,
    framework_from_yaml,
    framework_to_xlsx,
    framework_to_yaml,
)
from wenming.core.framework import EFFECT_LABELS, Framework
from wenming.core.points import fmt, to_centi
from wenming.core.rules import printed_rule
from wenming.core.styles import REGISTRY
from wenming.frameworks.models import FrameworkEdition
from wenming.frameworks.selectors import engine_of, framework_edition_list, framework_of
from wenming.frameworks.services import FrameworkLocked, framework_import
from wenming.web.actor import actor
from wenming.web.downloads import XLSX, YAML, file_download


@login_required
def edition_list(request: HttpRequest) -> HttpResponse:
    return render(request, "frameworks/list.html", {"editions": framework_edition_list()})


def _tree_rows(framework: Framework, engine: Engine) -> list[dict[str, object]]:
    return [
        {
            "node": node,
            "depth": depth,
            "indent": (depth - 1) * 1.25,
            "points": fmt(to_centi(node.points)),
            "style": REGISTRY[node.style].label if node.is_leaf else "",
            "rule": printed_rule(node, framework),
            "bonus": node.code in engine.bonus_codes,
        }
        for node, _, depth in framework.walk()
    ]


@login_required
def edition_detail(request: HttpRequest, code: str, edition: str) -> HttpResponse:
    stored = get_object_or_404(FrameworkEdition, code=code, edition=edition)
    framework, engine = framework_of(stored), engine_of(stored)
    rows = _tree_rows(framework, engine)
    negative = [(n, EFFECT_LABELS[n.effect]) for n in framework.negative_list]
    return render(
        request,
        "frameworks/detail.html",
        {"stored": stored, "fw": framework, "rows": rows, "negative": negative},
    )


@login_required
def edition_export(request: HttpRequest, code: str, edition: str, fmt: str) -> HttpResponse:
    stored = get_object_or_404(FrameworkEdition, code=code, edition=edition)
    filename = f"{stored.code}-{stored.edition}"
    if fmt == "yaml":
        return file_download(stored.source.encode(), f"{filename}.yaml", YAML)
    if fmt == "xlsx":
        return file_download(framework_to_xlsx(framework_of(stored)), f"{filename}.xlsx", XLSX)
    raise Http404("不支持的导出格式")


UPLOAD_KEY = "framework_upload"
ISSUES_SHOWN = 200  # a hostile file can hold thousands


@login_required
def edition_upload(request: HttpRequest) -> HttpResponse:
    """Upload a framework file (YAML or .xlsx): validation result and tree preview, then accept."""
    user = actor(request)
    scope = scope_for(user)
    if not scope.has(Role.OFFICE):
        raise PermissionDenied("只有测评办公室可以上传测评体系")
    context: dict[str, object] = {}
    if request.method == "POST" and request.POST.get("confirm"):
        source = request.session.get(UPLOAD_KEY)
        if not source:
            messages.error(request, "上传内容已过期,请重新上传")
            return redirect("frameworks:upload")
        framework = framework_from_yaml(source)
        try:
            with transaction.atomic():
                stored, outcome = framework_import(framework=framework, actor=user)
        except FrameworkLocked as exc:
            messages.error(request, str(exc))
            return redirect("frameworks:upload")
        del request.session[UPLOAD_KEY]
        messages.success(
            request,
            {"created": "已导入", "updated": "已更新", "unchanged": "内容未变化"}[outcome]
            + f"“{stored.name}”({stored.edition}版)",
        )
        return redirect("frameworks:detail", code=stored.code, edition=stored.edition)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["issues"] = ["请选择文件"]
        elif upload.size is not None and upload.size > settings.FRAMEWORK_UPLOAD_MAX_BYTES:
            limit = settings.FRAMEWORK_UPLOAD_MAX_BYTES / (1024 * 1024)
            context["issues"] = [f"文件过大(测评体系文件上限{limit:g}MB)"]
        else:
            try:
                framework = framework_from_bytes(upload.read(), filename=upload.name or "")
            except FileInvalid as exc:
                issues = [str(issue) for issue in exc.issues[:ISSUES_SHOWN]]
                if len(exc.issues) > ISSUES_SHOWN:
                    issues.append(f"共{len(exc.issues)}处错误,以上列出前{ISSUES_SHOWN}处")
                context["issues"] = issues
            else:
                request.session[UPLOAD_KEY] = framework_to_yaml(framework)
                existing = FrameworkEdition.objects.filter(
                    code=framework.id, edition=framework.edition
                ).first()
                context.update(
                    fw=framework,
                    rows=_tree_rows(framework, Engine(framework)),
                    existing=existing,
                    filename=upload.name,
                )
    return render(request, "frameworks/upload.html", context)
