"""The upstream movie catalog over HTTP, made dependable: retries, breaker, page cache, sync.

open_upstream_catalog(url, username, password, redis_url=...)  -> the wired Catalog
  CachedCatalog        fresh pages from a PageCache, stale ones when the source fails,
                       no call for a page known to lie past the end
    UpstreamCatalog    httpx, per-try timeout, deadline, backoff, body cap, redirects,
                       decoding movie by movie (a bad movie is left out, not the page)
      CircuitBreaker   stops calling an upstream that is unreachable or failing
sync_catalog(source, store, cursor)  -> copies a whole catalog into a MovieStore, resumably
"""

from .breaker import BreakerState, CircuitBreaker
from .cache import CachedPage, MemoryPageCache, PageCache
from .cached import CachedCatalog
from .client import MAX_BODY, UpstreamCatalog
from .redis_cache import RedisPageCache
from .retry import RetryPolicy
from .sync import SyncCursor, SyncMark, SyncProgress, SyncResult, sync_catalog
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
    "SyncCursor",
    "SyncMark",
    "SyncProgress",
    "SyncResult",
    "UpstreamCatalog",
    "open_upstream_catalog",
    "sync_catalog",
]
