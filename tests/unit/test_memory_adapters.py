"""What the in-memory adapters do beyond the shared contracts: clocks, copies, fakes' formats."""

from uuid import UUID, uuid4

import pytest

from moviecore import (
    InvalidToken,
    Movie,
    Ports,
    Session,
    SignedIn,
    TooManyAttempts,
)
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
    """A throttle of two attempts in ten seconds locks after two and frees after ten."""
    clock = ManualClock(1000.0)
    throttle = MemoryLoginThrottle(max_failures=2, window=10.0, clock=clock)
    await throttle.attempt("alice")
    await throttle.attempt("alice")
    with pytest.raises(TooManyAttempts) as locked:
        await throttle.attempt("alice")
    clock.advance(10)
    await throttle.attempt("alice")
    assert locked.value.retry_after == 10


@pytest.mark.parametrize(
    ("max_failures", "window", "max_keys"), [(0, 60.0, 10), (5, 0.0, 10), (5, 60.0, 0)]
)
def test_throttle_refuses_senseless_limits(max_failures: int, window: float, max_keys: int) -> None:
    """A throttle allowing no failure, no key or with an empty window cannot be made."""
    message = "max_failures and max_keys must be 1 or more and window positive"
    with pytest.raises(ValueError, match=message):
        MemoryLoginThrottle(max_failures=max_failures, window=window, max_keys=max_keys)


@pytest.mark.anyio
async def test_a_full_throttle_forgets_its_oldest_window_first() -> None:
    """Past ``max_keys`` names, the name that tried first is forgotten, the later ones kept."""
    throttle = MemoryLoginThrottle(clock=ManualClock(1000.0), max_keys=3)
    for key in ("alice", "bob", "carol"):
        for _ in range(5):
            await throttle.attempt(key)
    await throttle.attempt("dave")
    locked = []
    for key in ("carol", "bob", "alice"):  # alice last: a new window may push another out
        try:
            await throttle.attempt(key)
        except TooManyAttempts:
            locked.append(key)
    assert locked == ["carol", "bob"]


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
