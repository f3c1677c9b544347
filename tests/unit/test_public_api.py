"""The public API reads as one package: names, signatures and docstrings a user sees."""

import inspect
import pydoc
import re
import typing
from types import ModuleType

import pytest

import moviecore
import moviecore.testing

PACKAGES = [moviecore, moviecore.testing]
USE_CASES = [
    getattr(moviecore, name)
    for name in moviecore.__all__
    if inspect.iscoroutinefunction(getattr(moviecore, name))
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
