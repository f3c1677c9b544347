"""The public API reads as one package: names, signatures and docstrings a user sees."""

import ast
import dataclasses
import importlib
import inspect
import pkgutil
import pydoc
import re
import typing
from pathlib import Path
from types import ModuleType

import pytest

import moviecore
import moviecore.ports
import moviecore.sync
import moviecore.testing
import moviecore.use_cases
from moviecore.ports import Ports
from moviecore.testing import in_memory_ports

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [moviecore, moviecore.ports, moviecore.sync, moviecore.testing, moviecore.use_cases]
USE_CASES = [
    getattr(module, name)
    for module in (moviecore.use_cases, moviecore.sync)
    for name in module.__all__
    if inspect.iscoroutinefunction(getattr(module, name))
]
ERRORS = {
    name
    for name in moviecore.__all__
    if inspect.isclass(getattr(moviecore, name))
    and issubclass(getattr(moviecore, name), moviecore.MovieCoreError)
}
# In a "Raises:" section, the names before each colon: "    A, B: why" or "    A: why".
RAISES = re.compile(r"^ {4}(\w+(?:, \w+)*):", re.MULTILINE)


def _public(package: ModuleType) -> list[object]:
    values = [getattr(package, name) for name in package.__all__]
    return [value for value in values if inspect.isclass(value) or inspect.isfunction(value)]


@pytest.mark.parametrize("package", PACKAGES, ids=lambda package: package.__name__)
def test_public_names_report_the_package_they_are_imported_from(package: ModuleType) -> None:
    """help(), reprs and tracebacks name each public class and function after its package."""
    modules = {value.__module__ for value in _public(package)}  # type: ignore[attr-defined]
    assert modules == {package.__name__}


@pytest.mark.parametrize("package", PACKAGES, ids=lambda package: package.__name__)
def test_public_classes_resolve_their_type_hints(package: ModuleType) -> None:
    """Tools that read annotations (hypothesis's from_type, msgspec) resolve every class's."""
    classes = [value for value in _public(package) if inspect.isclass(value)]
    unresolved = []
    for cls in classes:
        try:
            typing.get_type_hints(cls)
        except NameError as error:
            unresolved.append(f"{cls.__name__}: {error}")
    assert unresolved == []


def test_help_shows_no_limits_repr() -> None:
    """help() on a use case shows a short signature, not the whole Limits value."""
    rendered = {
        case.__name__: pydoc.render_doc(case, renderer=pydoc.plaintext) for case in USE_CASES
    }
    assert [name for name, text in rendered.items() if "Limits(" in text] == []


@pytest.mark.parametrize("use_case", USE_CASES, ids=lambda case: case.__name__)
def test_every_use_case_names_the_errors_it_raises(use_case: object) -> None:
    """Each use case's docstring has a Raises section naming only moviecore's errors."""
    doc = inspect.getdoc(use_case) or ""
    _, found, raises = doc.partition("Raises:\n")
    named = {name for names in RAISES.findall("\n" + raises) for name in names.split(", ")}
    assert (found, bool(named), named - ERRORS) == ("Raises:\n", True, set())


def test_the_top_level_holds_what_a_caller_uses() -> None:
    """``moviecore`` offers fewer than 40 names: the facade, entities and errors, none of
    them a port, an adapter's helper or a use case's function."""
    top = set(moviecore.__all__)
    elsewhere = {*moviecore.ports.__all__, *moviecore.use_cases.__all__, *moviecore.sync.__all__}
    assert (len(top) < 40, sorted(top & elsewhere)) == (True, [])


def test_every_public_module_declares_its_names() -> None:
    """Every module a user may import says what it offers in ``__all__``."""
    names = [info.name for info in pkgutil.walk_packages(moviecore.__path__, "moviecore.")]
    public = [name for name in names if not any(part.startswith("_") for part in name.split("."))]
    missing = []
    for name in public:
        try:
            module = importlib.import_module(name)
        except ImportError:  # an extra that is not installed here
            continue
        if not hasattr(module, "__all__"):
            missing.append(name)
    assert missing == []


@pytest.mark.parametrize("field", dataclasses.fields(Ports), ids=lambda field: field.name)
def test_ports_are_runtime_checkable(field: dataclasses.Field[object]) -> None:
    """``isinstance`` tells an adapter of a port from an object without its methods."""
    port = typing.get_type_hints(Ports)[field.name]
    adapter = getattr(in_memory_ports(), field.name)
    assert (isinstance(adapter, port), isinstance(object(), port)) == (True, False)


def _moviecore_names(tree: ast.AST) -> set[str]:
    """The names a module takes from ``moviecore``, imported or as ``moviecore.NAME``."""
    taken = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "moviecore":
            taken |= {alias.name for alias in node.names}
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            taken |= {node.attr} if node.value.id == "moviecore" else set()
    return taken


def test_nothing_here_uses_a_deprecated_name() -> None:
    """The service, the kit, the tools, the examples and the tests take from ``moviecore`` only
    what it offers now, so that removing the old names in 0.3 breaks nothing of ours."""
    sources = [
        path
        for folder in ("src", "tests", "examples", "tools", "bench")
        for path in (ROOT / folder).rglob("*.py")
        # the test of the old names uses them on purpose
        if path.name != "test_movie_core.py"
    ]
    offered = {*moviecore.__all__, "__all__", "__version__", "__file__", "__path__"}
    offered |= {"ports", "security", "sync", "testing", "use_cases"}
    used = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in sources
        for name in _moviecore_names(ast.parse(path.read_text(encoding="utf-8")))
        if name not in offered
    }
    assert sorted(used) == []
