"""The tree reads bottom-up: no module imports from a layer above its own, and packages of the
same layer do not import each other (no loops). Function-level imports count too."""

from __future__ import annotations

import ast

from tests.helpers.data import REPO

LAYERS = [
    {"lstmcast", "lstmcast.errors", "lstmcast.text", "lstmcast.files"},
    {"lstmcast.locks"},
    {"lstmcast.internals", "lstmcast.phases"},
    {"lstmcast.runtime"},
    {"lstmcast.config"},
    {"lstmcast.data"},
    {"lstmcast.models"},
    {"lstmcast.artifacts"},
    {"lstmcast.tracking"},
    {"lstmcast.plots"},
    {"lstmcast.prediction"},
    {"lstmcast.evaluation"},
    {"lstmcast.training"},
    {"lstmcast.workflows"},
    {"lstmcast.tuning"},
    {"lstmcast.reporting"},
    {"lstmcast.cli"},
    {"lstmcast.__main__"},
]


def unit(module: str) -> str:
    """The package or top-level module that a dotted name belongs to."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else parts[0]


def layer_of(module: str) -> int:
    name = unit(module)
    for index, members in enumerate(LAYERS):
        if name in members:
            return index
    raise AssertionError(f"{module} belongs to no layer; add it to LAYERS")


def imports() -> list[tuple[str, str]]:
    """(importing module, imported lstmcast module) for every import in the package."""
    found = []
    for path in sorted((REPO / "lstmcast").rglob("*.py")):
        module = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "lstmcast":
                found += [(module, _submodule(alias.name)) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.append((module, node.module))
            elif isinstance(node, ast.Import):
                found += [(module, alias.name) for alias in node.names]
    return [(source, target) for source, target in found if target.startswith("lstmcast")]


def _submodule(name: str) -> str:
    """`from lstmcast import X`: a module or package X, or a name of lstmcast/__init__.py."""
    exists = (REPO / "lstmcast" / f"{name}.py").exists() or (REPO / "lstmcast" / name).is_dir()
    return f"lstmcast.{name}" if exists else "lstmcast"


def test_every_module_has_a_layer():
    for source, target in imports():
        layer_of(source), layer_of(target)


def test_no_import_runs_back_up_or_sideways():
    wrong = [
        f"{source} -> {target}"
        for source, target in imports()
        if unit(source) != unit(target) and layer_of(target) >= layer_of(source)
    ]
    assert wrong == []


def test_the_layers_have_the_imports_that_define_them():
    """A sanity check that the scan sees function-level imports (TensorFlow loads lazily)."""
    found = set(imports())
    assert ("lstmcast.workflows.forecast", "lstmcast.runtime") in found  # inside forecast()
    assert ("lstmcast.data.windows", "lstmcast.runtime") in found


CLI_MAY_IMPORT = {
    "lstmcast", "lstmcast.errors", "lstmcast.text", "lstmcast.files", "lstmcast.cli",
    "lstmcast.config", "lstmcast.workflows", "lstmcast.reporting", "lstmcast.tuning",
}  # fmt: skip
"""A command parses its options, calls one workflow and renders what it returns: the work
itself lives below."""


def test_the_cli_only_calls_workflows():
    reaching = sorted(
        f"{source} -> {target}"
        for source, target in imports()
        if unit(source) == "lstmcast.cli" and unit(target) not in CLI_MAY_IMPORT
    )
    assert reaching == []
