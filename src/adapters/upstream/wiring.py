"""open_upstream_catalog: the upstream catalog with its client, breaker and page cache wired."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
import redis.asyncio as aioredis

from moviecore import Catalog

from .breaker import CircuitBreaker
from .cache import MemoryPageCache, PageCache
from .cached import CachedCatalog
from .client import UpstreamCatalog
from .redis_cache import RedisPageCache
from .retry import RetryPolicy

DEFAULT_KEY_PREFIX = "moviecore:catalog:"
# Redis is only a cache: a slow one must cost a request little before it counts as a miss.
_REDIS_TIMEOUT = 0.5


@asynccontextmanager
async def open_upstream_catalog(
    url: str,
    username: str,
    password: str,
    *,
    redis_url: str | None = None,
    key_prefix: str = DEFAULT_KEY_PREFIX,
    fresh_for: float = 300.0,
    stale_for: float = 86400.0,
    retry: RetryPolicy | None = None,
    breaker: CircuitBreaker | None = None,
) -> AsyncIterator[Catalog]:
    """A cached, retried, breaker-guarded upstream catalog, open while the block runs.

    Pages are cached in Redis under ``key_prefix`` when ``redis_url`` is given,
    shared by every process using it; in this process's memory otherwise.
    """
    retry = retry or RetryPolicy()
    async with AsyncExitStack() as stack:
        client = await stack.enter_async_context(
            httpx.AsyncClient(
                auth=httpx.BasicAuth(username, password),
                timeout=retry.per_try,
                headers={"Accept": "application/json"},
            )
        )
        upstream = UpstreamCatalog(client, url, breaker=breaker or CircuitBreaker(), retry=retry)
        cache: PageCache = MemoryPageCache()
        if redis_url is not None:
            redis = aioredis.from_url(
                redis_url, socket_timeout=_REDIS_TIMEOUT, socket_connect_timeout=_REDIS_TIMEOUT
            )
            stack.push_async_callback(redis.aclose)
            cache = RedisPageCache(redis, key_prefix)
        yield CachedCatalog(upstream, cache, fresh_for=fresh_for, stale_for=stale_for)
