"""What the in-memory adapters do beyond the shared contracts: clocks, copies, fakes' formats."""

from uuid import UUID, uuid4

import pytest

from moviecore import InvalidToken, Movie, SignedIn, TooManyAttempts
from moviecore.ports import LoginRule, Ports, Session
from moviecore.testing import (
    FakeTokenIssuer,
    FastPasswordHasher,
    ManualClock,
    MemoryCollectionRepository,
    MemoryLoginThrottle,
    MemoryMovieStore,
    MemorySessionStore,
    in_memory_ports,
)

OWNER = UUID(int=1)


@pytest.mark.anyio
async def test_throttle_limits_are_configurable() -> None:
    """Two tries per username and three per address in ten seconds: alice locks after two,
    the address after three, and both are free ten seconds later."""
    clock = ManualClock(1000.0)
    throttle = MemoryLoginThrottle(LoginRule(per_user=2, per_address=3, window=10), clock=clock)
    for username in ("alice", "alice", "bob"):
        await throttle.attempt("192.0.2.1", username)
    waits = []
    for username in ("alice", "carol"):
        with pytest.raises(TooManyAttempts) as locked:
            await throttle.attempt("192.0.2.1", username)
        waits.append(locked.value.retry_after)
    clock.advance(10)
    await throttle.attempt("192.0.2.1", "alice")
    assert waits == [10, 10]


@pytest.mark.parametrize(
    ("per_user", "per_address", "window"), [(0, 20, 60.0), (5, 0, 60.0), (5, 20, 0.0)]
)
def test_a_rule_refuses_senseless_limits(per_user: int, per_address: int, window: float) -> None:
    """A rule allowing no try per username or per address, or with an empty window,
    cannot be made."""
    message = "per_user and per_address must be 1 or more and window positive"
    with pytest.raises(ValueError, match=message):
        LoginRule(per_user=per_user, per_address=per_address, window=window)


def test_a_throttle_too_small_for_one_attempt_cannot_be_made() -> None:
    """An attempt counts in two windows, so a table of one key is refused."""
    with pytest.raises(ValueError, match="max_keys must be 2 or more"):
        MemoryLoginThrottle(max_keys=1)


@pytest.mark.anyio
async def test_movie_store_keeps_its_own_copy_of_the_list() -> None:
    """Changing the list given to put afterwards changes nothing stored."""
    store = MemoryMovieStore(page_size=2)
    movies = [Movie(UUID(int=n), f"M{n}", "", "") for n in range(3)]
    await store.put(movies)
    movies.clear()
    assert (await store.count(), len((await store.page(2)).movies)) == (3, 1)


def test_movie_store_refuses_an_empty_page_size() -> None:
    """A catalog of zero movies a page cannot be made."""
    with pytest.raises(ValueError, match="page_size must be 1 or more"):
        MemoryMovieStore(page_size=0)


@pytest.mark.anyio
async def test_collection_repository_refuses_negative_slices() -> None:
    """A negative offset or limit is a programming error, not an empty page."""
    with pytest.raises(ValueError, match="must not be negative"):
        await MemoryCollectionRepository().page(OWNER, -1, 10)


@pytest.mark.anyio
async def test_hasher_refuses_malformed_hashes() -> None:
    """A hash not made by the fast hasher verifies no password."""
    hasher = FastPasswordHasher()
    good = await hasher.hash("password")
    malformed = ["", "password", good.replace("fake-sha256", "bcrypt", 1), good.rsplit("$", 1)[0]]
    assert [await hasher.verify("password", h) for h in malformed] == [False] * 4


def test_tokens_need_the_secret() -> None:
    """A token verifies only with the secret that signed it."""
    session = Session(id=UUID(int=1), user=UUID(int=42), generation=0, expires_at=4e9)
    token = FakeTokenIssuer(secret=b"one").issue(session).access_token
    assert FakeTokenIssuer(secret=b"one").verify(token) == SignedIn(session.user, session.id)
    with pytest.raises(InvalidToken):
        FakeTokenIssuer(secret=b"two").verify(token)


@pytest.mark.anyio
async def test_a_session_store_forgets_expired_sessions_then_the_oldest() -> None:
    """Starting a session drops those expired by the store's clock, and past the most it
    keeps, the oldest: its table stays bounded."""
    clock = ManualClock(1000.0)
    store = MemorySessionStore(clock=clock, max_sessions=3)
    user = UUID(int=1)
    expiring = Session(id=uuid4(), user=user, generation=0, expires_at=1500.0)
    lasting = [Session(id=uuid4(), user=user, generation=0, expires_at=9000.0) for _ in range(4)]
    await store.start(expiring)
    for session in lasting[:2]:
        await store.start(session)
    clock.advance(500)  # the first has expired
    await store.start(lasting[2])
    await store.start(lasting[3])  # full: the oldest goes
    assert [await store.find(s.id) for s in (expiring, *lasting)] == [None, None, *lasting[1:]]


@pytest.mark.anyio
async def test_in_memory_ports_are_wired_and_independent() -> None:
    """Each call gives fresh, separate adapters, with the given catalog."""
    movie = Movie(UUID(int=1), "Heat", "", "Crime")
    first, second = in_memory_ports([movie]), in_memory_ports()
    await first.counter.add()
    assert isinstance(first, Ports)
    assert (
        (await first.catalog.page(1)).movies,
        (await second.catalog.page(1)).movies,
        await first.counter.read(),
        await second.counter.read(),
    ) == ((movie,), (), 1, 0)
