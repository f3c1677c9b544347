"""MovieCore: every use case as a method, wired once to a set of ports.

Each method is the function of the same name in ``moviecore.use_cases``, given the
ports it needs and the core's ``limits``; that function's docstring says what it does
and which errors it raises. A new use case joins here as a method passing its ports
(``tests/unit/test_movie_core.py`` fails until it does).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from . import _accounts, _catalog, _collection_movies, _collections, _counter, _sessions
from ._entities import (
    CatalogPage,
    Collection,
    CollectionChanges,
    CollectionDraft,
    CollectionsPage,
    Movie,
    SignedIn,
    Tokens,
    User,
)
from ._limits import Limits
from ._ports import Ports


@dataclass(frozen=True, slots=True)
class MovieCore:
    """The use cases of moviecore over one set of ports, built once by a composition root.

    ``limits`` (None: the defaults) bound what every use case accepts; ``operators``
    names the usernames ``require_operator`` accepts besides those granted the role in
    the user store. Each method is ``moviecore.use_cases.<name>`` with the ports given.
    """

    ports: Ports
    limits: Limits | None = None
    operators: tuple[str, ...] = ()

    # accounts

    async def register_user(self, username: str, password: str) -> User:
        """Create an account and return it; see ``use_cases.register_user``."""
        ports = self.ports
        return await _accounts.register_user(
            username, password, users=ports.users, hasher=ports.hasher, limits=self.limits
        )

    async def register_for_tokens(self, username: str, password: str) -> Tokens:
        """Create an account and return the tokens of its first session; see
        ``use_cases.register_for_tokens``."""
        ports = self.ports
        return await _accounts.register_for_tokens(
            username,
            password,
            users=ports.users,
            hasher=ports.hasher,
            tokens=ports.tokens,
            sessions=ports.sessions,
            limits=self.limits,
        )

    async def login_user(self, username: str, password: str, *, address: str) -> User:
        """The user these credentials are, throttled by ``address``, without a session; see
        ``use_cases.login_user``."""
        ports = self.ports
        return await _accounts.login_user(
            username,
            password,
            address=address,
            users=ports.users,
            hasher=ports.hasher,
            throttle=ports.throttle,
            limits=self.limits,
        )

    async def login_for_tokens(self, username: str, password: str, *, address: str) -> Tokens:
        """Start a session for these credentials, throttled by ``address``; its tokens. See
        ``use_cases.login_for_tokens``."""
        ports = self.ports
        return await _accounts.login_for_tokens(
            username,
            password,
            address=address,
            users=ports.users,
            hasher=ports.hasher,
            tokens=ports.tokens,
            throttle=ports.throttle,
            sessions=ports.sessions,
            limits=self.limits,
        )

    async def confirm_password(self, user: User, password: str, *, address: str) -> None:
        """Check the user's password as a throttled login attempt; see
        ``use_cases.confirm_password``."""
        await _accounts.confirm_password(
            user,
            password,
            address=address,
            hasher=self.ports.hasher,
            throttle=self.ports.throttle,
            limits=self.limits,
        )

    # sessions

    async def authenticate(self, token: str) -> SignedIn:
        """Who a valid access token speaks for; see ``use_cases.authenticate``."""
        return await _sessions.authenticate(
            token, tokens=self.ports.tokens, sessions=self.ports.sessions
        )

    async def refresh(self, refresh_token: str) -> Tokens:
        """A new pair for a refresh token, which is spent; see ``use_cases.refresh``."""
        return await _sessions.refresh(
            refresh_token, tokens=self.ports.tokens, sessions=self.ports.sessions
        )

    async def logout(self, signed_in: SignedIn, *, everywhere: bool = False) -> None:
        """End the caller's session, or every one of them; see ``use_cases.logout``."""
        await _sessions.logout(signed_in, sessions=self.ports.sessions, everywhere=everywhere)

    async def whoami(self, user_id: UUID) -> User:
        """The signed-in user's account; see ``use_cases.whoami``."""
        return await _sessions.whoami(user_id, users=self.ports.users)

    async def change_password(
        self, signed_in: SignedIn, current_password: str, new_password: str, *, address: str
    ) -> None:
        """Replace the caller's password, ending its other sessions; see
        ``use_cases.change_password``."""
        ports = self.ports
        await _sessions.change_password(
            signed_in,
            current_password,
            new_password,
            address=address,
            users=ports.users,
            hasher=ports.hasher,
            sessions=ports.sessions,
            throttle=ports.throttle,
            limits=self.limits,
        )

    async def delete_account(self, signed_in: SignedIn, password: str, *, address: str) -> None:
        """Erase the caller's account, its sessions and collections; see
        ``use_cases.delete_account``."""
        ports = self.ports
        await _sessions.delete_account(
            signed_in,
            password,
            address=address,
            users=ports.users,
            collections=ports.collections,
            hasher=ports.hasher,
            sessions=ports.sessions,
            throttle=ports.throttle,
            limits=self.limits,
        )

    async def require_operator(self, user_id: UUID) -> None:
        """Return if the user holds the operator role; see ``use_cases.require_operator``."""
        await _sessions.require_operator(user_id, users=self.ports.users, operators=self.operators)

    # the catalog

    async def get_movie(self, uuid: UUID) -> Movie:
        """The catalog's movie with this uuid; see ``use_cases.get_movie``."""
        return await _catalog.get_movie(uuid, catalog=self.ports.catalog)

    async def list_movies(self, page: int = 1) -> CatalogPage:
        """One page of the catalog; see ``use_cases.list_movies``."""
        return await _catalog.list_movies(page, catalog=self.ports.catalog)

    async def search_movies(self, search: str, page: int = 1, *, genre: str = "") -> CatalogPage:
        """One page of the movies found; see ``use_cases.search_movies``."""
        return await _catalog.search_movies(
            search, page, genre=genre, catalog=self.ports.catalog, limits=self.limits
        )

    # collections

    async def create_collection(self, owner: UUID, draft: CollectionDraft) -> UUID:
        """Store a new collection and return its uuid; see ``use_cases.create_collection``."""
        return await _collections.create_collection(
            owner, draft, collections=self.ports.collections, limits=self.limits
        )

    async def list_collections(
        self, owner: UUID, page: int = 1, *, movie: UUID | None = None
    ) -> CollectionsPage:
        """One page of the owner's collections; see ``use_cases.list_collections``."""
        return await _collections.list_collections(
            owner, page, movie=movie, collections=self.ports.collections, limits=self.limits
        )

    async def get_collection(self, owner: UUID, uuid: UUID) -> Collection:
        """The owner's collection; see ``use_cases.get_collection``."""
        return await _collections.get_collection(owner, uuid, collections=self.ports.collections)

    async def update_collection(
        self,
        owner: UUID,
        uuid: UUID,
        changes: CollectionChanges,
        *,
        expected_version: int | None = None,
    ) -> Collection:
        """Apply ``changes`` and return what was stored; see ``use_cases.update_collection``."""
        return await _collections.update_collection(
            owner,
            uuid,
            changes,
            collections=self.ports.collections,
            limits=self.limits,
            expected_version=expected_version,
        )

    async def delete_collection(
        self, owner: UUID, uuid: UUID, *, expected_version: int | None = None
    ) -> None:
        """Delete the owner's collection; see ``use_cases.delete_collection``."""
        await _collections.delete_collection(
            owner, uuid, collections=self.ports.collections, expected_version=expected_version
        )

    async def add_movies(
        self,
        owner: UUID,
        uuid: UUID,
        movies: Sequence[Movie],
        *,
        position: int | None = None,
        expected_version: int | None = None,
    ) -> Collection:
        """Insert movies into the owner's collection; see ``use_cases.add_movies``."""
        return await _collection_movies.add_movies(
            owner,
            uuid,
            movies,
            position=position,
            collections=self.ports.collections,
            limits=self.limits,
            expected_version=expected_version,
        )

    async def remove_movie(
        self, owner: UUID, uuid: UUID, movie: UUID, *, expected_version: int | None = None
    ) -> Collection:
        """Take a movie out of the owner's collection; see ``use_cases.remove_movie``."""
        return await _collection_movies.remove_movie(
            owner,
            uuid,
            movie,
            collections=self.ports.collections,
            expected_version=expected_version,
        )

    async def move_movie(
        self,
        owner: UUID,
        uuid: UUID,
        movie: UUID,
        position: int,
        *,
        expected_version: int | None = None,
    ) -> Collection:
        """Move a movie within the owner's collection; see ``use_cases.move_movie``."""
        return await _collection_movies.move_movie(
            owner,
            uuid,
            movie,
            position,
            collections=self.ports.collections,
            expected_version=expected_version,
        )

    # the request count

    async def read_request_count(self) -> int:
        """The requests answered since the last reset; see ``use_cases.read_request_count``."""
        return await _counter.read_request_count(counter=self.ports.counter)

    async def reset_request_count(self) -> None:
        """Start the request count again; see ``use_cases.reset_request_count``."""
        await _counter.reset_request_count(counter=self.ports.counter)
