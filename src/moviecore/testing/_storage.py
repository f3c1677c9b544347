"""In-memory adapters of the storage ports: collections, a local catalog and its sync
cursor, the counter.

Entities are frozen dataclasses of immutable values, so keeping the very
objects a caller passed in is as safe as keeping copies; sequences are copied
into tuples so that a caller's later changes to its list change nothing stored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from uuid import UUID

from moviecore import CatalogPage, Collection, CollectionSummary, Movie
from moviecore._search import rank
from moviecore.ports import (
    CATALOG_PAGE_SIZE,
    AlreadyStored,
    CollectionEdit,
    CollectionSlice,
    MovieKeys,
    MovieQuery,
    SyncMark,
    apply_changes,
    check_version,
    count_genres,
)


class MemoryCollectionRepository:
    """A CollectionRepository in dicts, owner-scoped, keeping genre counts up to date on write."""

    def __init__(self) -> None:
        # Per owner, collections in insertion order (a dict keeps a replaced key in its place).
        self._by_owner: dict[UUID, dict[UUID, Collection]] = {}
        self._owner_of: dict[UUID, UUID] = {}
        self._genres: dict[UUID, Counter[str]] = {}

    def _owned(self, owner: UUID) -> dict[UUID, Collection]:
        return self._by_owner.get(owner, {})

    def _count(self, owner: UUID, old: Collection | None, new: Collection | None) -> None:
        counts = self._genres.setdefault(owner, Counter())
        if old is not None:
            counts -= count_genres(old.movies)  # Counter's -= also drops genres reaching 0
        if new is not None:
            counts += count_genres(new.movies)
        self._genres[owner] = counts

    async def add(self, collection: Collection) -> None:
        """Store a new collection; raise AlreadyStored if its uuid is stored, for any owner."""
        if collection.uuid in self._owner_of:
            raise AlreadyStored(f"a collection with UUID {collection.uuid} is already stored")
        stored = replace(collection, movies=tuple(collection.movies))
        self._by_owner.setdefault(stored.owner, {})[stored.uuid] = stored
        self._owner_of[stored.uuid] = stored.owner
        self._count(stored.owner, None, stored)

    async def get(self, owner: UUID, uuid: UUID) -> Collection | None:
        """The owner's collection with this uuid, movies in their stored order."""
        return self._owned(owner).get(uuid)

    async def page(
        self, owner: UUID, offset: int, limit: int, *, movie: UUID | None = None
    ) -> CollectionSlice:
        """A slice of the owner's collections, newest first, with their count and genre
        counts; with ``movie``, of those holding it only."""
        if offset < 0 or limit < 0:
            raise ValueError("offset and limit must not be negative")
        newest_first = [
            c
            for c in reversed(self._owned(owner).values())
            if movie is None or any(held.uuid == movie for held in c.movies)
        ]
        return CollectionSlice(
            summaries=tuple(CollectionSummary.of(c) for c in newest_first[offset : offset + limit]),
            count=len(newest_first),
            genre_counts=dict(self._genres.get(owner, {})),
        )

    async def update(
        self,
        owner: UUID,
        uuid: UUID,
        edit: CollectionEdit,
        *,
        expected_version: int | None = None,
    ) -> Collection | None:
        """Apply ``edit`` in place (no await in between: atomic), returning what is stored."""
        old = self._current(owner, uuid, expected_version)
        if old is None:
            return None
        new = apply_changes(old, edit)
        self._by_owner[owner][uuid] = new
        self._count(owner, old, new)
        return new

    async def remove(self, owner: UUID, uuid: UUID, *, expected_version: int | None = None) -> bool:
        """Delete the owner's collection; False if it does not exist."""
        old = self._current(owner, uuid, expected_version)
        if old is None:
            return False
        del self._by_owner[owner][uuid]
        del self._owner_of[uuid]
        self._count(owner, old, None)
        return True

    async def remove_all(self, owner: UUID) -> None:
        """Delete every collection of the owner, and its genre counts."""
        for uuid in self._by_owner.pop(owner, {}):
            del self._owner_of[uuid]
        self._genres.pop(owner, None)

    def _current(self, owner: UUID, uuid: UUID, expected_version: int | None) -> Collection | None:
        current = self._owned(owner).get(uuid)
        if current is not None:
            check_version(current.version, expected_version)
        return current


class MemoryMovieStore:
    """A MovieStore in a dict: movies page in insertion order, ``page_size`` to a page.

    Search ranks every stored movie as ``SearchableCatalog.search`` says, from keys computed when
    the movie was put.
    """

    def __init__(self, movies: Iterable[Movie] = (), page_size: int = CATALOG_PAGE_SIZE) -> None:
        if page_size < 1:
            raise ValueError("page_size must be 1 or more")
        self._page_size = page_size
        # A dict keeps insertion order, and a replaced key keeps its place.
        self._movies: dict[UUID, tuple[Movie, MovieKeys]] = {}
        self._store(movies)

    async def page(self, number: int) -> CatalogPage:
        """Page ``number`` (from 1); an empty page past the end, with the true count."""
        return self._slice([movie for movie, _ in self._movies.values()], number)

    async def search(self, query: MovieQuery, number: int) -> CatalogPage:
        """Page ``number`` of the movies ``query`` matches, best first, ties in catalog order."""
        ranked = [
            (found, position, movie)
            for position, (movie, keys) in enumerate(self._movies.values())
            if (found := rank(query, keys)) is not None
        ]
        ranked.sort(key=lambda entry: entry[:2])
        return self._slice([movie for _, _, movie in ranked], number)

    async def movie(self, uuid: UUID) -> Movie | None:
        """The stored movie with this uuid, if any."""
        found = self._movies.get(uuid)
        return None if found is None else found[0]

    async def put(self, movies: Sequence[Movie]) -> None:
        """Insert movies, or replace those whose uuid is stored, each keeping its place."""
        self._store(movies)

    async def count(self) -> int:
        """How many movies are stored."""
        return len(self._movies)

    def _store(self, movies: Iterable[Movie]) -> None:
        self._movies.update((movie.uuid, (movie, MovieKeys.of(movie))) for movie in movies)

    def _slice(self, movies: list[Movie], number: int) -> CatalogPage:
        if number < 1:
            raise ValueError("page numbers start at 1")
        start = (number - 1) * self._page_size
        end = start + self._page_size
        return CatalogPage(
            tuple(movies[start:end]), len(movies), number, has_next=end < len(movies)
        )


class MemorySyncCursor:
    """A SyncCursor in a dict: one mark per source (sources are URLs an operator sets)."""

    def __init__(self) -> None:
        self._marks: dict[str, SyncMark] = {}

    async def read(self, source: str) -> SyncMark | None:
        """The mark of ``source``; None if it was never synced."""
        return self._marks.get(source)

    async def write(self, source: str, mark: SyncMark) -> None:
        """Record ``mark`` as where the sync of ``source`` stands now, replacing the last."""
        self._marks[source] = mark


class MemoryRequestCounter:
    """A RequestCounter in one integer: exact within one process, shared with no other."""

    def __init__(self) -> None:
        self._count = 0

    async def add(self, n: int = 1) -> None:
        """Count ``n`` more requests."""
        self._count += n

    async def read(self) -> int:
        """The count since the last reset."""
        return self._count

    async def reset(self) -> None:
        """Start again from zero."""
        self._count = 0
