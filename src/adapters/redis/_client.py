"""A Redis client tuned for the adapters here: quick to fail, so callers can fall back."""

from __future__ import annotations

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff


def connect(url: str, *, wait: float = 1.0) -> Redis:
    """A client for ``url`` (no I/O yet) whose commands give up after about ``wait`` seconds.

    One immediate retry replaces a pooled connection that a Redis restart broke;
    beyond that, a down Redis is reported at once instead of after long backoffs.
    """
    return Redis.from_url(
        url,
        socket_timeout=wait,
        socket_connect_timeout=wait,
        retry=Retry(NoBackoff(), retries=1),
    )
