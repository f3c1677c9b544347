"""UpstreamCatalog: the upstream HTTP catalog as a moviecore.Catalog, retried and guarded.

Every try has its own timeout and all tries share one deadline. 5xx answers,
timeouts, dropped connections and malformed or oversized bodies are retried
with jittered exponential backoff; 4xx answers are not (401/403 mean the
credentials were refused). A circuit breaker stops the calls while the upstream
keeps failing. Whatever goes wrong ends as CatalogUnavailable.
"""

from __future__ import annotations

import asyncio
import logging
import random

import httpx

from moviecore import CatalogPage, CatalogUnavailable

from .breaker import CircuitBreaker
from .retry import RetryPolicy
from .wire import PAGE_SIZE, MalformedAnswer, decode_page

MAX_BODY = 1024 * 1024

log = logging.getLogger(__name__)


class _Refused(Exception):
    """The upstream answered with a client error: trying again cannot help."""


class _ServerError(Exception):
    """The upstream answered with a 5xx: it may do better on the next try."""


class _PageMissing(Exception):
    """The upstream answered 404 for a page number."""


_RETRYABLE = (httpx.TransportError, TimeoutError, _ServerError, MalformedAnswer)


class UpstreamCatalog:
    """Pages of the upstream catalog over one shared ``httpx.AsyncClient``.

    The client carries the base settings (basic auth, connection pool); this
    class adds the per-try timeout, deadline, retries, body cap and breaker.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        url: str,
        *,
        breaker: CircuitBreaker,
        retry: RetryPolicy | None = None,
        max_body: int = MAX_BODY,
        page_size: int = PAGE_SIZE,
        rng: random.Random | None = None,
    ) -> None:
        self._client = client
        self._url = url
        self._breaker = breaker
        self._retry = retry or RetryPolicy()
        self._max_body = max_body
        self._page_size = page_size
        self._rng = rng or random.Random()

    async def page(self, number: int) -> CatalogPage:
        """Page ``number`` (from 1); an empty page with the true count past the end."""
        try:
            return await self._with_retries(number)
        except _PageMissing as exc:
            if number == 1:
                raise CatalogUnavailable(
                    "the upstream catalog has no page 1: check its URL", retry_after=60
                ) from exc
        first = await self._with_retries(1)
        return CatalogPage(movies=(), count=first.count, page=number, has_next=False)

    async def _with_retries(self, number: int) -> CatalogPage:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._retry.deadline
        attempt = 0
        last_error: Exception | None = None
        while True:
            if not self._breaker.allow():
                raise CatalogUnavailable(
                    "the upstream catalog keeps failing; calls to it are paused",
                    retry_after=self._breaker.retry_after,
                ) from last_error
            try:
                return await self._attempt(number, deadline - loop.time())
            except _RETRYABLE as exc:
                last_error = exc
                log.info("upstream page %d, try %d failed: %r", number, attempt + 1, exc)
                pause = self._retry.pause(attempt, self._rng)
                if loop.time() + pause >= deadline:
                    raise CatalogUnavailable(
                        f"the upstream catalog failed {attempt + 1} tries for page {number}",
                        retry_after=self._breaker.retry_after,
                    ) from exc
            await asyncio.sleep(pause)
            attempt += 1

    async def _attempt(self, number: int, time_left: float) -> CatalogPage:
        """One try, its outcome reported to the breaker."""
        try:
            async with asyncio.timeout(min(self._retry.per_try, time_left)):
                page = await self._try(number)
        except _PageMissing:
            self._breaker.record_success()
            raise
        except _Refused as exc:
            self._breaker.record_failure()
            raise CatalogUnavailable(str(exc), retry_after=60) from exc
        except _RETRYABLE:
            self._breaker.record_failure()
            raise
        self._breaker.record_success()
        return page

    async def _try(self, number: int) -> CatalogPage:
        async with self._client.stream("GET", self._url, params={"page": number}) as response:
            _check_status(response.status_code)
            body = await _read_capped(response, self._max_body)
        return decode_page(body, number, self._page_size)


def _check_status(status: int) -> None:
    if status in (401, 403):
        raise _Refused(f"the upstream catalog refused the credentials (HTTP {status})")
    if status == 404:
        raise _PageMissing
    if status >= 500:
        raise _ServerError(f"the upstream catalog answered HTTP {status}")
    if status != 200:
        raise _Refused(f"the upstream catalog answered HTTP {status}")


async def _read_capped(response: httpx.Response, limit: int) -> bytes:
    """The body, read no further than ``limit`` bytes: a huge answer is malformed."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise MalformedAnswer(f"an answer of {declared} bytes is over the {limit} byte cap")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise MalformedAnswer(f"an answer over the {limit} byte cap")
        chunks.append(chunk)
    return b"".join(chunks)
