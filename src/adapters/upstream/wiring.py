"""open_upstream_catalog: the upstream catalog with its client, breaker and page cache wired."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx

from adapters.metrics import Metrics
from adapters.redis import connect
from moviecore import Limits
from moviecore.ports import DEFAULT_LIMITS, Catalog

from .breaker import CircuitBreaker
from .cache import MemoryPageCache
from .cached import CachedCatalog
from .client import UpstreamCatalog
from .redis_cache import RedisPageCache
from .retry import RetryPolicy

DEFAULT_KEY_PREFIX = "moviecore:catalog:"
# Redis is only a cache: a slow one must cost a request little before it counts as a miss.
_REDIS_TIMEOUT = 0.5
_LOCAL_FRESH_FOR = 5.0


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
    limits: Limits = DEFAULT_LIMITS,
    metrics: Metrics | None = None,
) -> AsyncIterator[Catalog]:
    """A cached, retried, breaker-guarded upstream catalog, open while the block runs.

    Pages are cached in this process's memory; with ``redis_url``, also in Redis
    under ``key_prefix``, shared by every process, the memory then keeping each
    page only a few seconds in front of it. Movies are fitted to ``limits``. Calls,
    retries, the breaker and cache reads are reported to ``metrics``, if given.
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
        upstream = UpstreamCatalog(
            client,
            url,
            breaker=breaker or CircuitBreaker(),
            retry=retry,
            limits=limits,
            metrics=metrics,
        )
        source: Catalog = upstream
        if redis_url is not None:
            redis = connect(redis_url, wait=_REDIS_TIMEOUT)
            stack.push_async_callback(redis.aclose)
            shared = RedisPageCache(redis, key_prefix)
            source = CachedCatalog(
                upstream,
                shared,
                fresh_for=fresh_for,
                stale_for=stale_for,
                metrics=metrics,
                name="redis",
            )
            # In front of Redis, a few seconds in this process spare the hot pages a round trip.
            fresh_for, stale_for = min(fresh_for, _LOCAL_FRESH_FOR), 0.0
        yield CachedCatalog(
            source,
            MemoryPageCache(),
            fresh_for=fresh_for,
            stale_for=stale_for,
            metrics=metrics,
            name="memory",
        )
