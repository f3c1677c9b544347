"""The in-memory adapters pass the same contract tests as every other adapter of their ports."""

import pytest

from moviecore import StorageUnavailable
from moviecore.testing import (
    FakeTokenIssuer,
    FastPasswordHasher,
    ManualClock,
    MemoryCollectionRepository,
    MemoryLoginThrottle,
    MemoryMovieStore,
    MemoryRequestCounter,
    MemorySessionStore,
    MemorySyncCursor,
    MemoryUserRepository,
)
from moviecore.testing.contracts import (
    BreakStorage,
    CatalogSearchContract,
    CollectionRepositoryContract,
    LoginThrottleContract,
    MovieStoreContract,
    PasswordHasherContract,
    RequestCounterContract,
    SessionStoreContract,
    StorageFaultContract,
    SyncCursorContract,
    TokenIssuerContract,
    UserRepositoryContract,
)
from unit.faulty_adapters import Breakable, Outage


class TestMemoryUsers(UserRepositoryContract):
    """MemoryUserRepository keeps the user repository contract."""

    @pytest.fixture
    def users(self) -> MemoryUserRepository:
        """An empty in-memory user repository."""
        return MemoryUserRepository()


class TestMemoryCollections(CollectionRepositoryContract):
    """MemoryCollectionRepository keeps the collection repository contract, its owners in
    the contract's own user repository."""

    @pytest.fixture
    def collections(self) -> MemoryCollectionRepository:
        """An empty in-memory collection repository."""
        return MemoryCollectionRepository()


class TestMemoryMovieStore(MovieStoreContract):
    """MemoryMovieStore keeps the movie store contract."""

    @pytest.fixture
    def movie_store(self) -> MemoryMovieStore:
        """An empty in-memory catalog of ten movies a page."""
        return MemoryMovieStore()


class TestMemoryCounter(RequestCounterContract):
    """MemoryRequestCounter keeps the request counter contract."""

    @pytest.fixture
    def counter(self) -> MemoryRequestCounter:
        """A fresh in-memory counter."""
        return MemoryRequestCounter()


class TestMemoryThrottle(LoginThrottleContract):
    """MemoryLoginThrottle keeps the login throttle contract."""

    @pytest.fixture
    def throttle(self, clock: ManualClock) -> MemoryLoginThrottle:
        """An in-memory throttle on the contract's clock."""
        return MemoryLoginThrottle(clock=clock)


class TestFastHasher(PasswordHasherContract):
    """FastPasswordHasher keeps the password hasher contract."""

    @pytest.fixture
    def hasher(self) -> FastPasswordHasher:
        """The fast salted SHA-256 fake."""
        return FastPasswordHasher()


class TestFakeTokens(TokenIssuerContract):
    """FakeTokenIssuer keeps the token issuer contract."""

    @pytest.fixture
    def tokens(self, clock: ManualClock) -> FakeTokenIssuer:
        """A fake issuer with a random secret, on the contract's clock."""
        return FakeTokenIssuer(clock=clock)


class TestMemorySessions(SessionStoreContract):
    """MemorySessionStore keeps the session store contract."""

    @pytest.fixture
    def users(self) -> MemoryUserRepository:
        """An empty in-memory user repository."""
        return MemoryUserRepository()

    @pytest.fixture
    def sessions(self) -> MemorySessionStore:
        """An empty in-memory session store."""
        return MemorySessionStore()


class TestMemoryCatalogSearch(CatalogSearchContract):
    """MemoryMovieStore keeps the catalog search contract."""

    @pytest.fixture
    def movie_store(self) -> MemoryMovieStore:
        """An empty in-memory catalog of ten movies a page."""
        return MemoryMovieStore()


class TestMemorySyncCursor(SyncCursorContract):
    """MemorySyncCursor keeps the sync cursor contract."""

    @pytest.fixture
    def sync_cursor(self) -> MemorySyncCursor:
        """A fresh cursor."""
        return MemorySyncCursor()


class TestMemoryStorageFaults(StorageFaultContract):
    """In-memory adapters behind a storage that fails as a database does, translated."""

    @pytest.fixture
    def outage(self) -> Outage:
        """An outage raising StorageUnavailable, as a translating adapter does."""
        return Outage(lambda: StorageUnavailable("the storage is down"))

    @pytest.fixture
    def users(self, outage: Outage) -> Breakable:
        """Users behind the outage."""
        return Breakable(MemoryUserRepository(), outage)

    @pytest.fixture
    def collections(self, outage: Outage) -> Breakable:
        """Collections behind the outage."""
        return Breakable(MemoryCollectionRepository(), outage)

    @pytest.fixture
    def break_storage(self, outage: Outage) -> BreakStorage:
        """Begins the outage."""
        return outage.begin
