"""Production hashing and tokens: bcrypt for passwords, HS256-signed JWTs for sessions.

The ``PasswordHasher`` and ``TokenIssuer`` a service running on the core needs,
without the web stack: ``pip install 'moviecore[security]'`` adds bcrypt, pyjwt and
cachetools, and nothing else; importing this module without them fails, naming the
extra. The HTTP service runs these same two.

bcrypt is slow on purpose, so hashing runs in threads of its own (bcrypt releases
the GIL), as many as the machine has cores, so that a flood of logins can use every
core. Those threads run at a lower scheduling priority (nice 10, Linux), so the event
loop still answers other requests at once while they hash.

Every way a token can be untrustworthy (bad signature, other algorithm, the
other kind of token, missing or malformed claims) surfaces as
``moviecore.InvalidToken``; a genuine one past its time as ``TokenExpired``.
Token times come from the issuer's clock, which tests move by hand: pyjwt reads
the system clock itself, so its own ``exp`` and ``iat`` checks are off and the
same checks are made here. Keep the secret out of your code (an environment
variable, a secrets store).
"""

from __future__ import annotations

import asyncio
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, TypeVar
from uuid import UUID

try:
    import bcrypt
    import jwt
    from cachetools import TLRUCache
except ImportError as missing:  # the core alone: say which extra brings them
    raise ImportError(
        f"moviecore.security needs {missing.name}: pip install 'moviecore[security]'",
        name=missing.name,
    ) from missing

from ._entities import Session, SignedIn, Tokens
from ._errors import InvalidToken, TokenExpired
from ._public import publish

__all__ = ["HASHING_NICENESS", "BcryptPasswordHasher", "JwtTokenIssuer"]

T = TypeVar("T")

_ALGORITHM = "HS256"
_REQUIRED_CLAIMS = ["exp", "iat", "sub", "sid", "typ"]
_ACCESS = "access"
_REFRESH = "refresh"
_ARTICLE = {_ACCESS: "an", _REFRESH: "a"}
# pyjwt's own checks of exp and iat read the system clock: ours read the issuer's.
_OPTIONS: jwt.types.Options = {
    "require": _REQUIRED_CLAIMS,
    "verify_exp": False,
    "verify_iat": False,
}


HASHING_NICENESS = 10
"""How much lower than the process's the hashing threads' priority is (Linux's nice).

Measured on one worker, 2 cores, a flood of logins at cost 10 beside a probe of
``GET /request-count/`` (two runs each): the probe's p99 was 3.2x and 3.6x of its
p99 without the flood with the threads at the worker's priority, 1.1x and 0.9x
niced, logins/s the same (10.6-11.0 against 8.8-10.2).
"""


def _lower_priority() -> None:
    """Lower the calling thread's scheduling priority, where the system allows it.

    On Linux a thread id names that thread alone to setpriority; elsewhere it would
    name the process, so nothing is changed there.
    """
    if sys.platform == "linux":
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)


class BcryptPasswordHasher:
    """Salted bcrypt hashes; ``rounds`` is the log2 cost factor (4 to 31).

    Hashes run on ``threads`` threads of lowered priority, one per core by default.
    """

    def __init__(self, rounds: int = 12, *, threads: int | None = None) -> None:
        self._rounds = rounds
        self._threads = ThreadPoolExecutor(
            max_workers=threads or os.cpu_count() or 1,
            thread_name_prefix="bcrypt",
            initializer=_lower_priority,
        )

    async def hash(self, password: str) -> str:
        """A salted bcrypt hash of ``password``."""
        salt = bcrypt.gensalt(self._rounds)
        hashed = await self._in_thread(bcrypt.hashpw, _encode(password), salt)
        return hashed.decode("ascii")

    async def verify(self, password: str, password_hash: str) -> bool:
        """Whether ``password`` matches ``password_hash``; a malformed hash matches nothing."""
        try:
            expected = password_hash.encode("ascii")
        except UnicodeEncodeError:
            return False
        try:
            return await self._in_thread(bcrypt.checkpw, _encode(password), expected)
        except ValueError:  # bcrypt's answer to a hash it cannot parse
            return False

    async def _in_thread(
        self, work: Callable[[bytes, bytes], T], password: bytes, other: bytes
    ) -> T:
        return await asyncio.get_running_loop().run_in_executor(
            self._threads, work, password, other
        )


def _encode(password: str) -> bytes:
    # surrogatepass: the same byte count the core's length check used, so nothing is truncated
    return password.encode("utf-8", "surrogatepass")


class JwtTokenIssuer:
    """Tokens of sessions as JWTs signed with a shared secret (HS256).

    Both kinds name the user (``sub``) and the session (``sid``); ``typ`` tells them
    apart, so that neither is taken for the other. A refresh token also names the
    session's generation (``gen``). Access tokens live ``access_lifetime``; a refresh
    token lives ``refresh_lifetime`` from its issue, as its session then does.
    """

    def __init__(
        self,
        secret: str,
        *,
        access_lifetime: timedelta = timedelta(minutes=15),
        refresh_lifetime: timedelta = timedelta(days=14),
        leeway: timedelta = timedelta(seconds=10),
        remember: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret
        self._access_seconds = int(access_lifetime.total_seconds())
        self._refresh_seconds = refresh_lifetime.total_seconds()
        self._leeway = leeway.total_seconds()
        self._clock = clock
        # Verifying costs more than the rest of a cheap request: remember the answer.
        # Each token kept until it expires (the time-to-use of cachetools' TLRU cache).
        self._verified: TLRUCache[str, tuple[SignedIn, float]] = TLRUCache(
            maxsize=remember, ttu=_until_expiry, timer=clock
        )

    def refresh_expiry(self) -> float:
        """When a refresh token issued now would expire, in whole seconds as JWTs count."""
        return float(math.floor(self._clock() + self._refresh_seconds))

    def issue(self, session: Session) -> Tokens:
        """An access token of ``session`` and its refresh token for the session's generation."""
        now = int(self._clock())
        named = {"sub": str(session.user), "sid": str(session.id), "iat": now}
        access = {**named, "typ": _ACCESS, "exp": now + self._access_seconds}
        refresh = {**named, "typ": _REFRESH, "gen": session.generation}
        refresh["exp"] = int(session.expires_at)
        return Tokens(
            access_token=jwt.encode(access, self._secret, algorithm=_ALGORITHM),
            refresh_token=jwt.encode(refresh, self._secret, algorithm=_ALGORITHM),
            expires_in=self._access_seconds,
        )

    def verify(self, token: str) -> SignedIn:
        """Who ``token`` speaks for, if it is an access token signed by us and still valid."""
        verified = self._verified.get(token)
        if verified is None:
            claims, expires = self._decode(token, _ACCESS)
            signed_in = SignedIn(user=_uuid(claims, "sub"), session=_uuid(claims, "sid"))
            verified = self._verified[token] = (signed_in, expires)
        return verified[0]

    def verify_refresh(self, token: str) -> Session:
        """The session a refresh token signed by us names, at the generation it was issued for."""
        claims, expires = self._decode(token, _REFRESH)
        generation = claims.get("gen")
        if type(generation) is not int or generation < 0:
            raise InvalidToken("the refresh token names no generation")
        return Session(
            id=_uuid(claims, "sid"),
            user=_uuid(claims, "sub"),
            generation=generation,
            expires_at=expires,
        )

    def _decode(self, token: str, kind: str) -> tuple[Mapping[str, Any], float]:
        try:
            claims = jwt.decode(token, self._secret, algorithms=[_ALGORITHM], options=_OPTIONS)
        except jwt.InvalidTokenError as exc:
            raise InvalidToken(f"the {kind} token is not valid: {exc}") from exc
        if claims.get("typ") != kind:
            raise InvalidToken(f"this is not {_ARTICLE[kind]} {kind} token")
        return claims, self._check_times(claims, kind)

    def _check_times(self, claims: Mapping[str, Any], kind: str) -> float:
        """When the token expires; raise if it is expired or not issued yet."""
        try:
            issued, expires = int(claims["iat"]), int(claims["exp"])
        except (TypeError, ValueError, OverflowError) as exc:
            raise InvalidToken(f"the {kind} token's times are not whole seconds") from exc
        now = self._clock()
        if expires <= now - self._leeway:
            raise TokenExpired(f"the {kind} token has expired")
        if issued > now + self._leeway:
            raise InvalidToken(f"the {kind} token is issued in the future")
        return float(expires)


def _until_expiry(_token: str, verified: tuple[SignedIn, float], _now: float) -> float:
    return verified[1]


def _uuid(claims: Mapping[str, Any], name: str) -> UUID:
    """The UUID a claim holds; InvalidToken if it holds none."""
    try:
        return UUID(claims[name])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        what = "user" if name == "sub" else "session"
        raise InvalidToken(f"the token names no {what}") from exc


publish(__all__, globals(), __name__)
