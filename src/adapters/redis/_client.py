"""A Redis client tuned for the adapters here: quick to fail, so callers can fall back."""

from __future__ import annotations

import logging

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from adapters.faults import Rejected, one_line

from ._errors import SERVER, fault_of

logger = logging.getLogger("moviecore.redis")

MAX_CONNECTIONS = 64
"""Per client; a burst of requests waits for a free connection rather than failing."""


def connect(url: str, *, wait: float = 1.0) -> Redis:
    """A client for ``url`` (no I/O yet) whose commands give up after about ``wait`` seconds.

    One immediate retry replaces a pooled connection that a Redis restart broke;
    beyond that, a down Redis is reported at once instead of after long backoffs.
    The pool blocks (up to ``wait``) when all its connections are busy: the
    default one refuses the 101st concurrent command outright.
    """
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=MAX_CONNECTIONS,
        timeout=wait,
        socket_timeout=wait,
        socket_connect_timeout=wait,
        retry=Retry(NoBackoff(), retries=1),
    )
    return Redis.from_pool(pool)  # the client owns the pool: closing one closes both


async def check(url: str, *, wait: float = 1.0) -> None:
    """At start: return if Redis at ``url`` answers, or log why it cannot be reached.

    Raise Rejected if it refuses the credentials or the certificate: waiting will
    not change that. An unreachable Redis may come back, so it is only logged.
    """
    client = connect(url, wait=wait)
    try:
        await client.ping()
    except RedisError as exc:
        fault = fault_of(exc)
        if fault.lasting:
            raise Rejected(SERVER, fault, exc) from exc
        # the fault in the message as written: each fault is a kind of its own to the logs
        logger.warning(f"Redis {fault.value}: %s", one_line(exc))
    finally:
        await client.aclose()
