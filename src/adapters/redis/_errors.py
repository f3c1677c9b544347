"""Redis failures, named by fault (see ``adapters.faults``) and translated into the core's
Unavailable at the boundary."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager

from redis.exceptions import (
    AuthenticationError,
    AuthenticationWrongNumberOfArgsError,
    AuthorizationError,
    ConnectionError,
    NoPermissionError,
    RedisError,
    TimeoutError,
)

from adapters.faults import Fault
from moviecore import Unavailable

SERVER = "Redis"

_AUTHENTICATION = (
    AuthenticationError,
    AuthenticationWrongNumberOfArgsError,
    AuthorizationError,
    NoPermissionError,
)


def fault_of(exc: RedisError) -> Fault:
    """Which fault ``exc`` shows; an answer that is none of the others is a protocol error."""
    if isinstance(exc, _AUTHENTICATION):
        return Fault.AUTHENTICATION
    if _caused_by_tls(exc):
        return Fault.CERTIFICATE
    if isinstance(exc, ConnectionError | TimeoutError):
        return Fault.UNREACHABLE
    return Fault.PROTOCOL


def _caused_by_tls(exc: BaseException) -> bool:
    """Whether a TLS failure lies under ``exc``: redis-py wraps it in a ConnectionError."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


@contextmanager
def redis_unavailable(what: str) -> Iterator[None]:
    """Raise Unavailable, naming ``what`` failed and why, for any Redis error inside the block."""
    try:
        yield
    except RedisError as exc:
        raise Unavailable(f"{what}: {fault_of(exc).sentence(SERVER)}") from exc
