"""Users never see each other's collections, whatever they do in whatever order.

Three users drive the collection use cases at random on one set of in-memory
ports. Everything one user sends carries that user's mark (titles,
descriptions, movie snapshots, genres); movie uuids come from a small shared
pool, so the same movie sits in several users' collections. Every answer a
user gets is searched for another user's marks, collection uuids and user id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import fields, is_dataclass, replace
from typing import Any, TypeVar
from uuid import UUID, uuid4

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from fixtures.limits import room_for
from moviecore import (
    Collection,
    CollectionChanges,
    CollectionDraft,
    CollectionNotFound,
    Movie,
    PageNotFound,
)
from moviecore.ports import DEFAULT_LIMITS, Ports
from moviecore.testing import in_memory_ports
from moviecore.testing.strategies import collection_changes, collection_drafts, genre_names
from moviecore.use_cases import (
    authenticate,
    create_collection,
    delete_collection,
    get_collection,
    list_collections,
    register_for_tokens,
    update_collection,
)

T = TypeVar("T")
Call = Callable[[UUID], Coroutine[Any, Any, object]]
"""One use case call by one user, for any collection uuid."""
USERS = 3
_USER = st.integers(0, USERS - 1)


_OPEN, _CLOSE = (
    "\N{MATHEMATICAL LEFT WHITE SQUARE BRACKET}",
    "\N{MATHEMATICAL RIGHT WHITE SQUARE BRACKET}",
)


def mark(user: int) -> str:
    """What every text a user sends starts with; no other text holds it."""
    return f"{_OPEN}user {user}{_CLOSE}"


_UNMARKED = room_for(mark(0))


def _marked_movie(user: int, movie: Movie, names: list[str]) -> Movie:
    genres = ", ".join(f"{mark(user)}{name}" for name in names)
    return replace(
        movie,
        title=mark(user) + movie.title,
        description=mark(user) + movie.description,
        genres=genres,
    )


def _marked_movies(user: int, movies: tuple[Movie, ...], data: st.DataObject) -> tuple[Movie, ...]:
    names = st.lists(genre_names(), max_size=3)
    return tuple(_marked_movie(user, movie, data.draw(names, label="genres")) for movie in movies)


def _marked_draft(user: int, draft: CollectionDraft, data: st.DataObject) -> CollectionDraft:
    return CollectionDraft(
        mark(user) + draft.title,
        mark(user) + draft.description,
        _marked_movies(user, draft.movies, data),
    )


def _marked_changes(
    user: int, changes: CollectionChanges, data: st.DataObject
) -> CollectionChanges:
    return CollectionChanges(
        None if changes.title is None else mark(user) + changes.title,
        None if changes.description is None else mark(user) + changes.description,
        None if changes.movies is None else _marked_movies(user, changes.movies, data),
    )


def _values(answer: object) -> Iterator[object]:
    """Every plain value inside an answer: through dataclasses, tuples and lists."""
    if is_dataclass(answer) and not isinstance(answer, type):
        for field in fields(answer):
            yield from _values(getattr(answer, field.name))
    elif isinstance(answer, tuple | list):
        for item in answer:
            yield from _values(item)
    else:
        yield answer


class Isolation(RuleBasedStateMachine):
    """Users create, change, read, list and delete; each sees only their own."""

    def __init__(self) -> None:
        super().__init__()
        self._runner = asyncio.Runner()
        self._ports: Ports = in_memory_ports()
        self._ids: list[UUID] = []
        self._created: list[set[UUID]] = [set() for _ in range(USERS)]
        self._live: list[set[UUID]] = [set() for _ in range(USERS)]

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self._runner.run(coroutine)

    @initialize()
    def sign_up(self) -> None:
        """Each user registers and is known by the id their token names."""
        ports = self._ports
        for user in range(USERS):
            started = self._run(
                register_for_tokens(
                    f"user{user}_{uuid4().hex[:8]}",
                    "a long password",
                    users=ports.users,
                    hasher=ports.hasher,
                    tokens=ports.tokens,
                    sessions=ports.sessions,
                )
            )
            token = started.access_token
            signed_in = self._run(authenticate(token, tokens=ports.tokens, sessions=ports.sessions))
            self._ids.append(signed_in.user)

    def _seen_by(self, user: int, answer: object) -> None:
        """Fail if ``answer`` holds anything of another user."""
        others = [other for other in range(USERS) if other != user]
        foreign_uuids = {self._ids[o] for o in others}.union(*(self._created[o] for o in others))
        foreign_marks = [mark(other) for other in others]
        leaks = [
            value
            for value in _values(answer)
            if (isinstance(value, UUID) and value in foreign_uuids)
            or (isinstance(value, str) and any(m in value for m in foreign_marks))
        ]
        assert leaks == []

    def _target(self, data: st.DataObject) -> UUID:
        """Any collection ever created, by anyone, or a uuid nobody has used."""
        created = sorted(set().union(*self._created))
        choices = st.sampled_from(created) | st.uuids() if created else st.uuids()
        return data.draw(choices, label="target")

    def _owner_of(self, target: UUID) -> int | None:
        return next((u for u in range(USERS) if target in self._live[u]), None)

    def _failure(self, call: Call, target: UUID) -> str:
        try:
            self._run(call(target))
        except CollectionNotFound as exc:
            return str(exc).replace(str(target), "<uuid>")
        raise AssertionError(f"collection {target} was reached")

    def _expect_missing(self, target: UUID, call: Call) -> None:
        """The call fails exactly as for a uuid nobody ever used, and the owner's copy stays."""
        owner = self._owner_of(target)
        before = None if owner is None else self._read(owner, target)
        assert self._failure(call, target) == self._failure(call, uuid4())
        if owner is not None:
            assert self._read(owner, target) == before

    def _read(self, user: int, target: UUID) -> Collection:
        collections = self._ports.collections
        return self._run(get_collection(self._ids[user], target, collections=collections))

    @rule(user=_USER, draft=collection_drafts(_UNMARKED, max_movies=3), data=st.data())
    def create(self, user: int, draft: CollectionDraft, data: st.DataObject) -> None:
        """A user creates a collection of marked movie snapshots."""
        marked = _marked_draft(user, draft, data)
        collections = self._ports.collections
        uuid = self._run(create_collection(self._ids[user], marked, collections=collections))
        self._seen_by(user, uuid)
        self._created[user].add(uuid)
        self._live[user].add(uuid)

    @rule(user=_USER, data=st.data())
    def get(self, user: int, data: st.DataObject) -> None:
        """A user reads any uuid: their own comes back, anyone else's is missing."""
        target = self._target(data)
        if target in self._live[user]:
            self._seen_by(user, self._read(user, target))
            return
        self._expect_missing(
            target,
            lambda uuid: get_collection(self._ids[user], uuid, collections=self._ports.collections),
        )

    @rule(user=_USER, data=st.data(), changes=collection_changes(_UNMARKED, max_movies=3))
    def update(self, user: int, data: st.DataObject, changes: CollectionChanges) -> None:
        """A user updates any uuid: their own changes, anyone else's is missing and unchanged."""
        target = self._target(data)
        marked = _marked_changes(user, changes, data)

        def call(uuid: UUID) -> Coroutine[Any, Any, Collection]:
            collections = self._ports.collections
            return update_collection(self._ids[user], uuid, marked, collections=collections)

        if target in self._live[user]:
            self._seen_by(user, self._run(call(target)))
        else:
            self._expect_missing(target, call)

    @rule(user=_USER, data=st.data())
    def delete(self, user: int, data: st.DataObject) -> None:
        """A user deletes any uuid: their own goes, anyone else's is missing and stays."""
        target = self._target(data)

        def call(uuid: UUID) -> Coroutine[Any, Any, None]:
            return delete_collection(self._ids[user], uuid, collections=self._ports.collections)

        if target in self._live[user]:
            self._run(call(target))
            self._live[user].remove(target)
        else:
            self._expect_missing(target, call)

    @rule(user=_USER, page=st.integers(1, 3))
    def list_page(self, user: int, page: int) -> None:
        """A page lists only the user's own collections, and genres only from their movies."""
        collections = self._ports.collections
        try:
            listed = self._run(list_collections(self._ids[user], page, collections=collections))
        except PageNotFound:
            assert len(self._live[user]) <= (page - 1) * DEFAULT_LIMITS.collections_page_size
            return
        self._seen_by(user, listed)
        assert listed.count == len(self._live[user])

    @invariant()
    def counts_are_each_users_own(self) -> None:
        """Each user's total is the number of collections they hold, whatever others did."""
        if not self._ids:
            return
        collections = self._ports.collections
        totals = [
            self._run(list_collections(user_id, collections=collections)).count
            for user_id in self._ids
        ]
        assert totals == [len(live) for live in self._live]

    def teardown(self) -> None:
        self._runner.close()


TestIsolation = Isolation.TestCase
"""Random sequences of use case calls by three users never show one user another's data."""
TestIsolation.settings = settings(max_examples=50, stateful_step_count=30, deadline=None)
