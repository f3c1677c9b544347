"""What every contract suite shares: the asyncio backend and builders of valid entities."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from moviecore import Collection, CollectionSummary, Movie, User


class Contract:
    """Base of every contract suite."""

    # Module scope, like anyio's own fixture, so module-scoped async fixtures may use it.
    @pytest.fixture(scope="module")
    @staticmethod
    def anyio_backend() -> str:
        """Run the contract's async tests on asyncio."""
        return "asyncio"


def user(username: str | None = None) -> User:
    """A user with a fresh id, and a fresh name unless one is given."""
    name = username or f"user-{uuid4().hex[:12]}"
    return User(id=uuid4(), username=name, password_hash=f"hash-of-{name}")


def movie(title: str, genres: str = "", description: str = "") -> Movie:
    """A movie with a fresh uuid."""
    return Movie(uuid=uuid4(), title=title, description=description, genres=genres)


def collection(owner: UUID, title: str, *movies: Movie, description: str = "") -> Collection:
    """A new collection (version 1) with a fresh uuid."""
    return Collection(
        uuid=uuid4(), owner=owner, title=title, description=description, movies=tuple(movies)
    )


def summary(listed: Collection) -> CollectionSummary:
    """How ``listed`` appears in a page."""
    return CollectionSummary.of(listed)
