"""The contract kit rejects adapters with a single observable deviation."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import moviecore.testing
from fixtures.kit import first_error
from moviecore.testing.pytest_plugin import ASSERTING_MODULES

pytest_plugins = ["pytester"]

COLLECTION_BUGS = [
    "TrimsTitles",
    "CutsTextAt255",
    "CountsGenreStringsOnce",
    "EmptyListKeepsMovies",
    "ReadsThenWrites",
    "IgnoresVersions",
    "RaisesValueErrorOnDuplicate",
    "ChecksVersionBeforeOwner",
    "SortsByTitle",
    "AddsAfterAPause",
    "MergesGenreForms",
]
USER_BUGS = [
    "LowersNames",
    "FailsOnNul",
    "IgnoresTrailingSpaces",
    "FoldsCompatibilityForms",
    "MatchesLikePatterns",
    "RegistersAfterAPause",
]
CATALOG_BUGS = ["CountsThePage", "FullLastPageHasNext", "PastTheEndFails"]

_COLLECTION_SUITE = """
import pytest
from moviecore.testing import MemoryUserRepository
from moviecore.testing.contracts import CollectionRepositoryContract
from unit.faulty_adapters import {name}

class TestFaulty(CollectionRepositoryContract):
    @pytest.fixture
    def users(self):
        return MemoryUserRepository()

    @pytest.fixture
    def collections(self):
        return {name}()
"""

_USER_SUITE = """
import pytest
from moviecore.testing.contracts import UserRepositoryContract
from unit.faulty_adapters import {name}

class TestFaulty(UserRepositoryContract):
    @pytest.fixture
    def users(self):
        return {name}()
"""


_CATALOG_SUITE = """
import pytest
from moviecore.testing.contracts import CatalogContract
from unit.faulty_adapters import {name}

class TestFaulty(CatalogContract):
    @pytest.fixture
    def catalog(self, catalog_movies):
        return {name}(catalog_movies)
"""


def _outcomes(pytester: pytest.Pytester, suite: str) -> dict[str, int]:
    pytester.makepyfile(test_faulty=suite)
    return pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider").parseoutcomes()


def _failures(pytester: pytest.Pytester, suite: str) -> int:
    return _outcomes(pytester, suite).get("failed", 0)


@pytest.mark.parametrize("name", COLLECTION_BUGS)
def test_collection_contract_rejects_each_bug(pytester: pytest.Pytester, name: str) -> None:
    """A collection repository with any one of the known bugs fails the contract."""
    assert _failures(pytester, _COLLECTION_SUITE.format(name=name)) >= 1


@pytest.mark.parametrize("name", USER_BUGS)
def test_user_contract_rejects_each_bug(pytester: pytest.Pytester, name: str) -> None:
    """A user repository with any one of the known bugs fails the contract."""
    assert _failures(pytester, _USER_SUITE.format(name=name)) >= 1


@pytest.mark.parametrize("name", CATALOG_BUGS)
def test_catalog_contract_rejects_each_bug(pytester: pytest.Pytester, name: str) -> None:
    """A read-only catalog with any one of the known bugs fails the catalog contract."""
    assert _failures(pytester, _CATALOG_SUITE.format(name=name)) >= 1


@pytest.mark.parametrize(
    ("suite", "name"),
    [(_COLLECTION_SUITE, "MemoryCollectionRepository"), (_CATALOG_SUITE, "MemoryMovieStore")],
)
def test_the_correct_adapters_pass(pytester: pytest.Pytester, suite: str, name: str) -> None:
    """The in-memory adapters the faulty ones extend pass their contracts."""
    correct = suite.format(name=name).replace(
        f"from unit.faulty_adapters import {name}", f"from moviecore.testing import {name}"
    )
    outcomes = _outcomes(pytester, correct)
    assert (outcomes.get("failed", 0), outcomes["passed"] >= 9) == (0, True)


@pytest.mark.parametrize(
    ("autoload", "options", "head"),
    [
        (True, [], ["AssertionError:", "assert"]),
        (
            False,
            ["-p", "anyio", "-p", "moviecore.testing.pytest_plugin"],
            ["AssertionError:", "assert"],
        ),
        (False, ["-p", "anyio"], ["AssertionError"]),
    ],
    ids=["entry-point", "named-plugin", "no-plugin"],
)
def test_a_failing_case_shows_the_values_compared(
    tmp_path: Path, autoload: bool, options: list[str], head: list[str]
) -> None:
    """With the kit's plugin, loaded by its entry point or by name, a failing contract case
    shows the values it compared; without it, a bare AssertionError."""
    shown = first_error(sys.executable, tmp_path, *options, autoload=autoload)
    assert shown[: len(head)] == head


def test_every_kit_module_that_asserts_is_rewritten() -> None:
    """The plugin registers for assertion rewriting exactly the kit's modules holding asserts."""
    folder = Path(moviecore.testing.__file__).parent
    asserting = {
        f"moviecore.testing.{path.stem}"
        for path in folder.glob("*.py")
        if any(isinstance(node, ast.Assert) for node in ast.walk(ast.parse(path.read_text())))
    }
    assert asserting == set(ASSERTING_MODULES)


def test_a_long_text_shows_its_first_difference(pytester: pytest.Pytester) -> None:
    """Two long texts differing near their end show where, which a cut diff would hide."""
    texts = "'x' * 500 + 'a' + 'y' * 500 == 'x' * 500 + 'b' + 'y' * 500"
    pytester.makepyfile(test_long=f"def test_long():\n    assert {texts}\n")
    shown = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider").stdout.str()
    around = "x" * 30, "y" * 29
    # Once in the failure, and again in the summary when -ra is in effect.
    assert list(
        dict.fromkeys(
            line.split("...", 1)[-1]
            for line in shown.splitlines()
            if "  left:" in line or "  right:" in line
        )
    ) == [
        repr(f"{around[0]}a{around[1]}"),
        repr(f"{around[0]}b{around[1]}"),
    ]
    assert "first difference at character 500:" in shown


_FAULT_SUITE = """
import pytest
from moviecore.testing import MemoryCollectionRepository, MemoryUserRepository
from moviecore.testing.contracts import StorageFaultContract
from unit.faulty_adapters import Breakable, leaking_outage

class TestLeaking(StorageFaultContract):
    @pytest.fixture
    def outage(self):
        return leaking_outage()

    @pytest.fixture
    def users(self, outage):
        return Breakable(MemoryUserRepository(), outage)

    @pytest.fixture
    def collections(self, outage):
        return Breakable(MemoryCollectionRepository(), outage)

    @pytest.fixture
    def break_storage(self, outage):
        return outage.begin
"""


def test_the_fault_contract_rejects_a_leaking_adapter(pytester: pytest.Pytester) -> None:
    """An adapter letting sqlite3's error out fails every call of the storage fault contract,
    each failure naming the call, the error that leaked and the adapter's line it left."""
    pytester.makepyfile(test_faulty=_FAULT_SUITE)
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider")
    # the failures' own lines, not the summary's, which repeats them where CI is set
    named = [
        line
        for line in result.outlines
        if not line.startswith("FAILED ") and "raised sqlite3.OperationalError" in line
    ]
    raised_at = f"{Path(__file__).parent / 'faulty_adapters.py'}:"
    assert {
        "failed": result.parseoutcomes().get("failed"),
        "naming sqlite3": len(named),
        "naming the adapter's line": sum(raised_at in line for line in named),
        "showing a chained error": "During handling" in result.stdout.str(),
    } == {
        "failed": 12,
        "naming sqlite3": 12,
        "naming the adapter's line": 12,
        "showing a chained error": False,
    }
    assert "collections.page(owner, 0, 10) on broken storage raised" in result.stdout.str()
