"""Contract suites of accounts and sessions: changes to an account, whole-owner removal,
the session store and the token issuer.

``UserRepositoryContract`` and ``CollectionRepositoryContract`` take in the cases of
``AccountChanges`` and ``OwnerRemoval``; ``SessionStoreContract`` and
``TokenIssuerContract`` are suites of their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import replace
from uuid import UUID, uuid4

import pytest

from moviecore import (
    InvalidCredentials,
    InvalidToken,
    SessionRevoked,
    SignedIn,
    TokenExpired,
    Tokens,
)
from moviecore.ports import (
    CollectionRepository,
    LoginRule,
    Session,
    SessionStore,
    TokenIssuer,
    UserRepository,
)
from moviecore.use_cases import (
    authenticate,
    change_password,
    login_for_tokens,
    refresh,
    register_user,
)

from ._accounts import FakeTokenIssuer, FastPasswordHasher, MemoryLoginThrottle
from ._clock import ManualClock
from ._contract_base import Contract, collection, movie, summary, user

_START = 1_700_000_000.0
_DAY = 86_400.0


class AccountChanges(Contract):
    """A stored account changes its password or role, or is removed, freeing its name."""

    @pytest.mark.anyio
    async def test_a_new_password_hash_is_stored(self, users: UserRepository) -> None:
        """The new hash is what both lookups find; an unknown id changes nothing."""
        stored, other = user(), user()
        await users.add(stored)
        await users.add(other)
        changed = replace(stored, password_hash="hash-of-a-new-password")
        answers = [
            await users.change_password(stored.id, changed.password_hash),
            await users.change_password(uuid4(), "hash-of-nobody"),
        ]
        assert (
            answers,
            await users.by_id(stored.id),
            await users.by_username(stored.username),
            await users.by_id(other.id),
        ) == ([True, False], changed, changed, other)

    @pytest.mark.anyio
    async def test_the_operator_role_is_granted_and_taken_back_by_name(
        self, users: UserRepository
    ) -> None:
        """Granting by the name in another case marks the user an operator; taking it back
        unmarks it; an unknown name finds nobody."""
        stored = user(f"Op-{uuid4().hex[:8]}")
        await users.add(stored)
        granted = await users.set_operator(stored.username.upper(), True)
        found = await users.by_id(stored.id)
        revoked = await users.set_operator(stored.username, False)
        assert (granted, found, revoked, await users.set_operator("nobody-here", True)) == (
            replace(stored, operator=True),
            replace(stored, operator=True),
            stored,
            None,
        )

    @pytest.mark.anyio
    async def test_a_removed_user_is_gone_and_its_name_free(self, users: UserRepository) -> None:
        """After removal the user is found by neither lookup, a new account may take its
        name, removing again finds nothing, and other users stay."""
        gone, other = user(), user()
        await users.add(gone)
        await users.add(other)
        first = await users.remove(gone.id)
        lookups = (await users.by_id(gone.id), await users.by_username(gone.username))
        successor = user(gone.username.upper())
        await users.add(successor)
        assert (first, lookups, await users.remove(gone.id)) == (True, (None, None), False)
        assert (await users.by_username(gone.username), await users.by_id(other.id)) == (
            successor,
            other,
        )


class OwnerRemoval(Contract):
    """All of one owner's collections are removed at once, and no one else's change."""

    @pytest.mark.anyio
    async def test_removing_an_owners_collections_leaves_others_alone(
        self, collections: CollectionRepository, owner: UUID, stranger: UUID
    ) -> None:
        """The owner's listing is empty, with no genres; the stranger's is as it was."""
        shared = movie("Heat", "Crime, Drama")
        for n in range(3):
            await collections.add(collection(owner, f"Mine {n}", shared))
        theirs = collection(stranger, "Theirs", shared, movie("Up", "Animation"))
        await collections.add(theirs)
        before = await collections.page(stranger, 0, 10)
        await collections.remove_all(owner)
        await collections.remove_all(uuid4())  # nobody's: nothing happens
        mine = await collections.page(owner, 0, 10)
        assert (
            (mine.summaries, mine.count, dict(mine.genre_counts)),
            await collections.page(stranger, 0, 10),
            before.summaries,
        ) == (((), 0, {}), before, (summary(theirs),))


def session_of(owner: UUID, generation: int = 0) -> Session:
    """A new session of ``owner`` whose refresh token expires 14 days from now: a store may
    forget sessions expired by its own clock, which is the system's."""
    expires_at = float(int(time.time() + 14 * _DAY))
    return Session(id=uuid4(), user=owner, generation=generation, expires_at=expires_at)


class SessionStoreContract(Contract):
    """Sessions: found until ended; a refresh token's generation moves by one, once; ending
    one, or all of a user's but one, touches no other.

    Fixtures: ``sessions``, and ``users`` of the same store (for the race of a login
    with a password change, run through the use cases).
    """

    @pytest.mark.anyio
    async def test_a_started_session_is_found_whole(self, sessions: SessionStore) -> None:
        """A session comes back as started; an id never started finds nothing."""
        started = session_of(uuid4())
        await sessions.start(started)
        assert (await sessions.find(started.id), await sessions.find(uuid4())) == (started, None)

    @pytest.mark.anyio
    async def test_a_rotation_moves_the_generation_by_one_once(
        self, sessions: SessionStore
    ) -> None:
        """Rotating to the next generation stores it; the same rotation again, a skipped
        generation and an unknown session all store nothing."""
        started = session_of(uuid4())
        await sessions.start(started)
        renewed = replace(started, generation=1, expires_at=started.expires_at + 60)
        answers = [
            await sessions.rotate(renewed),
            await sessions.rotate(renewed),
            await sessions.rotate(replace(started, generation=3)),
            await sessions.rotate(session_of(uuid4(), generation=1)),
        ]
        assert (answers, await sessions.find(started.id)) == ([True, False, False, False], renewed)

    @pytest.mark.anyio
    async def test_of_rotations_racing_with_one_generation_one_wins(
        self, sessions: SessionStore
    ) -> None:
        """Ten rotations of one session to the same generation, at once: exactly one stores."""
        started = session_of(uuid4())
        await sessions.start(started)
        contenders = [
            replace(started, generation=1, expires_at=started.expires_at + n) for n in range(10)
        ]
        results = await asyncio.gather(*(sessions.rotate(c) for c in contenders))
        stored = await sessions.find(started.id)
        assert (results.count(True), stored in contenders) == (1, True)

    @pytest.mark.anyio
    async def test_an_ended_session_is_gone_and_others_stay(self, sessions: SessionStore) -> None:
        """Ending answers True once, then False; the session is gone, its user's other
        sessions stay."""
        owner = uuid4()
        ended, other = session_of(owner), session_of(owner)
        for started in (ended, other):
            await sessions.start(started)
        answers = [await sessions.end(ended.id), await sessions.end(ended.id)]
        assert (
            answers,
            await sessions.find(ended.id),
            await sessions.find(other.id),
            await sessions.rotate(replace(ended, generation=1)),
        ) == ([True, False], None, other, False)

    @pytest.mark.anyio
    async def test_ending_all_of_a_users_sessions_keeps_one_and_other_users(
        self, sessions: SessionStore
    ) -> None:
        """Every session of the user ends but the one kept; another user's stay; ending all
        without keeping one ends the kept one too."""
        owner, stranger = uuid4(), uuid4()
        mine = [session_of(owner) for _ in range(3)]
        theirs = session_of(stranger)
        for started in (*mine, theirs):
            await sessions.start(started)
        await sessions.end_all(owner, keep=mine[0].id)
        kept = [await sessions.find(s.id) for s in mine]
        await sessions.end_all(owner)
        assert (kept, await sessions.find(mine[0].id), await sessions.find(theirs.id)) == (
            [mine[0], None, None],
            None,
            theirs,
        )

    @pytest.mark.anyio
    async def test_refreshes_racing_with_one_token_never_both_get_a_pair(
        self, sessions: SessionStore
    ) -> None:
        """Five refreshes of one refresh token at once: at most one gets a new pair, the
        others are refused, and a refusal as reused leaves no pair of the session working."""
        tokens = FakeTokenIssuer()
        started = session_of(uuid4())
        await sessions.start(started)
        presented = tokens.issue(started).refresh_token
        results = await asyncio.gather(
            *(refresh(presented, tokens=tokens, sessions=sessions) for _ in range(5)),
            return_exceptions=True,
        )
        pairs = [r for r in results if isinstance(r, Tokens)]
        refused = [r for r in results if isinstance(r, SessionRevoked)]
        working = []
        for pair in pairs:
            with contextlib.suppress(SessionRevoked):
                working.append(
                    await authenticate(pair.access_token, tokens=tokens, sessions=sessions)
                )
        assert (len(pairs) <= 1, len(pairs) + len(refused), working) == (True, 5, [])

    @pytest.mark.anyio
    async def test_a_password_change_racing_with_logins_leaves_no_old_session(
        self, users: UserRepository, sessions: SessionStore
    ) -> None:
        """Logins with the old password sent while the password changes either fail or
        get a session that is ended: only the changer's own session stays open."""
        hasher, tokens = FastPasswordHasher(), FakeTokenIssuer()
        throttle = MemoryLoginThrottle(LoginRule(per_user=1000, per_address=1000))
        name = f"racer-{uuid4().hex[:8]}"
        account = await register_user(name, "old password", users=users, hasher=hasher)
        own = session_of(account.id)
        await sessions.start(own)

        async def log_in() -> str | None:
            try:
                started = await login_for_tokens(
                    name,
                    "old password",
                    address="192.0.2.1",
                    users=users,
                    hasher=hasher,
                    tokens=tokens,
                    throttle=throttle,
                    sessions=sessions,
                )
            except InvalidCredentials:
                return None
            return started.access_token

        changing = change_password(
            SignedIn(account.id, own.id),
            "old password",
            "new password",
            address="192.0.2.1",
            users=users,
            hasher=hasher,
            sessions=sessions,
            throttle=throttle,
        )
        *logged_in, _ = await asyncio.gather(*(log_in() for _ in range(10)), changing)
        still_open = []
        for token in filter(None, logged_in):
            with contextlib.suppress(SessionRevoked):
                still_open.append(await authenticate(token, tokens=tokens, sessions=sessions))
        assert (still_open, await sessions.find(own.id)) == ([], own)


def _tampered(token: str) -> str:
    # Change the first character after the last dot: in a signature it always carries
    # signed bits, unlike the last base64 character whose low bits may be padding.
    at = token.rfind(".") + 1
    swapped = "A" if token[at] != "A" else "B"
    return token[:at] + swapped + token[at + 1 :]


class TokenIssuerContract(Contract):
    """Tokens: an access token names its user and session for 15 minutes, a refresh
    token its session and generation for 14 days; anything altered, of the other kind
    or foreign is refused.

    The ``tokens`` fixture must use these lifetimes and read time from the ``clock``
    fixture, a ManualClock the tests move (Unix seconds).
    """

    @pytest.fixture
    def clock(self) -> ManualClock:
        """The clock the issuer under test reads: 1,700,000,000 s until moved."""
        return ManualClock(_START)

    @staticmethod
    def _session(tokens: TokenIssuer, generation: int = 0) -> Session:
        return Session(
            id=uuid4(), user=uuid4(), generation=generation, expires_at=tokens.refresh_expiry()
        )

    def test_round_trip(self, tokens: TokenIssuer) -> None:
        """Each access token names its user and session; each refresh token its session
        as issued; access tokens live 900 seconds and refresh tokens 14 days."""
        first, second = self._session(tokens), self._session(tokens, generation=7)
        issued = [tokens.issue(first), tokens.issue(second)]
        assert (
            [tokens.verify(pair.access_token) for pair in issued],
            [tokens.verify_refresh(pair.refresh_token) for pair in issued],
            [pair.expires_in for pair in issued],
            first.expires_at,
        ) == (
            [SignedIn(first.user, first.id), SignedIn(second.user, second.id)],
            [first, second],
            [900, 900],
            _START + 14 * _DAY,
        )

    def test_each_token_kind_is_refused_as_the_other(self, tokens: TokenIssuer) -> None:
        """A refresh token opens nothing, and an access token refreshes nothing."""
        pair = tokens.issue(self._session(tokens))
        with pytest.raises(InvalidToken) as as_access:
            tokens.verify(pair.refresh_token)
        with pytest.raises(InvalidToken) as as_refresh:
            tokens.verify_refresh(pair.access_token)
        assert (as_access.value.reason, as_refresh.value.reason) == ("malformed", "malformed")

    def test_tokens_expire_after_their_lifetimes(
        self, tokens: TokenIssuer, clock: ManualClock
    ) -> None:
        """An access token is refused as expired a minute after its 15 minutes; its
        refresh token lives on until its 14 days are over."""
        session = self._session(tokens)
        pair = tokens.issue(session)
        clock.advance(16 * 60)
        with pytest.raises(TokenExpired):
            tokens.verify(pair.access_token)
        still = tokens.verify_refresh(pair.refresh_token)
        clock.advance(14 * _DAY)
        with pytest.raises(TokenExpired):
            tokens.verify_refresh(pair.refresh_token)
        assert still == session

    def test_tampered_token_is_invalid(self, tokens: TokenIssuer) -> None:
        """A token of either kind with its signature altered is refused as malformed."""
        pair = tokens.issue(self._session(tokens))
        with pytest.raises(InvalidToken) as access:
            tokens.verify(_tampered(pair.access_token))
        with pytest.raises(InvalidToken) as refresh:
            tokens.verify_refresh(_tampered(pair.refresh_token))
        assert (access.value.reason, refresh.value.reason) == ("malformed", "malformed")

    def test_truncated_token_is_invalid(self, tokens: TokenIssuer) -> None:
        """A token cut short is refused."""
        token = tokens.issue(self._session(tokens)).access_token
        with pytest.raises(InvalidToken):
            tokens.verify(token[: len(token) // 2])

    @pytest.mark.parametrize(
        "garbage", ["", "Bearer", "a.b.c", ".", "\N{SNOWMAN}.\u2603", str(UUID(int=1))]
    )
    def test_garbage_is_invalid(self, tokens: TokenIssuer, garbage: str) -> None:
        """Strings that were never tokens are refused as either kind."""
        with pytest.raises(InvalidToken):
            tokens.verify(garbage)
        with pytest.raises(InvalidToken):
            tokens.verify_refresh(garbage)
