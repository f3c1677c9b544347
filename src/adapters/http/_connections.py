"""The HTTP/1.1 connection: uvicorn's httptools protocol, with limits on heads and slow clients.

uvicorn's httptools protocol bounds neither the size of a request head nor the
time a client may take to send it (its h11 protocol bounds the size only).
Measured before this class, on one worker: a 100 MB header was buffered whole
(239 MB resident at the peak) while a concurrent ``GET /health/`` waited 13 s,
and 100 sockets that sent nothing or half a head were all still open 8 s later.
This subclass adds, per connection:

- a head size limit, uvicorn's ``h11_max_incomplete_event_size`` applied here
  too: a request whose URL, or whose request line and headers, pass it is
  answered 414 or 431 as soon as the bytes received pass it, so no head larger
  than the limit and one read (at most 256 KiB) is ever held. The 100 MB
  header is now cut off after 2.5 MB sent (socket buffers), memory unchanged;
- a head deadline: a head must be complete within ``head_timeout`` seconds of
  its first read, or the connection is closed without an answer, however the
  client trickles it;
- uvicorn's idle timer (``timeout_keep_alive``) from the connection's opening,
  not only after its first answer, so a socket that never sends a byte closes;
- problem details for what uvicorn answers by itself: 400 for bytes that are
  not HTTP, and 503 (with Retry-After) once a worker holds more than
  ``limit_concurrency`` connections or runs that many requests.

Those answers are counted like any other (``_refusals``). A head that arrives
in one read, as nearly all do, starts no timer and is not measured twice.
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from typing import Any

from uvicorn._types import HTTPScope
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle
from uvicorn.server import ServerState

from ._refusals import REFUSAL, Refusal

DEFAULT_MAX_HEAD_BYTES = 32 * 1024
"""nginx reads heads in 8 KiB lines and allows 32 KiB in all; a bearer token here is < 300 B."""

DEFAULT_HEAD_TIMEOUT = 10
"""Seconds to send a complete request head; nginx allows 60, Apache 20 to 40."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a head size limit, a head deadline and problem answers."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        head_timeout: float = DEFAULT_HEAD_TIMEOUT,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._max_head = config.h11_max_incomplete_event_size or DEFAULT_MAX_HEAD_BYTES
        # The capacity check is made here, to answer it as problem details, not by uvicorn.
        self._max_connections = self.limit_concurrency
        self.limit_concurrency = None
        self._head_timeout = head_timeout
        self._head_clock: asyncio.TimerHandle | None = None
        self._head_bytes = 0  # of a head still incomplete after the reads before this one
        self._read_bytes = 0  # of this read
        self._reading_head = True
        self._refused = False
        self.url = b""  # uvicorn sets it when a request begins; a refusal may come first

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Close the connection if it sends nothing: uvicorn's idle timer starts at once."""
        super().connection_made(transport)
        # uvicorn arms it after each answer only, so a socket that never sent a byte stayed.
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the head clock of a closed connection."""
        self._stop_head_clock()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Parse ``data``; a head it leaves unfinished is bounded in size and time."""
        if self._refused:  # answered and closing: nothing more is read
            return
        reading_head = self._reading_head
        self._read_bytes = len(data)
        super().data_received(data)  # which stops uvicorn's idle timer
        if reading_head and self._reading_head and not self._refused:
            self._head_bytes += len(data)
            if self._head_bytes > self._max_head:
                self._refuse(self._oversized())
            elif self._head_clock is None:  # reads that finish their head never start it
                self._head_clock = self.loop.call_later(self._head_timeout, self._head_too_slow)

    def on_headers_complete(self) -> None:
        """Hand a complete head to the app, unless it is too large or the worker is full."""
        self._reading_head = False
        self._stop_head_clock()
        refusal = self._over_capacity()
        # Counted exactly only when the bytes read so far could hold too large a head.
        if self._head_bytes + self._read_bytes > self._max_head:
            head = len(self.url) + sum(len(name) + len(value) for name, value in self.headers)
            refusal = self._oversized() if head > self._max_head else refusal
        if refusal is None:
            super().on_headers_complete()
        else:
            self._refuse(refusal)

    def on_message_complete(self) -> None:
        """The request has been read whole: what comes next is the next request's head."""
        super().on_message_complete()
        self._reading_head = True
        self._head_bytes = 0

    def send_400_response(self, msg: str) -> None:
        """Answer bytes that are not HTTP/1.1 with problem details instead of plain text."""
        self._refuse(Refusal(HTTPStatus.BAD_REQUEST, "the request is not valid HTTP/1.1"))

    def _oversized(self) -> Refusal:
        if len(self.url) > self._max_head:
            return Refusal(
                HTTPStatus.REQUEST_URI_TOO_LONG, f"the URL is longer than {self._max_head} bytes"
            )
        return Refusal(
            HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
            f"the request line and headers are larger than {self._max_head} bytes",
        )

    def _over_capacity(self) -> Refusal | None:
        cap = self._max_connections
        if cap is None or (len(self.connections) <= cap and len(self.tasks) < cap):
            return None
        return Refusal(HTTPStatus.SERVICE_UNAVAILABLE, "the service is busy; try again shortly")

    def _refuse(self, refusal: Refusal) -> None:
        """Answer ``refusal`` through the app (which counts it), then close the connection."""
        self._refused = True
        self._stop_head_clock()
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.keep_alive = False  # finish the answer under way, then close
            return
        self.cycle = RequestResponseCycle(
            scope=self._refusal_scope(refusal),
            transport=self.transport,
            flow=self.flow,
            logger=self.logger,
            access_logger=self.access_logger,
            access_log=self.access_log,
            default_headers=self.server_state.default_headers,
            message_event=asyncio.Event(),
            expect_100_continue=False,
            keep_alive=False,
            on_response=self.on_response_complete,
        )
        self.cycle.more_body = False
        self._start_asgi_task(self.cycle, self.app)

    def _refusal_scope(self, refusal: Refusal) -> HTTPScope:
        # The head may be incomplete or unreadable: the access log shows such a request as GET /.
        return {
            "type": "http",
            "asgi": {"version": self.asgi_version, "spec_version": "2.3"},
            "http_version": "1.1",
            "server": self.server,
            "client": self.client,
            "scheme": self.scheme or "http",
            "method": "GET",
            "root_path": self.root_path,
            "path": "/",
            "raw_path": b"/",
            "query_string": b"",
            "headers": [],
            "state": self.app_state.copy(),
            "extensions": {REFUSAL: {"refusal": refusal}},
        }

    def _stop_head_clock(self) -> None:
        if self._head_clock is not None:
            self._head_clock.cancel()
            self._head_clock = None

    def _head_too_slow(self) -> None:
        self._head_clock = None
        if not self.transport.is_closing():
            self.transport.close()
