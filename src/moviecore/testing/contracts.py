"""Contract tests: what every adapter of a port must do, as pytest base classes.

Subclass one per adapter and provide the fixtures it names (they may be async):

    class TestMyCollections(CollectionRepositoryContract):
        @pytest.fixture
        async def store(self): ...
        @pytest.fixture
        def users(self, store): return store.users
        @pytest.fixture
        def collections(self, store): return store.collections

| base class | fixtures |
|---|---|
| UserRepositoryContract | ``users`` |
| CollectionRepositoryContract | ``collections``; ``users`` too if owners must be stored |
| StorageFaultContract | ``users``, ``collections`` and ``break_storage`` |
| CatalogContract | ``catalog``: serving the movies of ``catalog_movies``, 10 a page |
| MovieStoreContract | ``movie_store``: empty, 10 movies a page |
| CatalogSearchContract | ``movie_store``: empty, 10 movies a page |
| RequestCounterContract | ``counter``: fresh, reading 0 |
| SyncCursorContract | ``sync_cursor``: where catalog syncs stopped, in the store under test |
| LoginThrottleContract | ``throttle``: ``LoginRule()``'s tries, timed by ``clock`` |
| PasswordHasherContract | ``hasher`` |
| TokenIssuerContract | ``tokens``: access 15 min, refresh 14 days, timed by ``clock`` |
| SessionStoreContract | ``sessions``, and ``users`` of the same store |

Every class also provides ``anyio_backend`` (asyncio), so a suite needs nothing else.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from ipaddress import IPv6Address
from uuid import uuid4

import pytest

from moviecore import CatalogPage, Movie, TooManyAttempts
from moviecore.ports import (
    DEFAULT_LIMITS,
    LoginThrottle,
    MovieStore,
    PasswordHasher,
    RequestCounter,
)

from ._account_contracts import SessionStoreContract, TokenIssuerContract
from ._catalog_contracts import CatalogContract
from ._clock import ManualClock
from ._contract_base import Contract, movie
from ._fault_contracts import BreakStorage, StorageFaultContract
from ._search_contracts import CatalogSearchContract
from ._storage_contracts import (
    CollectionRepositoryContract,
    UserRepositoryContract,
    edge_text,
)
from ._sync_contracts import SyncCursorContract

__all__ = [
    "BreakStorage",
    "CatalogContract",
    "CatalogSearchContract",
    "CollectionRepositoryContract",
    "LoginThrottleContract",
    "MovieStoreContract",
    "PasswordHasherContract",
    "RequestCounterContract",
    "SessionStoreContract",
    "StorageFaultContract",
    "SyncCursorContract",
    "TokenIssuerContract",
    "UserRepositoryContract",
    "edge_text",
]


def _catalog(count: int) -> list[Movie]:
    return [movie(f"Movie {n}", "Drama", f"about {n}") for n in range(count)]


class MovieStoreContract(CatalogContract):
    """A local catalog: pages of 10 in insertion order; put replaces by uuid in place."""

    @pytest.fixture
    async def catalog(self, movie_store: MovieStore, catalog_movies: list[Movie]) -> MovieStore:
        """The store under test, holding the catalog contract's movies."""
        await movie_store.put(catalog_movies)
        return movie_store

    @pytest.mark.anyio
    async def test_empty_store_has_an_empty_first_page(self, movie_store: MovieStore) -> None:
        """An empty catalog answers page 1 with no movies and a count of 0."""
        assert {"page 1": await movie_store.page(1), "count": await movie_store.count()} == {
            "page 1": CatalogPage((), 0, 1, has_next=False),
            "count": 0,
        }

    @pytest.mark.anyio
    async def test_text_at_every_limit_round_trips_unchanged(self, movie_store: MovieStore) -> None:
        """A movie whose text is at every limit, with white space and unusual Unicode at its
        ends, is listed character for character."""
        limits = DEFAULT_LIMITS
        edge = Movie(
            uuid=uuid4(),
            title=edge_text(limits.movie_title_max),
            description=edge_text(limits.movie_description_max),
            genres=edge_text(limits.genres_max),
        )
        await movie_store.put([edge])
        assert await movie_store.page(1) == CatalogPage((edge,), 1, 1, has_next=False)

    @pytest.mark.anyio
    async def test_pages_follow_insertion_order(self, movie_store: MovieStore) -> None:
        """Movies page ten at a time in the order they were put, past the end empty."""
        movies = _catalog(25)
        await movie_store.put(movies[:12])
        await movie_store.put(movies[12:])
        pages = [await movie_store.page(number) for number in (1, 2, 3, 4)]
        assert (pages, await movie_store.count()) == (
            [
                CatalogPage(tuple(movies[0:10]), 25, 1, has_next=True),
                CatalogPage(tuple(movies[10:20]), 25, 2, has_next=True),
                CatalogPage(tuple(movies[20:]), 25, 3, has_next=False),
                CatalogPage((), 25, 4, has_next=False),
            ],
            25,
        )

    @pytest.mark.anyio
    async def test_movie_is_found_by_uuid(self, movie_store: MovieStore) -> None:
        """A stored movie is found by its uuid, as last put; an unknown uuid finds nothing."""
        first, second = _catalog(2)
        await movie_store.put([first, second])
        renamed = replace(second, title="Renamed")
        await movie_store.put([renamed])
        assert [await movie_store.movie(m.uuid) for m in (first, second)] == [first, renamed]
        assert await movie_store.movie(uuid4()) is None

    @pytest.mark.anyio
    async def test_put_replaces_by_uuid_in_place(self, movie_store: MovieStore) -> None:
        """Putting a stored uuid again updates that movie where it stands; new ones go last."""
        first, second, third = _catalog(3)
        await movie_store.put([first, second, third])
        renamed = replace(second, title="Renamed", genres="Comedy", description="new")
        newest = movie("Newest")
        await movie_store.put([renamed, newest])
        await movie_store.put([])
        assert {"page 1": await movie_store.page(1), "count": await movie_store.count()} == {
            "page 1": CatalogPage((first, renamed, third, newest), 4, 1, has_next=False),
            "count": 4,
        }


class RequestCounterContract(Contract):
    """The request counter: adds up, reads, resets to zero."""

    @pytest.mark.anyio
    async def test_counts_add_up(self, counter: RequestCounter) -> None:
        """A fresh counter reads 0, then the sum of everything added."""
        before = await counter.read()
        await counter.add()
        await counter.add(5)
        assert {"before": before, "after": await counter.read()} == {"before": 0, "after": 6}

    @pytest.mark.anyio
    async def test_concurrent_adds_are_all_counted(self, counter: RequestCounter) -> None:
        """A hundred and ten adds made at once are every one counted."""
        await asyncio.gather(
            *(counter.add() for _ in range(100)), *(counter.add(3) for _ in range(10))
        )
        assert await counter.read() == 130

    @pytest.mark.anyio
    async def test_reset_starts_again_from_zero(self, counter: RequestCounter) -> None:
        """After a reset the count is 0 and counts only what comes after."""
        await counter.add(7)
        await counter.reset()
        after_reset = await counter.read()
        await counter.add()
        assert {"after the reset": after_reset, "after one more": await counter.read()} == {
            "after the reset": 0,
            "after one more": 1,
        }


def _key(name: str) -> str:
    # Unique per test, so that a store shared between tests cannot leak failures.
    return f"{name}-{uuid4().hex}"


def _address() -> str:
    """A client address no other test uses, in IPv6's documentation range 2001:db8::/32."""
    return str(IPv6Address(0x2001_0DB8 << 96 | uuid4().int % 2**96))


async def _fail(throttle: LoginThrottle, address: str, username: str, times: int) -> None:
    """``times`` attempts that end in no success."""
    for _ in range(times):
        await throttle.attempt(address, username)


async def _retry_after(throttle: LoginThrottle, address: str, username: str) -> int:
    """How long a locked key must wait; the test fails if the key is not locked."""
    with pytest.raises(TooManyAttempts) as raised:
        await throttle.attempt(address, username)
    return raised.value.retry_after


class LoginThrottleContract(Contract):
    """Login throttling: five attempts without a success of one username from one address,
    or twenty of one address over any usernames, in the window lock them until the
    window ends; a success forgets the username's and gives the address its try back.

    The ``throttle`` fixture must read time from the ``clock`` fixture, a ManualClock
    the tests move, so that no test waits for a window to pass.
    """

    @pytest.fixture
    def clock(self) -> ManualClock:
        """The clock the throttle under test reads: 1,700,000,000 s until moved."""
        return ManualClock(1_700_000_000.0)

    @pytest.mark.anyio
    async def test_five_failed_attempts_then_the_key_is_locked(
        self, throttle: LoginThrottle
    ) -> None:
        """Five attempts go through; the sixth waits between 1 and 60 seconds."""
        address, user = _address(), _key("alice")
        await _fail(throttle, address, user, 5)
        assert 1 <= await _retry_after(throttle, address, user) <= 60

    @pytest.mark.anyio
    async def test_attempts_at_the_same_moment_each_use_a_try(
        self, throttle: LoginThrottle
    ) -> None:
        """Of twenty attempts made at once, five go through and fifteen must wait."""
        address, user = _address(), _key("alice")
        results = await asyncio.gather(
            *(throttle.attempt(address, user) for _ in range(20)), return_exceptions=True
        )
        assert (
            results.count(None),
            sum(isinstance(result, TooManyAttempts) for result in results),
        ) == (5, 15)

    @pytest.mark.anyio
    async def test_success_clears_the_attempts(self, throttle: LoginThrottle) -> None:
        """After a success the username starts again with five tries."""
        address, user = _address(), _key("alice")
        await _fail(throttle, address, user, 4)
        await throttle.succeeded(address, user)
        await _fail(throttle, address, user, 5)
        assert 1 <= await _retry_after(throttle, address, user) <= 60

    @pytest.mark.anyio
    async def test_a_locked_key_locks_no_other(self, throttle: LoginThrottle) -> None:
        """Attempts of one username leave every other username free to try."""
        address = _address()
        locked, other, never_seen = _key("alice"), _key("bob"), _key("carol")
        await _fail(throttle, address, locked, 5)
        await _fail(throttle, address, other, 1)
        await throttle.attempt(address, other)
        await throttle.attempt(address, never_seen)
        assert 1 <= await _retry_after(throttle, address, locked) <= 60

    @pytest.mark.anyio
    async def test_a_username_locked_from_one_address_is_free_from_another(
        self, throttle: LoginThrottle
    ) -> None:
        """Five failures of alice from one address lock that address out of alice only:
        alice from another address still gets her five tries."""
        guesser, owner, user = _address(), _address(), _key("alice")
        await _fail(throttle, guesser, user, 5)
        await _fail(throttle, owner, user, 5)
        assert 1 <= await _retry_after(throttle, guesser, user) <= 60
        assert 1 <= await _retry_after(throttle, owner, user) <= 60

    @pytest.mark.anyio
    async def test_one_address_trying_many_usernames_is_slowed(
        self, throttle: LoginThrottle
    ) -> None:
        """An address gets twenty attempts over any usernames, one each; the 21st waits,
        while another address may still try the same username."""
        spraying, other = _address(), _address()
        users = [_key(f"user{number}") for number in range(21)]
        for user in users[:20]:
            await throttle.attempt(spraying, user)
        wait = await _retry_after(throttle, spraying, users[20])
        await throttle.attempt(other, users[20])
        assert 1 <= wait <= 60

    @pytest.mark.anyio
    async def test_attempts_of_one_address_at_the_same_moment_each_use_a_try(
        self, throttle: LoginThrottle
    ) -> None:
        """Of thirty attempts at once from one address, on thirty usernames, twenty go
        through and ten must wait."""
        address = _address()
        results = await asyncio.gather(
            *(throttle.attempt(address, _key(f"user{number}")) for number in range(30)),
            return_exceptions=True,
        )
        assert (
            results.count(None),
            sum(isinstance(result, TooManyAttempts) for result in results),
        ) == (20, 10)

    @pytest.mark.anyio
    async def test_a_refused_attempt_uses_no_try_of_the_address(
        self, throttle: LoginThrottle
    ) -> None:
        """Ten more attempts on a username locked from an address count nothing: the
        address still has fifteen tries for other usernames."""
        address, locked = _address(), _key("alice")
        await _fail(throttle, address, locked, 5)
        for _ in range(10):
            await _retry_after(throttle, address, locked)
        for number in range(15):
            await throttle.attempt(address, _key(f"user{number}"))
        assert 1 <= await _retry_after(throttle, address, _key("last")) <= 60

    @pytest.mark.anyio
    async def test_a_success_gives_the_address_back_only_its_own_try(
        self, throttle: LoginThrottle
    ) -> None:
        """Logging in neither uses up an address's tries nor resets them: after nineteen
        failures and a success, one more username may be tried, then the address waits."""
        address, owned = _address(), _key("mallory")
        for number in range(19):
            await throttle.attempt(address, _key(f"user{number}"))
        await throttle.attempt(address, owned)
        await throttle.succeeded(address, owned)
        await throttle.attempt(address, _key("one-more"))
        assert 1 <= await _retry_after(throttle, address, _key("too-many")) <= 60

    @pytest.mark.anyio
    async def test_a_lock_counts_down_to_the_end_of_the_window(
        self, throttle: LoginThrottle, clock: ManualClock
    ) -> None:
        """A locked key waits the rest of the window, rounded up, and is free at its end."""
        address, user = _address(), _key("alice")
        await _fail(throttle, address, user, 5)
        waits = []
        for seconds in (0, 40, 19.5):
            clock.advance(seconds)
            waits.append(await _retry_after(throttle, address, user))
        clock.advance(0.5)
        await throttle.attempt(address, user)
        assert waits == [60, 20, 1]

    @pytest.mark.anyio
    async def test_a_locked_address_waits_for_its_own_window(
        self, throttle: LoginThrottle, clock: ManualClock
    ) -> None:
        """An address locked by twenty usernames, the first 30 s before the others, waits
        30 s, then tries again."""
        address = _address()
        await throttle.attempt(address, _key("first"))
        clock.advance(30)
        for number in range(19):
            await throttle.attempt(address, _key(f"user{number}"))
        wait = await _retry_after(throttle, address, _key("next"))
        clock.advance(30)
        await throttle.attempt(address, _key("next"))
        assert wait == 30

    @pytest.mark.anyio
    async def test_the_window_runs_from_the_first_attempt(
        self, throttle: LoginThrottle, clock: ManualClock
    ) -> None:
        """Later attempts do not extend the window: the key is free 60 s after its first."""
        address, user = _address(), _key("alice")
        await _fail(throttle, address, user, 1)
        clock.advance(30)
        await _fail(throttle, address, user, 4)
        locked_for = await _retry_after(throttle, address, user)
        clock.advance(30)
        await throttle.attempt(address, user)
        assert locked_for == 30

    @pytest.mark.anyio
    async def test_attempts_of_a_past_window_are_forgotten(
        self, throttle: LoginThrottle, clock: ManualClock
    ) -> None:
        """Four attempts, a window later four more: the key may try once more, then waits."""
        address, user = _address(), _key("alice")
        for window in (0, 1):  # four attempts in each of two windows
            clock.advance(60 * window)
            await _fail(throttle, address, user, 4)
        await throttle.attempt(address, user)
        assert await _retry_after(throttle, address, user) == 60


class PasswordHasherContract(Contract):
    """Password hashing: salted, and verifying only the password that was hashed."""

    @pytest.mark.anyio
    async def test_verify_accepts_only_the_password(self, hasher: PasswordHasher) -> None:
        """The hashed password verifies; a different or empty one does not."""
        password = "correct horse 🐴"
        hashed = await hasher.hash(password)
        assert [
            await hasher.verify(candidate, hashed)
            for candidate in (password, "correct horse", password + " ", "")
        ] == [True, False, False, False]

    @pytest.mark.anyio
    async def test_hashes_are_salted(self, hasher: PasswordHasher) -> None:
        """Hashing one password twice gives two different hashes, both verifying."""
        first, second = await hasher.hash("same password"), await hasher.hash("same password")
        assert (first != second, await hasher.verify("same password", second)) == (True, True)
