"""Contract suites of the storage ports that hold accounts and collections.

Each case pins one behaviour a client can observe, so that an adapter differing
from the in-memory one in any of them (trimming text, cutting it short, merging
genres, keeping movies a replace dropped, losing a concurrent change) fails one.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import replace
from uuid import UUID, uuid4

import pytest

from moviecore import (
    Collection,
    CollectionChanges,
    CollectionSummary,
    Movie,
    UsernameTaken,
    VersionMismatch,
)
from moviecore.ports import (
    DEFAULT_LIMITS,
    AlreadyStored,
    CollectionRepository,
    UserRepository,
    count_genres,
)

from ._account_contracts import AccountChanges, OwnerRemoval
from ._accounts import MemoryUserRepository
from ._contract_base import Contract, collection, movie, summary, user
from ._edit_contracts import MovieEditContract

# Each piece is something a careless store changes: surrounding and inner white space,
# a decomposed accent beside a composed one, a character outside the BMP, right-to-left
# script, a zero-width joiner, a byte order mark, and what SQL quotes or binds.
_UNUSUAL = " \te\u0301 é 🎬 مرحبا \u200d\ufeff 'q' \"dq\" \\ %s ? :name $1 \r\n"


def edge_text(length: int) -> str:
    """Unusual text of exactly ``length`` characters (2 or more), white space at both ends."""
    body = _UNUSUAL * (length // len(_UNUSUAL) + 1)
    return (" " + body)[: length - 1] + " "


async def _stored_user(users: UserRepository) -> UUID:
    stored = user()
    await users.add(stored)
    return stored.id


async def _listed(
    collections: CollectionRepository, owner: UUID, offset: int = 0, limit: int = 10
) -> tuple[list[CollectionSummary], int]:
    """A slice of the owner's listing and the count it gives."""
    found = await collections.page(owner, offset, limit)
    return list(found.summaries), found.count


async def _genres(collections: CollectionRepository, owner: UUID) -> Mapping[str, int]:
    """The owner's genre counts, as any page of the listing gives them."""
    return (await collections.page(owner, 0, 0)).genre_counts


def _expected_counts(collections: Iterable[Collection]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for stored in collections:
        total.update(count_genres(stored.movies))
    return dict(total)


class UserRepositoryContract(AccountChanges):
    """Accounts: stored whole, found by id or by username in any case, names and ids unique;
    a password or role changed, an account removed."""

    @pytest.mark.anyio
    async def test_added_user_is_found_by_id_and_username(self, users: UserRepository) -> None:
        """A stored user comes back whole by its id and by its exact username."""
        stored = user("Ada.Lovelace+1@x")
        await users.add(stored)
        assert {
            "by_id": await users.by_id(stored.id),
            "by_username": await users.by_username(stored.username),
        } == {"by_id": stored, "by_username": stored}

    @pytest.mark.anyio
    async def test_username_lookup_ignores_case(self, users: UserRepository) -> None:
        """Looking a user up in another case, casefolded (ß as ss), finds the name as stored."""
        stored = user(f"Straße-{uuid4().hex[:8]}")
        await users.add(stored)
        assert [
            await users.by_username(name)
            for name in (stored.username.swapcase(), stored.username.replace("ß", "SS"))
        ] == [stored, stored]

    @pytest.mark.anyio
    async def test_unknown_user_is_none(self, users: UserRepository) -> None:
        """An id or a username nobody has finds nothing."""
        await users.add(user())
        assert {
            "by_id": await users.by_id(uuid4()),
            "by_username": await users.by_username("nobody-here"),
        } == {"by_id": None, "by_username": None}

    @pytest.mark.anyio
    async def test_names_no_user_can_have_find_nothing(self, users: UserRepository) -> None:
        """A username with NUL, or far past any limit, finds nothing and raises nothing."""
        stored = user()
        await users.add(stored)
        names = [f"{stored.username}\x00", "\x00", "x" * 10_000, ""]
        assert [await users.by_username(name) for name in names] == [None] * 4

    @pytest.mark.anyio
    async def test_lookup_matches_the_casefolded_name_exactly(self, users: UserRepository) -> None:
        """Only the casefolded name itself matches: no wildcards (``_``, ``%``), no padding,
        no compatibility folding (full-width letters), no prefix."""
        tag = uuid4().hex[:8]
        stored = [user(f"abc-{tag}"), user(f"pxyzq-{tag}"), user(f"full-{tag}")]
        for added in stored:
            await users.add(added)
        near_misses = [
            f"a_c-{tag}",
            f"p%q-{tag}",
            f"abc-{tag} ",
            f" abc-{tag}",
            f"\uff46\uff55\uff4c\uff4c-{tag}",  # full-width "full"
            f"abc-{tag[:4]}",
            "%",
            "_",
        ]
        assert (
            [await users.by_username(name) for name in near_misses],
            [await users.by_username(added.username) for added in stored],
        ) == ([None] * len(near_misses), stored)

    @pytest.mark.anyio
    async def test_one_of_simultaneous_registrations_of_a_name_wins(
        self, users: UserRepository
    ) -> None:
        """Ten users with names equal after casefolding, added at once: one is stored, nine
        are refused as UsernameTaken."""
        name = f"Same-{uuid4().hex[:8]}"
        contenders = [user(name.upper() if n % 2 else name) for n in range(10)]
        results = await asyncio.gather(*(users.add(u) for u in contenders), return_exceptions=True)
        stored = [await users.by_id(u.id) for u in contenders]
        assert (
            results.count(None),
            sum(isinstance(r, UsernameTaken) for r in results),
            sum(s is not None for s in stored),
        ) == (1, 9, 1)

    @pytest.mark.anyio
    async def test_duplicate_username_in_any_case_is_taken(self, users: UserRepository) -> None:
        """A second user whose name casefolds like the first's is refused; the first stays."""
        first = user(f"straße-{uuid4().hex[:8]}")
        await users.add(first)
        second = user(first.username.upper())
        with pytest.raises(UsernameTaken):
            await users.add(second)
        assert {
            "the first, by its name": await users.by_username(first.username),
            "the refused, by its id": await users.by_id(second.id),
        } == {"the first, by its name": first, "the refused, by its id": None}

    @pytest.mark.anyio
    async def test_duplicate_id_is_already_stored(self, users: UserRepository) -> None:
        """A second user with the first one's id is refused; the first stays as it was."""
        first = user()
        await users.add(first)
        second = replace(user(), id=first.id)
        with pytest.raises(AlreadyStored):
            await users.add(second)
        assert {
            "the first, by its id": await users.by_id(first.id),
            "the refused, by its name": await users.by_username(second.username),
        } == {"the first, by its id": first, "the refused, by its name": None}


class _ConcurrentWrites(Contract):
    """Collections under concurrent writes: nothing lost, counts exact.

    The cases run their calls at once with ``asyncio.gather``; an adapter that
    serves them on several connections must still keep every rule.
    """

    @pytest.fixture
    def users(self) -> UserRepository:
        """Where owners are stored: in memory, unless the suite's collections need their
        owners in a store of their own (a foreign key), whose users it then provides."""
        return MemoryUserRepository()

    @pytest.fixture
    async def owner(self, users: UserRepository) -> UUID:
        """A stored user owning the test's collections."""
        return await _stored_user(users)

    @pytest.fixture
    async def stranger(self, users: UserRepository) -> UUID:
        """Another stored user, who must see none of the owner's collections."""
        return await _stored_user(users)

    @pytest.mark.anyio
    async def test_concurrent_partial_updates_keep_both(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """A new title and a new movie list sent at once to each of ten collections are both
        kept, and each answer is a state that was stored."""
        new_movies = (movie("New", "Drama"),)
        targets = [collection(owner, f"Old {n}", movie("Old", "War")) for n in range(10)]
        for target in targets:
            await collections.add(target)
        answers = await asyncio.gather(
            *(
                collections.update(owner, target.uuid, changes)
                for target in targets
                for changes in (
                    CollectionChanges(title="NEW"),
                    CollectionChanges(movies=new_movies),
                )
            )
        )
        final = [await collections.get(owner, target.uuid) for target in targets]
        both = [replace(t, title="NEW", movies=new_movies, version=3) for t in targets]
        title_first = [replace(t, title="NEW", version=2) for t in targets]
        movies_first = [replace(t, movies=new_movies, version=2) for t in targets]
        assert final == both
        assert all(
            sorted([answers[2 * n], answers[2 * n + 1]], key=lambda c: c.version if c else 0)
            in ([title_first[n], both[n]], [movies_first[n], both[n]])
            for n in range(10)
        )
        assert await _genres(collections, owner) == {"Drama": 10}

    @pytest.mark.anyio
    async def test_one_of_many_writers_at_a_version_wins(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """Of ten updates sent at once, all expecting version 1, exactly one is applied."""
        target = collection(owner, "Contested")
        await collections.add(target)
        attempts = [
            collections.update(
                owner, target.uuid, CollectionChanges(title=f"W{n}"), expected_version=1
            )
            for n in range(10)
        ]
        results = await asyncio.gather(*attempts, return_exceptions=True)
        won = [r for r in results if isinstance(r, Collection)]
        lost = [r for r in results if isinstance(r, VersionMismatch)]
        stored = await collections.get(owner, target.uuid)
        assert {
            "updates won": len(won),
            "refused": len(lost),
            "stored is a winner": stored in won,
        } == {
            "updates won": 1,
            "refused": 9,
            "stored is a winner": True,
        }

    @pytest.mark.anyio
    async def test_one_of_simultaneous_adds_of_a_uuid_wins(
        self, collections: CollectionRepository, owner: UUID, stranger: UUID
    ) -> None:
        """Ten collections with one uuid, for two owners, added at once: one is stored, nine
        are refused as AlreadyStored, and the counts show one."""
        first = collection(owner, "Contested", movie("Heat", "Crime"))
        contenders = [
            replace(first, title=f"Copy {n}", owner=stranger if n % 2 else owner) for n in range(10)
        ]
        results = await asyncio.gather(
            *(collections.add(c) for c in contenders), return_exceptions=True
        )
        listed = [(await collections.page(o, 0, 10)).count for o in (owner, stranger)]
        assert {
            "adds stored": results.count(None),
            "refused as AlreadyStored": sum(isinstance(r, AlreadyStored) for r in results),
            "listed": sum(listed),
        } == {"adds stored": 1, "refused as AlreadyStored": 9, "listed": 1}

    @pytest.mark.anyio
    async def test_concurrent_writes_keep_counts_exact(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """Adds, updates and double removals of one owner's collections, all at once, leave the
        listed total and the genre counts equal to what is stored."""
        genres = ("Drama", "Comedy", "War", "Horror", "Sci-Fi")

        def movies(seed: int) -> tuple[Movie, ...]:
            return tuple(
                movie(f"M{seed}.{n}", f"{genres[seed % 5]}, {genres[(seed + n) % 5]}")
                for n in range(seed % 5 + 1)
            )

        first = [collection(owner, f"First {n}", *movies(n)) for n in range(12)]
        await asyncio.gather(*(collections.add(c) for c in first))
        second = [collection(owner, f"Second {n}", *movies(n + 3)) for n in range(12)]
        await asyncio.gather(
            *(collections.add(c) for c in second),
            *(
                collections.update(owner, c.uuid, CollectionChanges(movies=movies(n + 7)))
                for n, c in enumerate(first[:6])
            ),
            *(collections.remove(owner, c.uuid) for c in first[6:] + first[6:]),
        )
        items, count = await _listed(collections, owner, 0, 100)
        stored = [await collections.get(owner, item.uuid) for item in items]
        assert {
            "listed": len(items),
            "count": count,
            "genre counts": await _genres(collections, owner),
        } == {
            "listed": 18,
            "count": 18,
            "genre counts": _expected_counts(c for c in stored if c is not None),
        }


class CollectionRepositoryContract(MovieEditContract, _ConcurrentWrites, OwnerRemoval):
    """Collections: owner-scoped, newest first, updated atomically, genre counts kept on write,
    edited one movie at a time, removed with their owner."""

    @pytest.mark.anyio
    async def test_round_trip_keeps_movies_in_order(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """A stored collection comes back whole, its movies in the order given."""
        movies = [movie(f"Film {n} \N{CLAPPER BOARD}", "Drama, Comedy", "d" * n) for n in range(5)]
        stored = collection(owner, "Mixed bag", *reversed(movies), description="ünïcode")
        await collections.add(stored)
        assert await collections.get(owner, stored.uuid) == stored

    @pytest.mark.anyio
    async def test_text_at_every_limit_round_trips_unchanged(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """Every text field at its longest, with surrounding white space and unusual
        Unicode, comes back character for character, also after an update."""
        limits = DEFAULT_LIMITS
        edge = movie(
            edge_text(limits.movie_title_max),
            edge_text(limits.genres_max),
            edge_text(limits.movie_description_max),
        )
        stored = collection(
            owner,
            edge_text(limits.title_max),
            edge,
            replace(edge, uuid=uuid4(), title=" x ", description="", genres=""),
            description=edge_text(limits.description_max),
        )
        await collections.add(stored)
        read_back = await collections.get(owner, stored.uuid)
        changes = CollectionChanges(title=edge_text(3), description=" ", movies=(edge,))
        updated = await collections.update(owner, stored.uuid, changes)
        assert (read_back, updated, await collections.get(owner, stored.uuid)) == (
            stored,
            replace(stored, title=edge_text(3), description=" ", movies=(edge,), version=2),
            updated,
        )

    @pytest.mark.anyio
    async def test_one_movie_twice_keeps_both_snapshots(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """A collection may hold one movie uuid twice; both snapshots stay, in order."""
        first = movie("Alien", "Horror")
        stored = collection(owner, "Twice", first, replace(first, title="Alien (cut)"))
        await collections.add(stored)
        assert await collections.get(owner, stored.uuid) == stored

    @pytest.mark.anyio
    async def test_duplicate_uuid_is_already_stored(
        self, collections: CollectionRepository, owner: UUID, stranger: UUID
    ) -> None:
        """A second collection with a stored uuid, for any owner, is refused; the first stays."""
        first = collection(owner, "First", movie("Heat", "Crime"))
        await collections.add(first)
        for again in (replace(first, title="Again"), replace(first, owner=stranger)):
            with pytest.raises(AlreadyStored):
                await collections.add(again)
        assert (
            await collections.get(owner, first.uuid),
            await _listed(collections, owner),
            await _listed(collections, stranger),
            await _genres(collections, owner),
        ) == (first, ([summary(first)], 1), ([], 0), {"Crime": 1})

    @pytest.mark.anyio
    async def test_unknown_collection_is_absent(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """Reading, updating or removing a uuid never stored finds nothing, whatever version."""
        ghost = uuid4()
        assert (
            await collections.get(owner, ghost),
            await collections.update(owner, ghost, CollectionChanges(title="x")),
            await collections.update(owner, ghost, CollectionChanges(), expected_version=1),
            await collections.remove(owner, ghost),
            await collections.remove(owner, ghost, expected_version=1),
        ) == (None, None, None, False, False)

    @pytest.mark.anyio
    async def test_another_owner_sees_nothing(
        self, collections: CollectionRepository, owner: UUID, stranger: UUID
    ) -> None:
        """Another owner can neither read, list, update nor remove a collection, and naming a
        version tells them nothing either (no VersionMismatch for what is not theirs)."""
        stored = collection(owner, "Mine", movie("Heat", "Crime"))
        await collections.add(stored)
        assert (
            await collections.get(stranger, stored.uuid),
            await _listed(collections, stranger),
            await collections.update(stranger, stored.uuid, CollectionChanges(title="Theirs")),
            await collections.update(
                stranger, stored.uuid, CollectionChanges(title="Theirs"), expected_version=9
            ),
            await collections.remove(stranger, stored.uuid, expected_version=9),
            await collections.remove(stranger, stored.uuid),
            await _genres(collections, stranger),
            await collections.get(owner, stored.uuid),
        ) == (None, ([], 0), None, None, False, False, {}, stored)

    @pytest.mark.anyio
    async def test_pages_at_every_offset_and_limit(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """Every slice of the listing is the newest-first list cut the same way, with the total."""
        # Titles in no order of creation, so that sorting by them cannot pass for newest first.
        stored = [collection(owner, f"C{n * 3 % 7}", description=f"number {n}") for n in range(7)]
        for added in stored:
            await collections.add(added)
        newest = [summary(c) for c in reversed(stored)]
        slices = [(offset, limit) for offset in range(9) for limit in range(5)]
        pages = [await _listed(collections, owner, offset, limit) for offset, limit in slices]
        assert pages == [(newest[offset : offset + limit], 7) for offset, limit in slices]

    @pytest.mark.anyio
    async def test_update_changes_only_the_given_fields(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """Each update changes just its fields, adds one to the version, and returns what is
        then stored; the collection keeps its place in the listing."""
        first = collection(owner, "First", movie("A", "Drama"), description="about")
        second = collection(owner, "Second")
        await collections.add(first)
        await collections.add(second)
        new_movies = (movie("C", "Horror"), movie("D", "War"))
        steps = [
            CollectionChanges(title="Renamed"),
            CollectionChanges(description=""),
            CollectionChanges(movies=new_movies),
            CollectionChanges(),
        ]
        returned = [await collections.update(owner, first.uuid, step) for step in steps]
        renamed = replace(first, title="Renamed", version=2)
        emptied = replace(renamed, description="", version=3)
        refilled = replace(emptied, movies=new_movies, version=4)
        items, count = await _listed(collections, owner)
        assert {
            "returned": returned,
            "stored": await collections.get(owner, first.uuid),
            "listed": list(items),
            "count": count,
        } == {
            "returned": [renamed, emptied, refilled, replace(refilled, version=5)],
            "stored": replace(refilled, version=5),
            "listed": [summary(second), summary(replace(refilled, version=5))],
            "count": 2,
        }

    @pytest.mark.anyio
    async def test_update_with_no_movies_empties_the_collection(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """Replacing the movies with an empty list leaves none, and their genres go uncounted."""
        stored = collection(owner, "Full", movie("A", "Drama"), movie("B", "Drama, War"))
        await collections.add(stored)
        await collections.update(owner, stored.uuid, CollectionChanges(movies=()))
        assert (
            await collections.get(owner, stored.uuid),
            await _genres(collections, owner),
        ) == (replace(stored, movies=(), version=2), {})

    @pytest.mark.anyio
    async def test_stale_version_changes_nothing(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """An update or removal naming a version the collection has left is refused with the
        current version, and the collection stays as it was; the current version works."""
        stored = collection(owner, "Versioned", movie("A", "Drama"))
        await collections.add(stored)
        current = await collections.update(owner, stored.uuid, CollectionChanges(title="v2"))
        stale = CollectionChanges(title="stale", movies=())
        # Each call is made in turn, so that none is left unawaited when one fails.
        attempts: dict[str, Callable[[], Awaitable[object]]] = {
            "update(expected_version=1)": lambda: collections.update(
                owner, stored.uuid, stale, expected_version=1
            ),
            "remove(expected_version=1)": lambda: collections.remove(
                owner, stored.uuid, expected_version=1
            ),
            "remove(expected_version=3)": lambda: collections.remove(
                owner, stored.uuid, expected_version=3
            ),
        }
        refused: dict[str, object] = {}
        for call, attempt in attempts.items():
            try:
                refused[call] = f"no VersionMismatch: returned {await attempt()!r}"
            except VersionMismatch as error:
                refused[call] = f"VersionMismatch(current={error.current})"
        after_refusals = await collections.get(owner, stored.uuid)
        accepted = await collections.update(
            owner, stored.uuid, CollectionChanges(description="v3"), expected_version=2
        )
        removed = await collections.remove(owner, stored.uuid, expected_version=3)
        assert {
            "refused": refused,
            "after the refusals": after_refusals,
            "accepted": accepted,
            "removed": removed,
        } == {
            "refused": dict.fromkeys(attempts, "VersionMismatch(current=2)"),
            "after the refusals": current,
            "accepted": replace(stored, title="v2", description="v3", version=3),
            "removed": True,
        }

    @pytest.mark.anyio
    async def test_removed_collection_is_gone(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """A removed collection can no longer be read, listed, updated or removed again."""
        kept = collection(owner, "Kept")
        gone = collection(owner, "Gone", movie("X", "Drama"))
        await collections.add(kept)
        await collections.add(gone)
        assert await collections.remove(owner, gone.uuid)
        items, count = await _listed(collections, owner)
        assert (
            await collections.get(owner, gone.uuid),
            await collections.update(owner, gone.uuid, CollectionChanges(title="back")),
            await collections.remove(owner, gone.uuid),
            list(items),
            count,
        ) == (None, None, False, [summary(kept)], 1)

    @pytest.mark.anyio
    async def test_genre_counts_follow_every_write(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """Genre counts match the owner's collections after every kind of write, each genre
        counted once per movie, case and Unicode forms kept apart, genres at zero not listed."""
        a = collection(owner, "A", movie("1", "Drama, Comedy"), movie("2", " Drama ,drama,,"))
        b = collection(owner, "B", movie("3", "Comedy,Comedy"), movie("4", ""))
        c = collection(
            owner, "C", movie("5", "War"), movie("6", "War"), movie("8", "Café, Cafe\u0301")
        )
        cafes = {"Café": 1, "Cafe\u0301": 1}  # one name composed, one decomposed: two genres
        seen = []
        for added in (a, b, c):
            await collections.add(added)
            seen.append(await _genres(collections, owner))
        b2 = replace(b, movies=(movie("7", "Horror, Drama"),), version=2)
        await collections.update(owner, b.uuid, CollectionChanges(movies=b2.movies))
        seen.append(await _genres(collections, owner))
        await collections.update(owner, a.uuid, CollectionChanges(title="A2"))
        seen.append(await _genres(collections, owner))
        await collections.remove(owner, c.uuid)
        seen.append(await _genres(collections, owner))
        assert seen == [
            _expected_counts([a]),
            _expected_counts([a, b]),
            {"Drama": 2, "drama": 1, "Comedy": 2, "War": 2, **cafes},
            {"Drama": 3, "drama": 1, "Comedy": 1, "Horror": 1, "War": 2, **cafes},
            _expected_counts([a, b2, c]),
            {"Drama": 3, "drama": 1, "Comedy": 1, "Horror": 1},
        ]

    @pytest.mark.anyio
    async def test_same_movie_in_two_collections(
        self, collections: CollectionRepository, owner: UUID, stranger: UUID
    ) -> None:
        """One movie uuid may sit in several collections, each keeping its own snapshot."""
        shared = movie("Alien", "Horror, Sci-Fi")
        mine = collection(owner, "Mine", shared)
        again = collection(owner, "Again", replace(shared, title="Alien (1979)", genres="Horror"))
        theirs = collection(stranger, "Theirs", replace(shared, genres="Comedy"))
        for added in (mine, again, theirs):
            await collections.add(added)
        stored = [await collections.get(c.owner, c.uuid) for c in (mine, again, theirs)]
        counts_before = await _genres(collections, owner)
        await collections.remove(owner, again.uuid)
        assert (
            stored,
            counts_before,
            await collections.get(owner, mine.uuid),
            await _genres(collections, owner),
            await _genres(collections, stranger),
        ) == (
            [mine, again, theirs],
            {"Horror": 2, "Sci-Fi": 1},
            mine,
            {"Horror": 1, "Sci-Fi": 1},
            {"Comedy": 1},
        )
