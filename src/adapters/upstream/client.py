"""UpstreamCatalog: the upstream HTTP catalog as a moviecore.ports.Catalog, retried and guarded.

Every try has its own timeout and all tries share one deadline. What a try can
end in, and what follows:

    timeout, reset, 5xx       retried with jittered backoff; a failure for the breaker
    429 with Retry-After      no call at all for that long (the breaker holds); 503 meanwhile
    a page that cannot be     retried a few times, then a failure of that page only;
      read (not JSON, ...)      the upstream answered, so the breaker counts it a success
    401, 403, other 4xx       not retried (trying again cannot help)
    404                       past the end of the catalog
    3xx                       followed up to MAX_REDIRECTS times within the URL's own
                              scheme and host (the credentials go along); a redirect
                              anywhere else is refused, naming it, and never sent

Whatever goes wrong ends as CatalogUnavailable. Movies that cannot be served
are left out of their page, logged with the page number and counted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from time import time

import httpx
from tenacity import RetryCallState, RetryError

from adapters.metrics import Metrics
from moviecore import CatalogPage, CatalogUnavailable, Limits
from moviecore.ports import DEFAULT_LIMITS, CatalogPageUnreadable

from .breaker import BreakerState, CircuitBreaker
from .retry import RetryPolicy
from .wire import PAGE_SIZE, DecodedPage, MalformedAnswer, decode_page

MAX_BODY = 1024 * 1024
MAX_REDIRECTS = 3
MAX_HOLD = 300
"""The longest Retry-After honoured, in seconds: a longer one would keep the catalog down."""
REFUSED_RETRY_AFTER = 60
BAD_PAGE_RETRY_AFTER = 10

log = logging.getLogger(__name__)


class _Refused(Exception):
    """The upstream answered in a way that trying again cannot change."""


class _ServerError(Exception):
    """The upstream answered with a 5xx, or a 429 without a usable Retry-After."""


class _Throttled(Exception):
    """The upstream answered 429 and asked for ``wait`` seconds without calls."""

    def __init__(self, wait: int) -> None:
        self.wait = wait
        super().__init__(f"the upstream catalog asked for {wait} s without calls (HTTP 429)")


class _PageMissing(Exception):
    """The upstream answered 404 for a page number."""


_UNREACHABLE = (httpx.TransportError, TimeoutError, _ServerError)
_RETRIED = (*_UNREACHABLE, MalformedAnswer)


class UpstreamCatalog:
    """Pages of the upstream catalog over one shared ``httpx.AsyncClient``.

    The client carries the base settings (basic auth, connection pool); this
    class adds the per-try timeout, deadline, retries, redirects, body cap and breaker.
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
        limits: Limits = DEFAULT_LIMITS,
        metrics: Metrics | None = None,
    ) -> None:
        self._client = client
        self._url = httpx.URL(url)
        self._breaker = breaker
        self._retry = retry or RetryPolicy()
        self._max_body = max_body
        self._page_size = page_size
        self._limits = limits
        self._metrics = metrics
        self._count: int | None = None
        self.left_out = 0
        """How many upstream movies were left out of pages because they cannot be served."""

    async def page(self, number: int) -> CatalogPage:
        """Page ``number`` (from 1); an empty page with the last count known past the end."""
        try:
            return await self._with_retries(number)
        except _PageMissing as exc:
            if number == 1:
                raise CatalogUnavailable(
                    "the upstream catalog has no page 1: check its URL",
                    retry_after=REFUSED_RETRY_AFTER,
                ) from exc
        count = self._count if self._count is not None else (await self._with_retries(1)).count
        return CatalogPage(movies=(), count=count, page=number, has_next=False)

    async def _with_retries(self, number: int) -> CatalogPage:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._retry.deadline
        unreadable = 0
        failure: Exception | None = None

        async def one_try() -> CatalogPage:
            nonlocal unreadable, failure
            if not self._breaker.allow():
                raise CatalogUnavailable(
                    "the upstream catalog keeps failing; calls to it are paused",
                    retry_after=self._breaker.retry_after,
                ) from failure
            try:
                return await self._attempt(number, deadline - loop.time())
            except _RETRIED as exc:
                failure = exc
                unreadable += isinstance(exc, MalformedAnswer)
                if unreadable >= self._retry.bad_page_tries:
                    raise CatalogPageUnreadable(
                        f"the upstream catalog sent page {number} in a form that cannot be read",
                        retry_after=BAD_PAGE_RETRY_AFTER,
                    ) from exc
                raise

        retrying = self._retry.retrying(_RETRIED, before_sleep=self._retrying_page(number))
        try:
            return await retrying(one_try)
        except RetryError as exc:
            raise CatalogUnavailable(
                f"the upstream catalog failed {exc.last_attempt.attempt_number} tries"
                f" for page {number}",
                retry_after=self._breaker.retry_after,
            ) from failure

    def _retrying_page(self, number: int) -> Callable[[RetryCallState], None]:
        """Before each pause: log the failed try and count the retry."""

        def before_sleep(state: RetryCallState) -> None:
            failure = state.outcome.exception() if state.outcome else None
            log.info("upstream page %d, try %d failed: %r", number, state.attempt_number, failure)
            if self._metrics is not None:
                self._metrics.upstream_retries.inc()

        return before_sleep

    async def _attempt(self, number: int, time_left: float) -> CatalogPage:
        """One try, its outcome reported to the breaker: only an unreachable upstream fails."""
        try:
            async with asyncio.timeout(min(self._retry.per_try, time_left)):
                decoded = await self._try(number)
        except _Throttled as exc:
            self._settle("throttled", wait=exc.wait)
            raise CatalogUnavailable(str(exc), retry_after=max(1, exc.wait)) from exc
        except _UNREACHABLE:
            self._settle("failed")
            raise
        except _PageMissing:
            self._settle("missing")
            raise
        except MalformedAnswer:
            self._settle("unreadable")
            raise
        except _Refused as exc:
            self._settle("refused")
            raise CatalogUnavailable(str(exc), retry_after=REFUSED_RETRY_AFTER) from exc
        self._settle("ok")
        return self._accepted(decoded)

    def _settle(self, outcome: str, wait: float = 0.0) -> None:
        """Tell the breaker how a try ended (only an unreachable or throttling upstream
        fails), then the metrics, with the breaker's state after it."""
        if outcome in ("failed", "throttled"):
            self._breaker.record_failure(wait=wait)
        else:
            self._breaker.record_success()
        if self._metrics is not None:
            is_open = self._breaker.state is not BreakerState.CLOSED
            self._metrics.upstream_call(outcome, breaker_open=is_open)

    def _accepted(self, decoded: DecodedPage) -> CatalogPage:
        page = decoded.page
        self._count = page.count
        expected = page.expected_size(self._page_size)
        if decoded.sent != expected:
            log.warning(
                "upstream page %d: %d movies where %d belong (count %d)",
                page.page,
                decoded.sent,
                expected,
                page.count,
            )
        if decoded.left_out:
            self.left_out += len(decoded.left_out)
            reasons = "; ".join(f"{e.field}: {e.message}" for e in decoded.left_out)
            log.warning(
                "upstream page %d: left out %d movies that cannot be served (%d so far): %s",
                page.page,
                len(decoded.left_out),
                self.left_out,
                reasons,
            )
        return page

    async def _try(self, number: int) -> DecodedPage:
        request = self._client.build_request("GET", self._url, params={"page": number})
        for _ in range(MAX_REDIRECTS + 1):
            response = await self._client.send(request, stream=True, follow_redirects=False)
            try:
                if response.next_request is None:
                    _check_status(response)
                    body = await _read_capped(response, self._max_body)
                    return decode_page(body, number, limits=self._limits, page_size=self._page_size)
            finally:
                await response.aclose()
            request = self._redirect(response.next_request)
        raise _Refused(f"the upstream catalog redirected more than {MAX_REDIRECTS} times")

    def _redirect(self, target: httpx.Request) -> httpx.Request:
        """``target`` if it stays on the configured scheme and host; refused otherwise."""
        here, there = self._url, target.url
        if (there.scheme, there.host, there.port) != (here.scheme, here.host, here.port):
            raise _Refused(
                f"the upstream catalog redirected to {there.copy_with(query=None)}, outside "
                f"{here.scheme}://{here.netloc.decode('ascii')}: set EXTERNAL_MOVIES_API_URL "
                "to the new address if it is trusted"
            )
        return target


def _check_status(response: httpx.Response) -> None:
    status = response.status_code
    if status in (401, 403):
        raise _Refused(f"the upstream catalog refused the credentials (HTTP {status})")
    if status == 404:
        raise _PageMissing
    if status == 429:
        wait = _retry_after(response.headers.get("retry-after", ""))
        if wait is None:
            raise _ServerError("the upstream catalog answered HTTP 429")
        raise _Throttled(wait)
    if status >= 500:
        raise _ServerError(f"the upstream catalog answered HTTP {status}")
    if status != 200:
        raise _Refused(f"the upstream catalog answered HTTP {status}")


def _retry_after(value: str) -> int | None:
    """Seconds to wait from a Retry-After value (seconds or an HTTP date), at most MAX_HOLD."""
    value = value.strip()
    if value.isascii() and value.isdecimal():
        return min(int(value), MAX_HOLD)
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return min(max(0, round(when - time())), MAX_HOLD)


async def _read_capped(response: httpx.Response, limit: int) -> bytes:
    """The body, read no further than ``limit`` bytes: a huge answer is malformed."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise MalformedAnswer(f"an answer of {declared} bytes is over the {limit} byte cap")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise MalformedAnswer(f"an answer over the {limit} byte cap")
            chunks.append(chunk)
    except httpx.DecodingError as exc:  # a body its Content-Encoding does not describe
        raise MalformedAnswer(f"an answer that cannot be decoded: {exc}") from exc
    return b"".join(chunks)
