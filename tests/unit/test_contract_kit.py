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


def test_the_correct_adapters_pass(pytester: pytest.Pytester) -> None:
    """The in-memory adapters the faulty ones extend pass both contracts."""
    correct = _COLLECTION_SUITE.format(name="MemoryCollectionRepository").replace(
        "from unit.faulty_adapters import MemoryCollectionRepository",
        "from moviecore.testing import MemoryCollectionRepository",
    )
    outcomes = _outcomes(pytester, correct)
    assert (outcomes.get("failed", 0), outcomes["passed"] > 10) == (0, True)
