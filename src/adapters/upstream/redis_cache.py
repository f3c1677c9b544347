"""RedisPageCache: catalog pages shared by every worker and instance through Redis.

Each page is one key ``<prefix>page:<n>`` holding the encoded page and its
fetch time, expiring when it may no longer be served even as stale. Redis is
a cache here: when it fails, or holds something undecodable, that is a miss.
"""

from __future__ import annotations

import logging
import math
from uuid import UUID

import msgspec
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from moviecore import CatalogPage, Movie

from .cache import CachedPage

log = logging.getLogger(__name__)


class _StoredMovie(msgspec.Struct, frozen=True):
    uuid: UUID
    title: str
    description: str
    genres: str


class _StoredPage(msgspec.Struct, frozen=True):
    fetched_at: float
    count: int
    page: int
    has_next: bool
    movies: list[_StoredMovie]


_decoder = msgspec.json.Decoder(_StoredPage)


def _encode(entry: CachedPage) -> bytes:
    page = entry.page
    movies = [
        _StoredMovie(uuid=m.uuid, title=m.title, description=m.description, genres=m.genres)
        for m in page.movies
    ]
    stored = _StoredPage(entry.fetched_at, page.count, page.page, page.has_next, movies)
    return msgspec.json.encode(stored)


def _decode(raw: bytes | str) -> CachedPage:
    stored = _decoder.decode(raw)
    movies = tuple(
        Movie(uuid=m.uuid, title=m.title, description=m.description, genres=m.genres)
        for m in stored.movies
    )
    page = CatalogPage(movies, stored.count, stored.page, stored.has_next)
    return CachedPage(page, stored.fetched_at)


class RedisPageCache:
    """Pages under a key prefix of one Redis client (opened and closed by its owner)."""

    def __init__(self, client: aioredis.Redis, key_prefix: str) -> None:
        self._client = client
        self._prefix = key_prefix

    def _key(self, number: int) -> str:
        return f"{self._prefix}page:{number}"

    async def get(self, number: int) -> CachedPage | None:
        """The page kept for ``number``; None when absent, unreadable or Redis fails."""
        try:
            raw = await self._client.get(self._key(number))
        except RedisError as exc:
            log.warning("page cache read failed, treated as a miss: %r", exc)
            return None
        if raw is None:
            return None
        try:
            return _decode(raw)
        except msgspec.DecodeError as exc:
            log.warning("page cache entry %s is unreadable, ignored: %r", self._key(number), exc)
            return None

    async def put(self, number: int, entry: CachedPage, keep_for: float) -> None:
        """Keep ``entry`` for ``keep_for`` seconds; a Redis failure only loses the entry."""
        try:
            await self._client.set(self._key(number), _encode(entry), px=math.ceil(keep_for * 1000))
        except RedisError as exc:
            log.warning("page cache write failed, entry dropped: %r", exc)
