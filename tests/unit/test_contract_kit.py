"""The contract kit rejects adapters with a single observable deviation."""

from __future__ import annotations

import pytest

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
