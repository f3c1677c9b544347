"""Password hashing with bcrypt and access tokens as HS256-signed JWTs.

bcrypt is slow on purpose, so hashing runs in a worker thread to keep the event
loop answering other requests. Every way a token can be untrustworthy (bad
signature, other algorithm, expired, missing or malformed claims) surfaces as
one error, ``moviecore.InvalidToken``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import anyio.to_thread
import bcrypt
import jwt

from moviecore import InvalidToken

_ALGORITHM = "HS256"
_REQUIRED_CLAIMS = ["exp", "iat", "sub"]


class BcryptPasswordHasher:
    """Salted bcrypt hashes; ``rounds`` is the log2 cost factor (4 to 31)."""

    def __init__(self, rounds: int = 12) -> None:
        self._rounds = rounds

    async def hash(self, password: str) -> str:
        """A salted bcrypt hash of ``password``."""
        salt = bcrypt.gensalt(self._rounds)
        hashed = await anyio.to_thread.run_sync(bcrypt.hashpw, _encode(password), salt)
        return hashed.decode("ascii")

    async def verify(self, password: str, password_hash: str) -> bool:
        """Whether ``password`` matches ``password_hash``; a malformed hash matches nothing."""
        try:
            expected = password_hash.encode("ascii")
        except UnicodeEncodeError:
            return False
        try:
            return await anyio.to_thread.run_sync(bcrypt.checkpw, _encode(password), expected)
        except ValueError:  # bcrypt's answer to a hash it cannot parse
            return False


def _encode(password: str) -> bytes:
    # surrogatepass: the same byte count the core's length check used, so nothing is truncated
    return password.encode("utf-8", "surrogatepass")


class JwtTokenIssuer:
    """Access tokens naming a user id, signed with a shared secret (HS256)."""

    def __init__(
        self,
        secret: str,
        *,
        lifetime: timedelta = timedelta(days=1),
        leeway: timedelta = timedelta(seconds=10),
    ) -> None:
        self._secret = secret
        self._lifetime = lifetime
        self._leeway = leeway

    def issue(self, user_id: UUID) -> str:
        """A token for ``user_id`` that expires after the configured lifetime."""
        now = datetime.now(UTC)
        claims = {"sub": str(user_id), "iat": now, "exp": now + self._lifetime}
        return jwt.encode(claims, self._secret, algorithm=_ALGORITHM)

    def verify(self, token: str) -> UUID:
        """The user id ``token`` names, if it is signed by us and still valid."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[_ALGORITHM],
                options={"require": _REQUIRED_CLAIMS},
                leeway=self._leeway,
            )
            return UUID(claims["sub"])
        except jwt.InvalidTokenError as exc:
            raise InvalidToken(f"the access token is not valid: {exc}") from exc
        except (TypeError, ValueError, AttributeError) as exc:  # a "sub" that is no UUID string
            raise InvalidToken("the access token names no user") from exc
