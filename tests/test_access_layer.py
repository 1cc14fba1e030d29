"""Views reach unit-scoped objects only through the access layer.

A *scoped model* is ``Unit`` and every model with a foreign key to ``Unit``, a ``unit_id`` column
or a ``region_path`` column (found from the model registry, so a new one is covered at once). A
*views module* is every module that holds a view the URL configuration routes to, plus every
``wenming/**/views*.py``, ``wenming/**/*_views.py`` and ``wenming/**/views/*.py``. In a views
module, ``<ScopedModel>.objects.…(…)`` and ``get_object_or_404(<ScopedModel>, …)`` /
``get_list_or_404(<ScopedModel>, …)`` are refused: fetch with the app's ``*_get_for_user`` /
``*_visible_to`` helper (built on ``wenming.accounts.scope``) instead.

Not refused: a query set passed to ``Prefetch(...)`` (it only loads the children of rows the
view already fetched through a helper). Not covered: models that hang off a scoped model by
another foreign key (``Sheet`` → ``Application``, ``ProblemStep`` → ``Problem``); fetch those
from a parent reached through a helper.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

import wenming
from wenming.organizations.models import Unit

ROOT = Path(wenming.__file__).parent

# Models that hold a unit but are not scoped by it.
NOT_SCOPED_BY_UNIT = {
    "onsite.Expert": "the expert pool an office picks teams from; home_unit marks conflicts of "
    "interest, it is not the expert's owner",
    "accounts.RoleGrant": "grants are managed through accounts.services.users_manageable_by",
    "dashboards.Entry": "tally rows, read through the dashboards' own scope (dashboards/scope.py)",
}

# (views module, function, model): raw fetches that are fine, each with its reason.
ALLOWED = {
    (
        "wenming.onsite.views.office",
        "campaign_page",
        "onsite.Assignment",
    ): "the assignments of a campaign _campaign() checked the person runs (runs_campaign); "
    "an assignment is reached by its team or by the office running the campaign, not by unit",
    (
        "wenming.rectification.views.problems",
        "problem_detail",
        "attachments.Attachment",
    ): "the files of the steps of the problem just fetched with problem_get_for_user",
}

REFUSING_SHORTCUTS = {"get_object_or_404", "get_list_or_404"}


def scoped_models() -> dict[type[models.Model], str]:
    found: dict[type[models.Model], str] = {}
    for model in apps.get_models():
        label = model._meta.label
        if label in NOT_SCOPED_BY_UNIT or not model.__module__.startswith("wenming."):
            continue
        holds_unit = model is Unit or any(
            f.name in ("region_path", "unit_id")
            or (isinstance(f, models.ForeignKey) and f.related_model is Unit)
            for f in model._meta.get_fields()
            if not f.auto_created
        )
        if holds_unit:
            found[model] = label
    return found


def views_modules() -> set[str]:
    names: set[str] = set()

    def walk(resolver: URLResolver) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                walk(entry)
            elif isinstance(entry, URLPattern):
                module = getattr(entry.callback, "__module__", "") or ""
                if module.startswith("wenming."):
                    names.add(module)

    walk(get_resolver())
    for pattern in ("**/views*.py", "**/*_views.py", "**/views/*.py"):
        for path in ROOT.glob(pattern):
            if "migrations" not in path.parts and path.name != "__init__.py":
                names.add("wenming." + ".".join(path.relative_to(ROOT).with_suffix("").parts))
    return names


def raw_fetches(
    source: str, namespace: dict[str, object], scoped: dict[type[models.Model], str]
) -> list[tuple[int, str, str, str]]:
    """(line, enclosing function, model label, code) of each raw fetch of a scoped model."""
    tree = ast.parse(source)
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node

    def inside_prefetch(node: ast.AST) -> bool:
        while node in parents:
            node = parents[node]
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Prefetch":
                return True
        return False

    def function_of(node: ast.AST) -> str:
        while node in parents:
            node = parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node.name
        return "<module>"

    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.expr):
            continue
        name = None
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "objects"
            and isinstance(node.value, ast.Name)
        ):
            name = node.value.id
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in REFUSING_SHORTCUTS
            and node.args
            and isinstance(node.args[0], ast.Name)
        ):
            name = node.args[0].id
        if name is None:
            continue
        model = namespace.get(name)
        if not isinstance(model, type) or model not in scoped or inside_prefetch(node):
            continue
        found.append((node.lineno, function_of(node), scoped[model], ast.unparse(node)[:90]))
    return sorted(found)


def test_views_fetch_scoped_models_only_through_the_access_layer() -> None:
    scoped = scoped_models()
    offences = []
    used = set()
    for name in sorted(views_modules()):
        module = importlib.import_module(name)
        source = Path(module.__file__ or "").read_text(encoding="utf-8")
        for line, function, label, code in raw_fetches(source, vars(module), scoped):
            key = (name, function, label)
            if key in ALLOWED:
                used.add(key)
                continue
            offences.append(f"{name}:{line} in {function}(): {code}")
    assert not offences, (
        "fetch these through the app's *_get_for_user / *_visible_to helper "
        "(wenming/accounts/scope.py):\n" + "\n".join(offences)
    )
    assert used == set(ALLOWED), f"allow-list entries that match nothing: {set(ALLOWED) - used}"


def test_the_list_of_scoped_models_is_built_from_the_models() -> None:
    labels = set(scoped_models().values())
    for expected in (
        "organizations.Unit",
        "campaigns.Application",
        "rectification.Problem",
        "titles.Title",
        "assessments.SelfAssessment",
        "ledger.Activity",
        "attachments.Attachment",
        "jobs.Job",
    ):
        assert expected in labels
    assert not labels & set(NOT_SCOPED_BY_UNIT)


def test_every_views_module_is_checked() -> None:
    modules = views_modules()
    for expected in (
        "wenming.web.views",
        "wenming.campaigns.results_views",
        "wenming.onsite.views.office",
        "wenming.jobs.views",
    ):
        assert expected in modules


def test_the_check_finds_a_raw_fetch() -> None:
    """The check can fail: each refused shape is found, the helpers and Prefetch are not."""
    from django.db.models import Prefetch
    from django.shortcuts import get_object_or_404

    from wenming.campaigns.models import Application
    from wenming.frameworks.models import FrameworkEdition

    source = """
def page(request, pk):
    unit = Unit.objects.get(pk=pk)
    rows = Application.objects.select_related("unit").filter(pk=pk)
    one = get_object_or_404(Unit, pk=pk)
    fine = units_visible_to(request.user).filter(pk=pk)
    children = Prefetch("applications", queryset=Application.objects.only("id"))
    edition = FrameworkEdition.objects.get(pk=pk)
"""
    namespace: dict[str, object] = {
        "Unit": Unit,
        "Application": Application,
        "FrameworkEdition": FrameworkEdition,
        "Prefetch": Prefetch,
        "get_object_or_404": get_object_or_404,
    }
    found = raw_fetches(source, namespace, scoped_models())
    assert [(line, function, label) for line, function, label, _ in found] == [
        (3, "page", "organizations.Unit"),
        (4, "page", "campaigns.Application"),
        (5, "page", "organizations.Unit"),
    ]
