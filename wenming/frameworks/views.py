from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from wenming.core.formats import framework_to_xlsx
from wenming.core.framework import EFFECT_LABELS
from wenming.core.points import fmt, to_centi
from wenming.core.styles import REGISTRY
from wenming.frameworks.models import FrameworkEdition
from wenming.frameworks.selectors import engine_of, framework_edition_list, framework_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def edition_list(request: HttpRequest) -> HttpResponse:
    return render(request, "frameworks/list.html", {"editions": framework_edition_list()})


@login_required
def edition_detail(request: HttpRequest, code: str, edition: str) -> HttpResponse:
    stored = get_object_or_404(FrameworkEdition, code=code, edition=edition)
    framework, engine = framework_of(stored), engine_of(stored)
    rows = [
        {
            "node": node,
            "depth": depth,
            "indent": (depth - 1) * 1.25,
            "points": fmt(to_centi(node.points)),
            "style": REGISTRY[node.style].label if node.is_leaf else "",
            "bonus": node.code in engine.bonus_codes,
        }
        for node, _, depth in framework.walk()
    ]
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
        response = HttpResponse(stored.source, content_type="text/yaml; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(framework_to_xlsx(framework_of(stored)), content_type=XLSX)
    else:
        raise Http404("不支持的导出格式")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
