"""Adapters with one deliberate bug each, as a downstream author might write them.

Each differs from the in-memory adapter it extends in one observable way; the
contract kit must reject every one (see test_contract_kit.py).
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import replace
from uuid import UUID

from moviecore import CatalogPage, Collection, CollectionChanges, Movie, User, UsernameTaken
from moviecore.ports import (
    AlreadyStored,
    CollectionEdit,
    CollectionSlice,
    check_version,
    count_genres,
)
from moviecore.testing import MemoryCollectionRepository, MemoryMovieStore, MemoryUserRepository


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
    """Hands every update to the correct adapter after ``altered`` has had its way with it;
    movie-level edits pass untouched."""

    async def update(
        self,
        owner: UUID,
        uuid: UUID,
        edit: CollectionEdit,
        *,
        expected_version: int | None = None,
    ) -> Collection | None:
        """Apply the changes as ``altered`` leaves them."""
        if isinstance(edit, CollectionChanges):
            edit, expected_version = await self.altered(owner, uuid, edit, expected_version)
        return await super().update(owner, uuid, edit, expected_version=expected_version)

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

    async def page(
        self, owner: UUID, offset: int, limit: int, *, movie: UUID | None = None
    ) -> CollectionSlice:
        """The slice, with genre counts over movies made distinct by their genre string."""
        total: Counter[str] = Counter()
        for stored in self._owned(owner).values():
            distinct = {held.genres: held for held in stored.movies}
            total.update(count_genres(distinct.values()))
        found = await super().page(owner, offset, limit, movie=movie)
        return replace(found, genre_counts=dict(total))


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


class ChecksVersionBeforeOwner(MemoryCollectionRepository):
    """Compares the expected version before asking whose collection it is."""

    def _current(self, owner: UUID, uuid: UUID, expected_version: int | None) -> Collection | None:
        anyones = self._owned(self._owner_of.get(uuid, owner)).get(uuid)
        if anyones is not None:
            check_version(anyones.version, expected_version)
        return self._owned(owner).get(uuid)


class SortsByTitle(MemoryCollectionRepository):
    """Lists collections by title, last first, instead of newest first."""

    async def page(
        self, owner: UUID, offset: int, limit: int, *, movie: UUID | None = None
    ) -> CollectionSlice:
        """The owner's collections sorted by title, descending."""
        everything = await super().page(owner, 0, 10**6, movie=movie)
        ordered = sorted(everything.summaries, key=lambda listed: listed.title, reverse=True)
        return replace(everything, summaries=tuple(ordered[offset : offset + limit]))


class AddsAfterAPause(MemoryCollectionRepository):
    """Checks that a uuid is free, pauses, then stores: two adds can both pass the check."""

    async def add(self, collection: Collection) -> None:
        """Store the collection, checking its uuid before a pause."""
        if collection.uuid in self._owner_of:
            raise AlreadyStored("duplicate")
        await asyncio.sleep(0)  # another task runs here, as another connection would
        self._owner_of.pop(collection.uuid, None)  # the check above is all that guards
        await super().add(collection)


class MergesGenreForms(MemoryCollectionRepository):
    """Counts genres after Unicode normalisation (NFC), merging forms the contract keeps apart."""

    async def page(
        self, owner: UUID, offset: int, limit: int, *, movie: UUID | None = None
    ) -> CollectionSlice:
        """The slice with genre names normalised to NFC."""
        found = await super().page(owner, offset, limit, movie=movie)
        merged: Counter[str] = Counter()
        for genre, n in found.genre_counts.items():
            merged[unicodedata.normalize("NFC", genre)] += n
        return replace(found, genre_counts=dict(merged))


class _AltersNames(MemoryUserRepository):
    """Looks a name up after ``altered`` has had its way with it."""

    async def by_username(self, username: str) -> User | None:
        """The user whose name matches the altered one."""
        return await super().by_username(self.altered(username))

    def altered(self, username: str) -> str:
        """The name as this adapter's bug makes it."""
        return username


class IgnoresTrailingSpaces(_AltersNames):
    """Compares names padded with spaces, as SQL's CHAR comparison does."""

    def altered(self, username: str) -> str:
        """The name without trailing spaces."""
        return username.rstrip(" ")


class FoldsCompatibilityForms(_AltersNames):
    """Folds full-width and other compatibility characters (NFKC) before comparing."""

    def altered(self, username: str) -> str:
        """The name in NFKC."""
        return unicodedata.normalize("NFKC", username)


class MatchesLikePatterns(MemoryUserRepository):
    """Looks names up with SQL LIKE, so ``_`` and ``%`` in a name are wildcards."""

    async def by_username(self, username: str) -> User | None:
        """The first user whose casefolded name the name matches as a LIKE pattern."""
        pattern = "".join(
            "." if char == "_" else ".*" if char == "%" else re.escape(char)
            for char in username.casefold()
        )
        for key, user_id in self._id_by_key.items():
            if re.fullmatch(pattern, key, re.DOTALL):
                return self._by_id[user_id]
        return None


class RegistersAfterAPause(MemoryUserRepository):
    """Checks that a name is free, pauses, then stores: two can both pass the check."""

    async def add(self, user: User) -> None:
        """Store the user, checking the name before a pause."""
        if user.username.casefold() in self._id_by_key:
            raise UsernameTaken("taken")
        await asyncio.sleep(0)  # another task runs here, as another connection would
        self._id_by_key.pop(user.username.casefold(), None)  # the check above is all
        await super().add(user)


class CountsThePage(MemoryMovieStore):
    """Gives as the count the movies on the page, not in the whole catalog."""

    async def page(self, number: int) -> CatalogPage:
        """The page, counting only its own movies."""
        served = await super().page(number)
        return replace(served, count=len(served.movies))


class FullLastPageHasNext(MemoryMovieStore):
    """Announces a next page whenever a page is full, as ``len(page) == size`` would."""

    async def page(self, number: int) -> CatalogPage:
        """The page, with a next page announced after every full one."""
        served = await super().page(number)
        return replace(served, has_next=len(served.movies) == 10)


class PastTheEndFails(MemoryMovieStore):
    """Raises for a page past the end instead of answering an empty one."""

    async def page(self, number: int) -> CatalogPage:
        """The page; past the end, an IndexError."""
        served = await super().page(number)
        if number > 1 and not served.movies:
            raise IndexError("page out of range")
        return served


class Outage:
    """Storage that works until ``begin()``; then each call through ``Breakable`` raises
    the error ``failure`` makes: a StorageUnavailable, or a driver's error leaking."""

    def __init__(self, failure: Callable[[], Exception]) -> None:
        self._failure = failure
        self._down = False

    async def begin(self) -> None:
        """Break the storage for good."""
        self._down = True

    def check(self) -> None:
        """Raise the outage's error if it has begun."""
        if self._down:
            raise self._failure()


class Breakable:
    """An adapter whose every async method first checks an ``Outage``."""

    def __init__(self, adapter: object, outage: Outage) -> None:
        self._adapter = adapter
        self._outage = outage

    def __getattr__(self, name: str) -> Callable[..., Awaitable[object]]:
        method = getattr(self._adapter, name)

        async def call(*args: object, **kwargs: object) -> object:
            self._outage.check()
            return await method(*args, **kwargs)

        return call


def leaking_outage() -> Outage:
    """An outage whose adapter lets the driver's error out, as a careless sqlite3 one would."""
    return Outage(lambda: sqlite3.OperationalError("disk I/O error"))
