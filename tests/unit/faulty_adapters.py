"""Adapters with one deliberate bug each, as a downstream author might write them.

Each differs from the in-memory adapter it extends in one observable way; the
contract kit must reject every one (see test_contract_kit.py).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from uuid import UUID

from moviecore import Collection, CollectionChanges, Movie, User, count_genres
from moviecore.testing import MemoryCollectionRepository, MemoryUserRepository


def _cut(text: str) -> str:
    return text[:255]


def _cut_movie(movie: Movie) -> Movie:
    return replace(
        movie,
        title=_cut(movie.title),
        description=_cut(movie.description),
        genres=_cut(movie.genres),
    )


class _AltersUpdates(MemoryCollectionRepository):
    """Hands every update to the correct adapter after ``altered`` has had its way with it."""

    async def update(
        self,
        owner: UUID,
        uuid: UUID,
        changes: CollectionChanges,
        *,
        expected_version: int | None = None,
    ) -> Collection | None:
        """Apply the changes as ``altered`` leaves them."""
        changes, expected_version = await self.altered(owner, uuid, changes, expected_version)
        return await super().update(owner, uuid, changes, expected_version=expected_version)

    async def altered(
        self, owner: UUID, uuid: UUID, changes: CollectionChanges, expected_version: int | None
    ) -> tuple[CollectionChanges, int | None]:
        """The changes and expected version as this adapter's bug makes them."""
        return changes, expected_version


class TrimsTitles(_AltersUpdates):
    """Strips surrounding white space from titles on write."""

    async def add(self, collection: Collection) -> None:
        """Store the collection with its title stripped."""
        await super().add(replace(collection, title=collection.title.strip()))

    async def altered(
        self, owner: UUID, uuid: UUID, changes: CollectionChanges, expected_version: int | None
    ) -> tuple[CollectionChanges, int | None]:
        """The changes with the title stripped."""
        title = None if changes.title is None else changes.title.strip()
        return replace(changes, title=title), expected_version


class CutsTextAt255(MemoryCollectionRepository):
    """Keeps at most 255 characters of every text, as a VARCHAR(255) column would."""

    async def add(self, collection: Collection) -> None:
        """Store the collection with every text cut to 255 characters."""
        await super().add(
            replace(
                collection,
                title=_cut(collection.title),
                description=_cut(collection.description),
                movies=tuple(_cut_movie(movie) for movie in collection.movies),
            )
        )


class CountsGenreStringsOnce(MemoryCollectionRepository):
    """Counts two movies of a collection with identical genre strings as one."""

    async def genre_counts(self, owner: UUID) -> Mapping[str, int]:
        """Genre counts over movies made distinct by their genre string."""
        total: Counter[str] = Counter()
        for stored in self._owned(owner).values():
            distinct = {movie.genres: movie for movie in stored.movies}
            total.update(count_genres(distinct.values()))
        return dict(total)


class EmptyListKeepsMovies(_AltersUpdates):
    """Treats an update to an empty movie list as no change to the movies."""

    async def altered(
        self, owner: UUID, uuid: UUID, changes: CollectionChanges, expected_version: int | None
    ) -> tuple[CollectionChanges, int | None]:
        """The changes without an empty movie list."""
        return replace(changes, movies=changes.movies or None), expected_version


class ReadsThenWrites(_AltersUpdates):
    """Reads the collection, then writes it back after a pause: a lost update."""

    async def altered(
        self, owner: UUID, uuid: UUID, changes: CollectionChanges, expected_version: int | None
    ) -> tuple[CollectionChanges, int | None]:
        """Every field, read before a pause, with the given ones changed."""
        current = await self.get(owner, uuid)
        await asyncio.sleep(0)  # another task runs here, as another connection would
        if current is None:
            return changes, expected_version
        whole = CollectionChanges(
            title=current.title if changes.title is None else changes.title,
            description=current.description if changes.description is None else changes.description,
            movies=current.movies if changes.movies is None else changes.movies,
        )
        return whole, expected_version


class IgnoresVersions(_AltersUpdates):
    """Applies every update and removal whatever version the caller expects."""

    async def altered(
        self, owner: UUID, uuid: UUID, changes: CollectionChanges, expected_version: int | None
    ) -> tuple[CollectionChanges, int | None]:
        """The changes, expecting no version."""
        return changes, None

    async def remove(self, owner: UUID, uuid: UUID, *, expected_version: int | None = None) -> bool:
        """Remove unconditionally."""
        return await super().remove(owner, uuid)


class RaisesValueErrorOnDuplicate(MemoryCollectionRepository):
    """Raises a ValueError of its own for a duplicate uuid, instead of the core's error."""

    async def add(self, collection: Collection) -> None:
        """Store the collection, refusing a stored uuid with ValueError."""
        if collection.uuid in self._owner_of:
            raise ValueError("duplicate key")
        await super().add(collection)


class LowersNames(MemoryUserRepository):
    """Compares usernames with str.lower, so ß and SS do not match."""

    async def by_username(self, username: str) -> User | None:
        """The user whose lowered name matches."""
        for stored in self._by_id.values():
            if stored.username.lower() == username.lower():
                return stored
        return None


class FailsOnNul(MemoryUserRepository):
    """Raises on a username with NUL, as a database driver would, instead of finding nobody."""

    async def by_username(self, username: str) -> User | None:
        """The user with this name; a NUL raises."""
        if "\x00" in username:
            raise ValueError("A string literal cannot contain NUL (0x00) characters.")
        return await super().by_username(username)
