"""The architecture's import rules (pyproject.toml [tool.importlinter], docs/architecture.md)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import grimp
import pytest
from importlinter import cli

PYPROJECT = Path(__file__).parent.parent / "pyproject.toml"


def contracts() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"][
        "contracts"
    ]
    return found


def lint(config: Path) -> int:
    return cli.lint_imports(config_filename=str(config), no_cache=True, no_logo=True)


def test_the_import_contracts_hold() -> None:
    assert lint(PYPROJECT) == 0


def test_an_upward_import_inside_a_function_breaks_the_layers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """import-linter sees imports inside functions: a lower module that imports a higher one in a
    function body breaks a layers contract, and the same package without that import keeps it."""
    package = tmp_path / "layered"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "high.py").write_text("from layered import low\n")
    config = tmp_path / "pyproject.toml"
    config.write_text(
        '[tool.importlinter]\nroot_package = "layered"\n\n'
        '[[tool.importlinter.contracts]]\nname = "high over low"\ntype = "layers"\n'
        'layers = ["layered.high", "layered.low"]\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    (package / "low.py").write_text("def f() -> None:\n    return None\n")
    assert lint(config) == 0
    (package / "low.py").write_text("def f() -> None:\n    from layered import high  # noqa\n")
    assert lint(config) == 1


def modules_in(package: Path, prefix: str) -> set[str]:
    return {
        f"{prefix}.{path.stem if path.suffix == '.py' else path.name}"
        for path in package.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()
    }


def test_every_app_and_every_web_module_sits_in_a_layer() -> None:
    """wenming.web is split between the top row and the request toolkit, so each of its modules
    is placed one by one; a new app or a new web module fails here until it is given a row."""
    (layers,) = [c for c in contracts() if c["id"] == "layers"]
    placed = {name.strip() for layer in layers["layers"] for name in layer.split(":")}
    package = Path(__file__).parent.parent / "wenming"
    expected = (modules_in(package, "wenming") - {"wenming.web"}) | modules_in(
        package / "web", "wenming.web"
    )
    assert placed == expected


def test_core_is_forbidden_every_other_module() -> None:
    (core,) = [c for c in contracts() if c["id"] == "core-pure"]
    package = Path(__file__).parent.parent / "wenming"
    assert set(core["forbidden_modules"]) == (modules_in(package, "wenming") - {"wenming.core"}) | {
        "django"
    }


def test_no_import_cycle_between_modules() -> None:
    """With the listed debts set aside, no module imports itself through others (any app)."""
    graph = grimp.build_graph("wenming", cache_dir=None)
    for contract in contracts():
        for expression in contract.get("ignore_imports", []):
            importer, imported = (part.strip() for part in expression.split("->"))
            if "*" not in importer and graph.direct_import_exists(
                importer=importer, imported=imported
            ):
                graph.remove_import(importer=importer, imported=imported)
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            assert not graph.chain_exists(importer=imported, imported=module), (module, imported)


def test_every_ignored_import_names_the_work_that_removes_it() -> None:
    """An ignore line is a debt: the comment above its group says which issue-15 work removes it."""
    section = PYPROJECT.read_text().split("[tool.importlinter]", 1)[1]
    comment, entries = "", 0
    for line in section.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            comment = stripped if entries else comment + stripped
            entries = 0
        elif re.fullmatch(r'"[\w.*]+ -> [\w.*]+",', stripped):
            assert "issue 15" in comment, stripped
            entries += 1
        elif stripped:
            comment, entries = "", 0
