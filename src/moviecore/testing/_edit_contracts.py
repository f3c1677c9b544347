"""Contract cases of movie-level edits: add, remove and move one movie of a collection.

Each edit is one atomic, versioned write through ``apply_changes`` on the locked state:
these cases pin what a client sees of that in every adapter, the counts a listing
shows included.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from uuid import UUID, uuid4

import pytest

from moviecore import (
    Collection,
    CollectionChanges,
    CollectionSummary,
    Movie,
    MovieNotInCollection,
    ValidationError,
    VersionMismatch,
)
from moviecore.ports import AddMovies, CollectionEdit, CollectionRepository, MoveMovie, RemoveMovie

from ._contract_base import Contract, collection, movie


def _add(*movies: Movie, position: int | None = None, movies_max: int = 1000) -> AddMovies:
    return AddMovies(movies=movies, movies_max=movies_max, position=position)


class MovieEditContract(Contract):
    """Movie-level edits: each applied whole or not at all, one version each.

    Uses the ``collections``, ``owner`` and ``stranger`` fixtures of the suite it is mixed in.
    """

    @pytest.mark.anyio
    async def test_add_appends_or_inserts_at_a_position(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """Movies are added at the end by default, or before the movie at ``position``; each
        edit adds one to the version, answers what is then stored, and the genre counts and
        the listing follow."""
        a, b, c, d = (movie(name, "Drama") for name in "abcd")
        e = movie("e", "War")
        stored = collection(owner, "List", a)
        await collections.add(stored)
        answers = [
            await collections.update(owner, stored.uuid, edit)
            for edit in (_add(b), _add(c, position=0), _add(d, e, position=1))
        ]
        final = replace(stored, movies=(c, d, e, a, b), version=4)
        page = await collections.page(owner, 0, 10)
        assert (answers, await collections.get(owner, stored.uuid), page.summaries) == (
            [
                replace(stored, movies=(a, b), version=2),
                replace(stored, movies=(c, a, b), version=3),
                final,
            ],
            final,
            (CollectionSummary.of(final),),
        )
        assert (page.summaries[0].movies_count, page.genre_counts) == (5, {"Drama": 4, "War": 1})

    @pytest.mark.anyio
    async def test_add_keeps_movies_already_held(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """A movie the collection holds stays where it is, its snapshot unchanged, and a
        movie sent twice is added once, as first sent."""
        held, new = movie("Held", "Drama"), movie("New", "War")
        stored = collection(owner, "List", held)
        await collections.add(stored)
        edit = _add(replace(held, title="Renamed"), new, replace(new, title="Again"), position=0)
        answer = await collections.update(owner, stored.uuid, edit)
        assert (answer, (await collections.page(owner, 0, 1)).genre_counts) == (
            replace(stored, movies=(new, held), version=2),
            {"Drama": 1, "War": 1},
        )

    @pytest.mark.anyio
    async def test_refused_edits_change_nothing(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """Adding past ``movies_max``, or at a position outside the list, moving to one, and
        removing or moving a movie the collection does not hold are each refused, naming
        the field or the movie; the collection and its version stay as they were."""
        a, b = movie("a", "Drama"), movie("b", "Drama")
        stored = collection(owner, "Full", a, b)
        await collections.add(stored)
        refusals: list[tuple[type[Exception], str]] = []
        for edit in (
            _add(movie("c"), movie("d"), movies_max=3),
            _add(movie("c"), position=3),
            MoveMovie(movie=a.uuid, position=2),
            RemoveMovie(movie=uuid4()),
            MoveMovie(movie=uuid4(), position=0),
        ):
            with pytest.raises((ValidationError, MovieNotInCollection)) as raised:
                await collections.update(owner, stored.uuid, edit)
            error = raised.value
            named = error.errors[0].field if isinstance(error, ValidationError) else "movie"
            refusals.append((type(error), named))
        assert (refusals, await collections.get(owner, stored.uuid)) == (
            [
                (ValidationError, "movies"),
                (ValidationError, "position"),
                (ValidationError, "position"),
                (MovieNotInCollection, "movie"),
                (MovieNotInCollection, "movie"),
            ],
            stored,
        )

    @pytest.mark.anyio
    async def test_remove_takes_every_occurrence(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """Removing a movie held twice takes both snapshots out, and their genres uncounted."""
        twice, kept = movie("Twice", "Horror"), movie("Kept", "Drama")
        stored = collection(owner, "List", twice, kept, replace(twice, title="Twice (cut)"))
        await collections.add(stored)
        answer = await collections.update(owner, stored.uuid, RemoveMovie(movie=twice.uuid))
        assert (answer, (await collections.page(owner, 0, 1)).genre_counts) == (
            replace(stored, movies=(kept,), version=2),
            {"Drama": 1},
        )

    @pytest.mark.anyio
    async def test_the_movies_before_an_edit_near_the_end_stay(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """Removing the last movie, adding one at the end and moving the last two keep every
        movie before them as it was."""
        a, b, c, d = (movie(name, "Drama") for name in "abcd")
        stored = collection(owner, "List", a, b, c)
        await collections.add(stored)
        edits: list[CollectionEdit] = [
            RemoveMovie(movie=c.uuid),
            _add(d),
            MoveMovie(movie=d.uuid, position=1),
            RemoveMovie(movie=b.uuid),
        ]
        answers = [await collections.update(owner, stored.uuid, edit) for edit in edits]
        assert [answer.movies if answer else None for answer in answers] == [
            (a, b),
            (a, b, d),
            (a, d, b),
            (a, d),
        ]
        assert await collections.get(owner, stored.uuid) == replace(
            stored, movies=(a, d), version=5
        )

    @pytest.mark.anyio
    async def test_move_puts_a_movie_at_a_position(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """A moved movie stands at ``position`` of the list, the others keeping their order:
        to the front, to the end, and back to where it was."""
        a, b, c, d = (movie(name) for name in "abcd")
        stored = collection(owner, "List", a, b, c, d)
        await collections.add(stored)
        moves = [(c.uuid, 0), (c.uuid, 3), (a.uuid, 2), (a.uuid, 2)]
        answers = [
            await collections.update(owner, stored.uuid, MoveMovie(movie=m, position=p))
            for m, p in moves
        ]
        assert [answer.movies if answer else None for answer in answers] == [
            (c, a, b, d),
            (a, b, d, c),
            (b, d, a, c),
            (b, d, a, c),
        ]
        assert await collections.get(owner, stored.uuid) == replace(
            stored, movies=(b, d, a, c), version=5
        )

    @pytest.mark.anyio
    async def test_edits_honour_the_version_and_the_owner(
        self, collections: CollectionRepository, owner: UUID, stranger: UUID
    ) -> None:
        """Each edit naming a version the collection left is refused with the current one;
        another owner's edits find nothing; the current version works."""
        a = movie("a")
        stored = collection(owner, "List", a)
        await collections.add(stored)
        edits: list[CollectionEdit] = [
            _add(movie("b")),
            RemoveMovie(movie=a.uuid),
            MoveMovie(movie=a.uuid, position=0),
        ]
        refused = []
        for edit in edits:
            with pytest.raises(VersionMismatch) as raised:
                await collections.update(owner, stored.uuid, edit, expected_version=2)
            refused.append(raised.value.current)
        strangers = [await collections.update(stranger, stored.uuid, edit) for edit in edits]
        removed = await collections.update(
            owner, stored.uuid, RemoveMovie(movie=a.uuid), expected_version=1
        )
        assert (refused, strangers, removed) == (
            [1, 1, 1],
            [None, None, None],
            replace(stored, movies=(), version=2),
        )

    @pytest.mark.anyio
    async def test_concurrent_adds_are_all_kept(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """Ten movies added to one collection at once are all kept, one version each."""
        stored = collection(owner, "Busy")
        await collections.add(stored)
        added = [movie(f"m{n}", "Drama") for n in range(10)]
        await asyncio.gather(*(collections.update(owner, stored.uuid, _add(m)) for m in added))
        final = await collections.get(owner, stored.uuid)
        assert final is not None
        assert (sorted(m.title for m in final.movies), final.version) == (
            sorted(m.title for m in added),
            11,
        )
        assert (await collections.page(owner, 0, 1)).genre_counts == {"Drama": 10}

    @pytest.mark.anyio
    async def test_listing_by_movie_shows_only_the_collections_holding_it(
        self, collections: CollectionRepository, owner: UUID, stranger: UUID
    ) -> None:
        """With ``movie``, a page lists and counts only the owner's collections holding it,
        newest first, also after it was added or removed; the genre counts stay those of
        all the owner's collections."""
        wanted, other = movie("Wanted", "Drama"), movie("Other", "War")
        first = collection(owner, "First", other, wanted)
        second = collection(owner, "Second", other)
        third = collection(owner, "Third", wanted)
        theirs = collection(stranger, "Theirs", wanted)
        for added in (first, second, third, theirs):
            await collections.add(added)
        before = await collections.page(owner, 0, 10, movie=wanted.uuid)
        second = await _updated(collections, second, _add(wanted, position=0))
        await _updated(collections, third, RemoveMovie(movie=wanted.uuid))
        after = await collections.page(owner, 0, 10, movie=wanted.uuid)
        sliced = await collections.page(owner, 1, 1, movie=wanted.uuid)
        nowhere = await collections.page(owner, 0, 10, movie=uuid4())
        assert (
            (before.summaries, before.count),
            (after.summaries, after.count),
            (sliced.summaries, sliced.count),
            (nowhere.summaries, nowhere.count, nowhere.genre_counts),
        ) == (
            ((CollectionSummary.of(third), CollectionSummary.of(first)), 2),
            ((CollectionSummary.of(second), CollectionSummary.of(first)), 2),
            ((CollectionSummary.of(first),), 2),
            ((), 0, {"Drama": 2, "War": 2}),
        )

    @pytest.mark.anyio
    async def test_an_update_after_edits_replaces_the_list(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """A whole-list update after movie-level edits leaves exactly the list it sent."""
        a, b = movie("a", "Drama"), movie("b", "War")
        stored = collection(owner, "List", a)
        await collections.add(stored)
        await collections.update(owner, stored.uuid, _add(b, position=0))
        answer = await collections.update(owner, stored.uuid, CollectionChanges(movies=(a,)))
        assert (answer, (await collections.page(owner, 0, 1)).genre_counts) == (
            replace(stored, version=3),
            {"Drama": 1},
        )


async def _updated(
    collections: CollectionRepository, stored: Collection, edit: CollectionEdit
) -> Collection:
    """``stored`` after ``edit``; the case fails if it is not found."""
    answer = await collections.update(stored.owner, stored.uuid, edit)
    assert answer is not None
    return answer
