"""Redis failures, translated into the core's Unavailable at the boundary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from redis.exceptions import RedisError

from moviecore import Unavailable


@contextmanager
def redis_unavailable(what: str) -> Iterator[None]:
    """Raise Unavailable, naming ``what`` failed, for any Redis error inside the block."""
    try:
        yield
    except RedisError as exc:
        raise Unavailable(f"{what}: Redis cannot be reached") from exc
