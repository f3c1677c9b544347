"""A hypothesis state machine of the collection rules, to run against any store.

The machine drives the collection use cases in any order for two owners, against
the store under test, and checks every answer against a plain dict model:
collections are owner-scoped, listed newest first in pages, replaced whole or
edited one movie at a time, movies deduplicated keeping the first, favourite
genres as the contract words them. Point it at your own store:

    @contextlib.asynccontextmanager
    async def open_store():
        async with MyStore.open(...) as store:  # has .users and .collections
            yield store

    TestMyCollectionRules = collection_rules(open_store).TestCase

Each machine run opens its own store and runs every call on its own
``asyncio.Runner``; owners are new users each run, so a store may be shared.
Runs follow ``RULES_SETTINGS`` unless ``collection_rules`` is given others.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from typing import Any, ClassVar, Protocol, TypeVar
from uuid import UUID, uuid4

import hypothesis
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from moviecore import (
    Collection,
    CollectionChanges,
    CollectionDraft,
    CollectionNotFound,
    CollectionsPage,
    CollectionSummary,
    Limits,
    Movie,
    MovieNotInCollection,
    PageNotFound,
    User,
    ValidationError,
    VersionMismatch,
)
from moviecore.ports import DEFAULT_LIMITS, CollectionRepository, UserRepository, count_genres
from moviecore.use_cases import (
    add_movies,
    create_collection,
    delete_collection,
    get_collection,
    list_collections,
    move_movie,
    remove_movie,
    update_collection,
)

from ._reference import reference_favourite_genres
from .strategies import collection_changes, collection_drafts, invalid_collection_drafts, movies

__all__ = ["RULES_SETTINGS", "CollectionStore", "StoreFactory", "collection_rules"]

T = TypeVar("T")


class CollectionStore(Protocol):
    """What the machine needs of a store: its users and its collections (``Ports`` will do)."""

    @property
    def users(self) -> UserRepository:
        """Where the machine registers its two owners."""

    @property
    def collections(self) -> CollectionRepository:
        """The repository under test."""


StoreFactory = Callable[[], AbstractAsyncContextManager[CollectionStore]]

_OWNERS = st.sampled_from((0, 1))

RULES_SETTINGS = hypothesis.settings(
    max_examples=30,
    stateful_step_count=30,
    # As hypothesis runs any state machine: a step may take long, a store may be slow.
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    # No explain phase: it replays the shrunk failure under a line tracer. Measured on
    # stores with one bug each (trimmed titles, text cut at 255, versions ignored), the
    # report took 14 to 140 s in memory and 300 s on SQLite (hypothesis's limit) with
    # it; without it (and with _run below), medians 2.2 and 8.7 s, at most 9 and 40 s.
    phases=[phase for phase in hypothesis.Phase if phase is not hypothesis.Phase.explain],
)
"""How ``collection_rules`` runs by default: 30 runs of up to 30 steps, short enough for a
unit suite, and no explain phase. Derive other settings from it:
``hypothesis.settings(RULES_SETTINGS, max_examples=200)``."""


def _first_of_each(movies: tuple[Movie, ...]) -> tuple[Movie, ...]:
    seen: set[UUID] = set()
    kept = []
    for movie in movies:
        if movie.uuid not in seen:
            seen.add(movie.uuid)
            kept.append(movie)
    return tuple(kept)


class _CollectionRules(RuleBasedStateMachine):
    open_store: ClassVar[StoreFactory]
    limits: ClassVar[Limits]

    def __init__(self) -> None:
        super().__init__()
        self._runner = asyncio.Runner()
        self._opened = type(self).open_store()
        self._store = self._run(self._opened.__aenter__())
        self._owners = [self._run(self._new_owner()) for _ in range(2)]
        # Per owner, the collections the store should hold, oldest first.
        self._model: dict[UUID, dict[UUID, Collection]] = {owner: {} for owner in self._owners}
        self._created: list[UUID] = []  # every uuid ever created, deleted ones too

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        # On the runner's loop, not through Runner.run, which installs and removes a
        # SIGINT handler on every call: 218 against 25 µs a call, measured, and a
        # failure takes some 10,000 calls to shrink.
        return self._runner.get_loop().run_until_complete(coroutine)

    async def _new_owner(self) -> UUID:
        user = User(id=uuid4(), username=f"rules-{uuid4().hex}", password_hash="not a real hash")
        await self._store.users.add(user)
        return user.id

    def _owned(self, owner_id: UUID) -> list[UUID]:
        # In the order created, not sorted: uuids are random, and an order that changed
        # from one run of a case to the next would make hypothesis's replays draw apart.
        return [uuid for uuid in self._created if uuid in self._model[owner_id]]

    def _target(self, data: st.DataObject) -> UUID:
        choices = st.sampled_from(self._created) | st.uuids() if self._created else st.uuids()
        return data.draw(choices, label="target")

    def _expect_not_found(self, coroutine: Coroutine[Any, Any, object]) -> None:
        try:
            self._run(coroutine)
        except CollectionNotFound:
            return
        raise AssertionError("expected CollectionNotFound")

    @rule(owner=_OWNERS, draft=collection_drafts(max_movies=3))
    def create(self, owner: int, draft: CollectionDraft) -> None:
        """Create a collection; it reads back with duplicate movies dropped."""
        owner_id = self._owners[owner]
        store = self._store.collections
        uuid = self._run(create_collection(owner_id, draft, collections=store, limits=self.limits))
        movies = _first_of_each(draft.movies)
        expected = Collection(
            uuid=uuid,
            owner=owner_id,
            title=draft.title,
            description=draft.description,
            movies=movies,
        )
        self._model[owner_id][uuid] = expected
        self._created.append(uuid)
        assert self._run(get_collection(owner_id, uuid, collections=store)) == expected

    @rule(owner=_OWNERS, draft=invalid_collection_drafts())
    def create_invalid(self, owner: int, draft: CollectionDraft) -> None:
        """An invalid draft is refused (later rules check it wrote nothing)."""
        store = self._store.collections
        try:
            self._run(create_collection(self._owners[owner], draft, collections=store))
        except ValidationError:
            return
        raise AssertionError("expected ValidationError")

    @rule(owner=_OWNERS, data=st.data(), changes=collection_changes(max_movies=3))
    def update(self, owner: int, data: st.DataObject, changes: CollectionChanges) -> None:
        """Update any uuid: the owner's own changes as asked and reads back so, anything else
        is not found."""
        owner_id, target = self._owners[owner], self._target(data)
        store = self._store.collections
        call = update_collection(owner_id, target, changes, collections=store)
        current = self._model[owner_id].get(target)
        if current is None:
            self._expect_not_found(call)
            return
        expected = replace(
            current,
            title=current.title if changes.title is None else changes.title,
            description=current.description if changes.description is None else changes.description,
            movies=current.movies if changes.movies is None else _first_of_each(changes.movies),
            version=current.version + 1,
        )
        answered = self._run(call)
        read_back = self._run(get_collection(owner_id, target, collections=store))
        assert {"returned": answered, "read back": read_back} == {
            "returned": expected,
            "read back": expected,
        }
        self._model[owner_id][target] = expected

    @rule(owner=_OWNERS, data=st.data(), changes=collection_changes(max_movies=3))
    def update_stale(self, owner: int, data: st.DataObject, changes: CollectionChanges) -> None:
        """An update naming a version the collection is not at is refused and changes nothing."""
        owner_id = self._owners[owner]
        if not self._model[owner_id]:
            return
        target = data.draw(st.sampled_from(self._owned(owner_id)), label="target")
        current = self._model[owner_id][target]
        stale = data.draw(st.integers(0, 2**31 - 1).filter(lambda v: v != current.version))
        call = update_collection(
            owner_id, target, changes, collections=self._store.collections, expected_version=stale
        )
        try:
            self._run(call)
        except VersionMismatch as refused:
            refused_at = refused.current
        else:
            raise AssertionError("expected VersionMismatch")
        assert refused_at == current.version

    @rule(
        owner=_OWNERS,
        data=st.data(),
        added=st.lists(movies(), min_size=1, max_size=3),
        at_end=st.booleans(),
    )
    def add(self, owner: int, data: st.DataObject, added: list[Movie], at_end: bool) -> None:
        """Add movies to any uuid: the owner's own get the movies it does not hold yet, at
        the end or at a position; anything else is not found."""
        owner_id, target = self._owners[owner], self._target(data)
        current = self._model[owner_id].get(target)
        held = () if current is None else current.movies
        position = None if at_end else data.draw(st.integers(0, len(held)), label="position")
        call = add_movies(
            owner_id, target, added, position=position, collections=self._store.collections
        )
        if current is None:
            self._expect_not_found(call)
            return
        held_uuids = {movie.uuid for movie in held}
        new = tuple(m for m in _first_of_each(tuple(added)) if m.uuid not in held_uuids)
        at = len(held) if position is None else position
        self._expect_edit(owner_id, call, replace(current, movies=held[:at] + new + held[at:]))

    @rule(owner=_OWNERS, data=st.data())
    def remove_or_move(self, owner: int, data: st.DataObject) -> None:
        """Remove or move a movie of one of the owner's collections, or one it does not hold
        (not found, nothing changed)."""
        owner_id = self._owners[owner]
        if not self._model[owner_id]:
            return
        target = data.draw(st.sampled_from(self._owned(owner_id)), label="target")
        current = self._model[owner_id][target]
        held = [m.uuid for m in current.movies]
        uuid = data.draw(st.sampled_from(held) | st.uuids() if held else st.uuids(), label="movie")
        store = self._store.collections
        rest = tuple(m for m in current.movies if m.uuid != uuid)
        if data.draw(st.booleans(), label="move"):
            at = data.draw(st.integers(0, len(rest)), label="position")
            call = move_movie(owner_id, target, uuid, at, collections=store)
            moved = tuple(m for m in current.movies if m.uuid == uuid)
            expected = replace(current, movies=rest[:at] + moved + rest[at:])
        else:
            call = remove_movie(owner_id, target, uuid, collections=store)
            expected = replace(current, movies=rest)
        if uuid not in held:
            try:
                self._run(call)
            except MovieNotInCollection:
                return
            raise AssertionError("expected MovieNotInCollection")
        self._expect_edit(owner_id, call, expected)

    def _expect_edit(
        self, owner_id: UUID, call: Coroutine[Any, Any, Collection], edited: Collection
    ) -> None:
        """``call`` answers ``edited`` at the next version, and the store reads back so."""
        expected = replace(edited, version=edited.version + 1)
        answered = self._run(call)
        read_back = self._run(
            get_collection(owner_id, expected.uuid, collections=self._store.collections)
        )
        assert (answered, read_back) == (expected, expected)
        self._model[owner_id][expected.uuid] = expected

    @rule(owner=_OWNERS, data=st.data())
    def delete(self, owner: int, data: st.DataObject) -> None:
        """Delete any uuid: the owner's own goes away, anything else is not found."""
        owner_id, target = self._owners[owner], self._target(data)
        call = delete_collection(owner_id, target, collections=self._store.collections)
        if self._model[owner_id].pop(target, None) is None:
            self._expect_not_found(call)
        else:
            self._run(call)

    @rule(owner=_OWNERS, data=st.data())
    def get(self, owner: int, data: st.DataObject) -> None:
        """Read any uuid: the owner's own as the model holds it, anything else is not found."""
        owner_id, target = self._owners[owner], self._target(data)
        call = get_collection(owner_id, target, collections=self._store.collections)
        expected = self._model[owner_id].get(target)
        if expected is None:
            self._expect_not_found(call)
        else:
            assert self._run(call) == expected

    @rule(owner=_OWNERS, page=st.integers(1, 4))
    def list_page(self, owner: int, page: int) -> None:
        """A page lists the owner's collections newest first, with favourite genres."""
        owner_id, size = self._owners[owner], self.limits.collections_page_size
        call = list_collections(
            owner_id, page, collections=self._store.collections, limits=self.limits
        )
        newest_first = list(reversed(self._model[owner_id].values()))
        shown = newest_first[(page - 1) * size : page * size]
        if page > 1 and not shown:
            try:
                self._run(call)
            except PageNotFound:
                return
            raise AssertionError("expected PageNotFound")
        assert self._run(call) == CollectionsPage(
            collections=tuple(CollectionSummary.of(c) for c in shown),
            favourite_genres=reference_favourite_genres(newest_first),
            count=len(newest_first),
            page=page,
            has_next=page * size < len(newest_first),
        )

    @invariant()
    def listing_and_genres_match(self) -> None:
        """After every step, each owner's whole listing and genre counts match the model."""
        store = self._store.collections
        for owner_id, owned in self._model.items():
            newest_first = list(reversed(owned.values()))
            found = self._run(store.page(owner_id, 0, len(newest_first) + 1))
            expected = [CollectionSummary.of(c) for c in newest_first]
            counts = sum((count_genres(c.movies) for c in newest_first), Counter())
            assert {
                "listed": list(found.summaries),
                "count": found.count,
                "genre counts": dict(found.genre_counts),
            } == {
                "listed": expected,
                "count": len(newest_first),
                "genre counts": dict(counts),
            }

    def teardown(self) -> None:
        try:
            self._run(self._opened.__aexit__(None, None, None))
        finally:
            self._runner.close()


def collection_rules(
    open_store: StoreFactory,
    *,
    page_size: int = 3,
    settings: hypothesis.settings | None = None,
) -> type[RuleBasedStateMachine]:
    """A state machine class checking the collection rules on stores ``open_store`` opens.

    Run it as a test through its ``TestCase``. ``page_size`` is small by default so
    that short runs reach the later pages. ``settings`` are the hypothesis settings
    of the runs, ``RULES_SETTINGS`` if None.
    """

    class CollectionRules(_CollectionRules):
        limits = replace(DEFAULT_LIMITS, collections_page_size=page_size)

    CollectionRules.open_store = open_store
    CollectionRules.TestCase.settings = RULES_SETTINGS if settings is None else settings
    return CollectionRules
