"""The upstream movie catalog over HTTP, made dependable: retries, breaker, page cache.

open_upstream_catalog(url, username, password, redis_url=...)  -> the wired Catalog
  CachedCatalog        fresh pages from a PageCache, stale ones when the source fails,
                       no call for a page known to lie past the end
    UpstreamCatalog    httpx, per-try timeout, deadline, backoff, body cap, redirects,
                       decoding movie by movie (a bad movie is left out, not the page)
      CircuitBreaker   stops calling an upstream that is unreachable or failing
"""

from .breaker import BreakerState, CircuitBreaker
from .cache import CachedPage, MemoryPageCache, PageCache
from .cached import CachedCatalog
from .client import MAX_BODY, UpstreamCatalog
from .redis_cache import RedisPageCache
from .retry import RetryPolicy
from .wiring import DEFAULT_KEY_PREFIX, open_upstream_catalog

__all__ = [
    "DEFAULT_KEY_PREFIX",
    "MAX_BODY",
    "BreakerState",
    "CachedCatalog",
    "CachedPage",
    "CircuitBreaker",
    "MemoryPageCache",
    "PageCache",
    "RedisPageCache",
    "RetryPolicy",
    "UpstreamCatalog",
    "open_upstream_catalog",
]
