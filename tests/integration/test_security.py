"""bcrypt password hashing and JWT access tokens, through the port contracts and JWT's own traps."""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from moviecore import InvalidCredentials, InvalidToken, SignedIn, TokenExpired
from moviecore.ports import Session
from moviecore.security import HASHING_NICENESS, BcryptPasswordHasher, JwtTokenIssuer
from moviecore.testing import ManualClock, in_memory_ports
from moviecore.testing.contracts import PasswordHasherContract, TokenIssuerContract
from moviecore.use_cases import login_for_tokens, register_user

SECRET = "a-test-secret-long-enough-for-every-hmac-algorithm-the-tests-try!"
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
"""What the issuers' clock shows when they verify the tokens built here."""


class TestBcryptPasswordHasher(PasswordHasherContract):
    """The bcrypt hasher keeps the PasswordHasher contract."""

    @pytest.fixture
    def hasher(self) -> BcryptPasswordHasher:
        """A bcrypt hasher at the lowest cost, to keep the tests fast."""
        return BcryptPasswordHasher(rounds=4)


class TestJwtTokenIssuer(TokenIssuerContract):
    """The JWT issuer keeps the TokenIssuer contract."""

    @pytest.fixture
    def tokens(self, clock: ManualClock) -> JwtTokenIssuer:
        """An issuer with a fixed test secret, on the contract's clock."""
        return JwtTokenIssuer(SECRET, clock=clock)


@pytest.mark.anyio
async def test_bcrypt_hash_records_its_cost() -> None:
    """A hash made with a configured cost says so in its bcrypt prefix."""
    hashed = await BcryptPasswordHasher(rounds=5).hash("correct horse")
    assert hashed[:7] == "$2b$05$"


@pytest.mark.anyio
@pytest.mark.parametrize("threads", [None, 3])
async def test_hashes_at_once_use_the_threads_given_at_a_lower_priority(
    threads: int | None,
) -> None:
    """Hashes asked for at once run on as many threads as the hasher is given (one per core
    by default) and no more, each niced below the process, so the event loop goes first."""
    hasher = BcryptPasswordHasher(rounds=10, threads=threads)
    before = set(threading.enumerate())
    # Each hash takes milliseconds, queueing them microseconds: every thread starts.
    await asyncio.gather(*(hasher.hash(f"password {n}") for n in range(12)))
    started = set(threading.enumerate()) - before
    niceness = min(19, os.getpriority(os.PRIO_PROCESS, 0) + HASHING_NICENESS)
    assert sorted(os.getpriority(os.PRIO_PROCESS, t.native_id or 0) for t in started) == [
        niceness
    ] * min(12, threads or os.cpu_count() or 1)


@pytest.mark.anyio
async def test_malformed_hash_matches_nothing() -> None:
    """A stored hash that is not bcrypt's rejects every password instead of failing."""
    assert await BcryptPasswordHasher(rounds=4).verify("password1", "not-a-hash") is False


@pytest.mark.anyio
async def test_full_72_byte_password_is_checked_whole() -> None:
    """Two passwords differing only in their 72nd byte do not match each other."""
    hasher = BcryptPasswordHasher(rounds=4)
    hashed = await hasher.hash("a" * 71 + "b")
    assert await hasher.verify("a" * 71 + "c", hashed) is False


def _signed(claims: dict[str, Any], key: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def _issuer() -> JwtTokenIssuer:
    return JwtTokenIssuer(SECRET, clock=ManualClock(NOW.timestamp()))


def _claims(**overrides: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "sub": str(uuid.uuid4()),
        "sid": str(uuid.uuid4()),
        "typ": "access",
        "iat": NOW,
        "exp": NOW + timedelta(hours=1),
    }
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}


def _unsigned(claims: dict[str, Any]) -> str:
    return jwt.encode(claims, None, algorithm="none")


EXPIRED = _claims(exp=NOW - timedelta(minutes=5))


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(_signed(EXPIRED), id="expired"),
        pytest.param(_signed(_claims(iat=NOW + timedelta(minutes=5))), id="issued-later"),
        pytest.param(_signed(_claims(iat="yesterday")), id="iat-not-a-time"),
        pytest.param(_signed(_claims(), key=SECRET[::-1]), id="wrong-key"),
        pytest.param(_unsigned(_claims()), id="alg-none"),
        pytest.param(_signed(_claims(), algorithm="HS512"), id="alg-hs512"),
        pytest.param(_signed(_claims(sub=None)), id="no-sub"),
        pytest.param(_signed(_claims(exp=None)), id="no-exp"),
        pytest.param(_signed(_claims(iat=None)), id="no-iat"),
        pytest.param(_signed(_claims(sub="not-a-uuid")), id="sub-not-uuid"),
        pytest.param(_signed(_claims(sub=42)), id="sub-not-string"),
        pytest.param(_signed(_claims(sid=None)), id="no-session"),
        pytest.param(_signed(_claims(sid="not-a-uuid")), id="session-not-uuid"),
        pytest.param(_signed(_claims(typ=None)), id="no-kind"),
        pytest.param(_signed(_claims(typ="refresh", gen=0)), id="a-refresh-token"),
    ],
)
def test_untrustworthy_tokens_are_invalid(token: str) -> None:
    """A token that is expired, not issued yet, forged, of another algorithm or lacking claims
    is refused."""
    with pytest.raises(InvalidToken):
        _issuer().verify(token)


def test_tokens_name_user_session_kind_and_lifetime() -> None:
    """Issued HS256 tokens carry the user as sub, the session as sid, their kind as typ, the
    refresh token the generation as gen, and expire after their lifetimes."""
    issuer = JwtTokenIssuer(SECRET, access_lifetime=timedelta(minutes=30))
    session = Session(id=uuid.uuid4(), user=uuid.uuid4(), generation=3, expires_at=2e9)
    pair = issuer.issue(session)
    header = jwt.get_unverified_header(pair.access_token)
    access, refresh = (
        jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": False})
        for token in (pair.access_token, pair.refresh_token)
    )
    named = {"sub": str(session.user), "sid": str(session.id)}
    assert (header["alg"], access["exp"] - access["iat"], pair.expires_in) == ("HS256", 1800, 1800)
    assert ({**access, "iat": 0, "exp": 0}, {**refresh, "iat": 0}) == (
        {**named, "typ": "access", "iat": 0, "exp": 0},
        {**named, "typ": "refresh", "gen": 3, "iat": 0, "exp": 2_000_000_000},
    )


def test_token_just_past_expiry_is_accepted_within_leeway() -> None:
    """A token expired a moment ago still passes, allowing for clocks slightly apart."""
    user, session = uuid.uuid4(), uuid.uuid4()
    claims = _claims(sub=str(user), sid=str(session), exp=NOW - timedelta(seconds=2))
    assert _issuer().verify(_signed(claims)) == SignedIn(user, session)


def test_an_expired_token_says_so() -> None:
    """A token past its time and the leeway is refused as expired, not as malformed."""
    with pytest.raises(TokenExpired):
        _issuer().verify(_signed(EXPIRED))


@pytest.mark.anyio
@pytest.mark.parametrize("username", ["ada", "nobody"])
async def test_login_with_a_password_past_bcrypts_limit_fails_plainly(username: str) -> None:
    """A 100-byte password is a wrong password, for a known or unknown user, never a crash."""
    ports = in_memory_ports()
    hasher = BcryptPasswordHasher(rounds=4)
    await register_user("ada", "correct horse", users=ports.users, hasher=hasher)
    with pytest.raises(InvalidCredentials):
        await login_for_tokens(
            username,
            "p" * 100,
            address="192.0.2.1",
            users=ports.users,
            hasher=hasher,
            tokens=ports.tokens,
            throttle=ports.throttle,
            sessions=ports.sessions,
        )
