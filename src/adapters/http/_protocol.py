"""The HTTP/1.1 connection: requests parsed by httptools, answered by the ASGI app, every
part of a request under a deadline.

Each connection is closed once idle for ``keep_alive`` seconds, from its opening on.
A request head must be complete within ``head_timeout`` seconds of its first byte
(else the connection closes) and hold at most ``max_head_bytes`` (else 414 or 431,
decided as the bytes arrive, so no more than the limit and one read is ever held).
A body must be complete within ``body_timeout`` seconds of its head: past that, the
app's read of it raises RequestTimeout, which the app answers 408. A worker reads at
most ``max_uploads`` bodies at once and holds at most ``max_connections``
connections; a request past either is answered 503, so slow uploads alone cannot
take every connection, and the memory bodies hold is bounded by
``max_uploads`` x the app's body limit.

An answer given before the request was read whole (a 408, a 413, a refusal) leaves
the client's bytes unread. Closing then would send a reset that can discard the
answer on its way, so the connection lingers instead, as nginx's ``lingering_close``
does: its write side is shut and what still comes is read and dropped until the
client has sent nothing for LINGER_SECONDS, at most LINGER_BYTES and LINGER_TOTAL_SECONDS.

What the server layer itself refuses (bytes that are not HTTP, a head too large, a
worker full) is handed to the app marked with a Refusal (``_refusals``), so that it is
answered as problem details, counted, logged and measured like any other request.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

import httptools

LINGER_SECONDS = 2.0
"""How long a client answered early may send nothing before its connection closes; a
close with its bytes unread would be a reset (1 in 1,000 clients, when this was the
whole time it had, under load)."""

LINGER_TOTAL_SECONDS = 30.0
"""How long it may go on sending: nginx's ``lingering_time``."""

LINGER_BYTES = 4 * 1024 * 1024
"""How many of them at most: a body four times the default limit, still sent when its 413
came, is read to its end; a 100 MB header is cut off after this much."""

HIGH_WATER = 64 * 1024
"""Body bytes buffered for the app before the connection stops reading."""

RETRY_AFTER_SECONDS = 1
"""When a client turned away for want of capacity may try again."""

DRAINING = "moviecore.draining"
"""The scope extension present while the worker drains: its answers close their
connections, and readiness is failing."""

_METHOD_BYTES = 16
_METHOD = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,16}")
"""An HTTP method token, as a refused request line's first word is logged (bounded)."""


_CORS_HEADERS = (b"origin", b"access-control-request-method")

_logger = logging.getLogger("moviecore.server")

Message = dict[str, Any]
"""An ASGI event, received or sent."""
Scope = dict[str, Any]
"""An ASGI connection scope."""
ASGIApp = Callable[..., Awaitable[None]]
"""An ASGI 3 application: ``await app(scope, receive, send)``."""


REFUSAL = "moviecore.refusal"
"""The scope extension that carries a Refusal."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """A request answered by the server layer: its status and what the client should know."""

    status: HTTPStatus
    detail: str
    retry_after: int | None = None


class RequestTimeout(Exception):
    """The client did not send the request's body within the body deadline."""


class ClientDisconnected(OSError):
    """The client closed the connection before the answer was sent (ASGI's OSError)."""


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """How long and how much each part of a request may take (seconds, bytes), and a
    worker's capacity: the settings of the same names say why each default is what it is."""

    max_head_bytes: int
    head_timeout: float
    body_timeout: float
    keep_alive: float
    max_connections: int
    max_uploads: int


class Site:
    """What a worker's connections share: the app, the limits, and the worker's state."""

    def __init__(
        self,
        app: ASGIApp,
        limits: ConnectionLimits,
        state: dict[str, Any],
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self.app = app
        self.limits = limits
        self.state = state
        self.loop = loop
        self.connections: set[HttpConnection] = set()
        self.uploads = 0
        self.draining = False
        self.stopping = False
        self._emptied = asyncio.Event()
        self._date = (0, b"")

    def drain(self) -> None:
        """From now on, every answer closes its connection and readiness fails."""
        self.draining = True

    def stop(self) -> None:
        """Close idle connections; the others close once their answer is sent."""
        self.drain()
        self.stopping = True
        for connection in list(self.connections):
            connection.stop()

    def forget(self, connection: HttpConnection) -> None:
        """``connection`` has closed."""
        self.connections.discard(connection)
        if not self.connections:
            self._emptied.set()

    async def closed(self, deadline: float) -> None:
        """Return once every connection has closed, or at ``deadline`` (the loop's time)."""
        while self.connections and (left := deadline - self.loop.time()) > 0:
            self._emptied.clear()
            with suppress(TimeoutError):
                await asyncio.wait_for(self._emptied.wait(), left)

    def cut_uploads(self) -> None:
        """Answer every body still arriving 408 now, as its deadline would."""
        for connection in list(self.connections):
            connection.cut_upload()

    def close_all(self) -> None:
        """Close every connection at once, whatever it is doing."""
        for connection in list(self.connections):
            connection.abort()

    def date_header(self) -> bytes:
        """The ``date`` header line, formatted once a second."""
        now = int(time.time())
        if self._date[0] != now:
            line = f"date: {formatdate(now, usegmt=True)}\r\n".encode("ascii")
            self._date = (now, line)
        return self._date[1]


class _Exchange:
    """One request and its answer: the ASGI ``receive`` and ``send`` of the app's call."""

    def __init__(
        self,
        connection: HttpConnection,
        scope: Scope,
        *,
        keep_alive: bool,
        expect_continue: bool,
        upload: bool,
    ) -> None:
        self.connection = connection
        self.scope = scope
        self.keep_alive = keep_alive
        self.waiting_continue = expect_continue
        self.upload = upload  # holds one of the worker's upload places until its body is in
        self.body = bytearray()
        self.more_body = True
        self.handed_over = False  # the whole body has been given to the app
        self.arrived = asyncio.Event()
        self.timed_out = False
        self.disconnected = False
        self.started = False
        self.complete = False
        self.chunked = False
        self.length_left = 0
        self.head_only = scope["method"] == "HEAD"

    async def run(self, app: ASGIApp) -> None:
        """Call the app. An app that fails or returns before answering leaves the client a
        500 if nothing was sent yet, else a connection cut short: never a truncated answer
        that looks whole."""
        try:
            await app(self.scope, self.receive, self.send)
        except Exception:
            if not self.disconnected:
                _logger.exception("the app failed answering %s", self.scope["method"])
        finally:
            self.connection.exchange_done(self)
        if not self.complete and not self.disconnected:
            if self.started:
                self.connection.abort()
            else:
                await self._send_500()

    async def receive(self) -> Message:
        """The next part of the body; once it has all been handed over, wait for the
        client to leave (``http.disconnect``), as a streaming answer listens for it."""
        if self.waiting_continue:
            self.waiting_continue = False
            self.connection.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        while self._nothing_to_hand_over():
            self.connection.resume_reading()
            self.arrived.clear()
            await self.arrived.wait()
        if self.timed_out:
            raise RequestTimeout(f"the body did not arrive within {self._deadline()} seconds")
        if self.disconnected or self.complete:
            return {"type": "http.disconnect"}
        body, self.body = bytes(self.body), bytearray()
        self.handed_over = not self.more_body
        return {"type": "http.request", "body": body, "more_body": self.more_body}

    def _nothing_to_hand_over(self) -> bool:
        if self.disconnected or self.complete or self.timed_out:
            return False
        return self.handed_over or (not self.body and self.more_body)

    def _deadline(self) -> str:
        return f"{self.connection.site.limits.body_timeout:g}"

    async def send(self, message: Message) -> None:
        """Write the answer's head or a part of its body."""
        if self.disconnected:
            raise ClientDisconnected("the client closed the connection")
        await self.connection.writable()
        if not self.started:
            if message["type"] != "http.response.start":
                raise RuntimeError(f"expected http.response.start, got {message['type']}")
            self._start(message["status"], message.get("headers", ()))
        elif not self.complete:
            if message["type"] != "http.response.body":
                raise RuntimeError(f"expected http.response.body, got {message['type']}")
            self._body(message.get("body", b""), more=message.get("more_body", False))
        else:
            raise RuntimeError(f"{message['type']} sent after the answer was complete")

    def _start(self, status: int, headers: Any) -> None:
        self.started = True
        self.waiting_continue = False
        site = self.connection.site
        # While draining, the last of a client's pipelined requests closes the connection;
        # an answer given before its request's body was read whole closes it too.
        draining = site.draining and not self.connection.waiting
        keep_alive = self.keep_alive and not draining and not self.more_body
        lines = [_status_line(status), site.date_header()]
        length: int | None = None
        for name, value in headers:
            if b"\n" in value or b"\r" in value or b"\n" in name or b"\r" in name:
                raise RuntimeError(f"a line break in the header {name!r}")
            lowered = name.lower()
            if lowered == b"content-length":
                length = int(value)
            elif lowered == b"connection" and b"close" in value.lower():
                keep_alive = False
                continue  # written once, below
            lines += (lowered, b": ", value, b"\r\n")
        self.keep_alive = keep_alive
        if not keep_alive:
            lines.append(b"connection: close\r\n")
        if length is not None:
            self.length_left = length
        elif not self.head_only and status not in (204, 304) and status >= 200:
            self.chunked = True
            lines.append(b"transfer-encoding: chunked\r\n")
        lines.append(b"\r\n")
        self.connection.write(b"".join(lines))

    def _body(self, body: bytes, *, more: bool) -> None:
        if self.head_only:
            pass
        elif self.chunked:
            parts = [b"%x\r\n" % len(body), body, b"\r\n"] if body else []
            if not more:
                parts.append(b"0\r\n\r\n")
            self.connection.write(b"".join(parts))
        else:
            if len(body) > self.length_left:
                raise RuntimeError("the body is longer than its Content-Length")
            self.length_left -= len(body)
            self.connection.write(body)
        if not more:
            if self.length_left and not self.head_only:
                raise RuntimeError("the body is shorter than its Content-Length")
            self.complete = True
            self.arrived.set()
            self.connection.answered(self)

    async def _send_500(self) -> None:
        body = b"Internal Server Error"
        headers = [(b"content-type", b"text/plain"), (b"content-length", b"21")]
        self.keep_alive = False
        await self.send({"type": "http.response.start", "status": 500, "headers": headers})
        await self.send({"type": "http.response.body", "body": body})


class HttpConnection(asyncio.Protocol):
    """One client connection: parses its requests and runs the app for each in turn."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.loop = site.loop
        self.parser: httptools.HttpRequestParser | None = httptools.HttpRequestParser(self)
        self.parser.set_dangerous_leniencies(lenient_data_after_close=True)
        self.transport: asyncio.Transport = None  # type: ignore[assignment]
        self.client: tuple[str, int] | None = None
        self.server: tuple[str, int] | None = None
        self.exchange: _Exchange | None = None  # the request being read
        self.running: _Exchange | None = None  # the request the app is answering
        self.waiting: deque[_Exchange] = deque()  # pipelined requests, read whole
        self.url = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.reading_head = True
        self.head_bytes = 0  # of a head still incomplete after the reads before this one
        self.read_bytes = 0  # of this read
        self.head_start = b""  # the first bytes of the head being read, to log its method
        self.served = 0
        self.refused = False
        self.lingering = False
        self.dropped = 0  # bytes read and dropped since the request was refused or answered
        self.paused = False
        self.write_ready: asyncio.Future[None] | None = None
        self.idle_timer: asyncio.TimerHandle | None = None
        self.head_timer: asyncio.TimerHandle | None = None
        self.body_timer: asyncio.TimerHandle | None = None

    # --- asyncio.Protocol ---------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.client = _address(transport.get_extra_info("peername"))
        self.server = _address(transport.get_extra_info("sockname"))
        self.site.connections.add(self)
        # from the opening on: a socket that never sends a byte does not stay
        self.idle_timer = self.loop.call_later(self.site.limits.keep_alive, self.close)

    def connection_lost(self, exc: Exception | None) -> None:
        self.site.forget(self)
        for timer in (self.idle_timer, self.head_timer, self.body_timer):
            if timer is not None:
                timer.cancel()
        for exchange in (self.running, self.exchange, *self.waiting):
            if exchange is not None and not exchange.complete:
                exchange.disconnected = True
                exchange.arrived.set()
                self._release_upload(exchange)
        if self.write_ready is not None and not self.write_ready.done():
            self.write_ready.set_result(None)
        # The parser and the exchanges refer back to the connection: without these cycles
        # a closed connection, and the body its last request held, is freed at once
        # rather than at the next collection (60 MB held after 150 requests of 1 MB).
        self.parser = None
        self.exchange = self.running = None
        self.waiting.clear()

    def eof_received(self) -> bool:
        # A client that shuts its side after a whole request still reads the answer.
        running = self.running
        if running is not None and not running.more_body and not self.lingering:
            running.keep_alive = False
            return True
        return False

    def pause_writing(self) -> None:
        self.write_ready = self.loop.create_future()

    def resume_writing(self) -> None:
        if self.write_ready is not None and not self.write_ready.done():
            self.write_ready.set_result(None)
        self.write_ready = None

    def data_received(self, data: bytes) -> None:
        if self.refused or self.lingering:  # answered already: what comes now is dropped
            self.dropped += len(data)
            if self.dropped > LINGER_BYTES:
                self.close()
            elif self.idle_timer is not None:
                self.idle_timer.cancel()
                self.idle_timer = self.loop.call_later(LINGER_SECONDS, self.close)
            return
        if self.idle_timer is not None:
            self.idle_timer.cancel()
            self.idle_timer = None
        reading_head = self.reading_head
        if reading_head and not self.head_bytes:
            self.head_start = data[:_METHOD_BYTES]
        self.read_bytes = len(data)
        if self.parser is None:
            return
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._no_upgrade()
        except httptools.HttpParserError:
            self._refuse(Refusal(HTTPStatus.BAD_REQUEST, "the request is not valid HTTP/1.1"))
            return
        if reading_head and self.reading_head and not self.refused:
            self.head_bytes += len(data)
            if self.head_bytes > self.site.limits.max_head_bytes:
                self._refuse(self._oversized())
            elif self.head_timer is None:  # reads that finish their head never start it
                self.head_timer = self.loop.call_later(
                    self.site.limits.head_timeout, self._head_too_slow
                )

    # --- httptools callbacks ------------------------------------------------------

    def on_message_begin(self) -> None:
        self.url = b""
        self.headers = []

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.lower(), value.rstrip(b" \t")))

    def on_headers_complete(self) -> None:
        self.reading_head = False
        self._stop_head_timer()
        limit = self.site.limits.max_head_bytes
        # Counted exactly only when the bytes read so far could hold too large a head.
        if self.head_bytes + self.read_bytes > limit:
            size = len(self.url) + sum(len(name) + len(value) for name, value in self.headers)
            if size > limit:
                self._refuse(self._oversized())
                return
        parser = self.parser
        assert parser is not None  # it is the one calling
        try:
            scope = self._scope(parser)
        except httptools.HttpParserInvalidURLError:
            self._refuse(Refusal(HTTPStatus.BAD_REQUEST, "the request's URL is not valid"))
            return
        upload = self._has_body()
        refusal = self._over_capacity(upload=upload)
        if refusal is not None:
            self._refuse(refusal)
            return
        exchange = _Exchange(
            self,
            scope,
            keep_alive=parser.should_keep_alive() and scope["http_version"] == "1.1",
            expect_continue=(b"expect", b"100-continue") in self.headers,
            upload=upload,
        )
        if upload:
            self.site.uploads += 1
            self.body_timer = self.loop.call_later(
                self.site.limits.body_timeout, self._body_too_slow, exchange
            )
        self.exchange = exchange
        if self.running is None:
            self._run(exchange)
        else:  # pipelined: answered once the ones before it are
            self.waiting.append(exchange)
            self.pause_reading()

    def on_body(self, body: bytes) -> None:
        exchange = self.exchange
        # A refused request's body, or one whose answer is given, is dropped as it comes:
        # kept, it held 108 KB a connection while 1,000 refused uploads lingered.
        if exchange is None or not exchange.more_body or exchange.complete or exchange.timed_out:
            return
        exchange.body += body
        if len(exchange.body) > HIGH_WATER:
            self.pause_reading()
        exchange.arrived.set()

    def on_message_complete(self) -> None:
        self.reading_head = True
        self.head_bytes = 0
        self.headers = []  # the next request's refusal must not carry these (the scope keeps them)
        exchange = self.exchange
        if exchange is None:
            return
        exchange.more_body = False
        self._release_upload(exchange)
        exchange.arrived.set()

    # --- what exchanges and the worker ask of the connection -----------------------

    def write(self, data: bytes) -> None:
        """Send ``data`` unless the connection is closing."""
        if not self.transport.is_closing():
            self.transport.write(data)

    async def writable(self) -> None:
        """Return once the client has taken enough of what was written."""
        if self.write_ready is not None:
            await self.write_ready

    def resume_reading(self) -> None:
        """Read again, if reading was paused for the app to catch up."""
        if self.paused and not self.waiting:
            self.paused = False
            self.transport.resume_reading()

    def pause_reading(self) -> None:
        """Stop reading until the app asks for more."""
        if not self.paused and not self.transport.is_closing():
            self.paused = True
            self.transport.pause_reading()

    def answered(self, exchange: _Exchange) -> None:
        """The answer to ``exchange`` is sent: go on to the next request, or close."""
        self.served += 1
        if not exchange.keep_alive or exchange.more_body or self.site.stopping:
            self._close()
            return
        if self.waiting:
            self._run(self.waiting.popleft())
            return
        self.running = None
        self.resume_reading()
        if self.exchange is exchange:  # nothing of a next request has arrived
            self.idle_timer = self.loop.call_later(self.site.limits.keep_alive, self.close)

    def exchange_done(self, exchange: _Exchange) -> None:
        """The app has returned for ``exchange``."""
        self._release_upload(exchange)
        if self.running is exchange and not exchange.complete:
            self.running = None

    def stop(self) -> None:
        """Close if idle between requests; otherwise close once the answer under way is sent.

        A connection that has sent nothing yet was accepted all the same: it may still
        send its request, answered with Connection: close, until its idle timer closes it.
        """
        idle = self.running is None and self.head_timer is None and self.reading_head
        if idle and self.served:
            self.close()

    def cut_upload(self) -> None:
        """Answer a body still arriving 408 now."""
        exchange = self.exchange
        if exchange is not None and exchange.upload:
            self._body_too_slow(exchange)

    def close(self) -> None:
        """Close the connection once what was written is sent."""
        if not self.transport.is_closing():
            self.transport.close()

    def abort(self) -> None:
        """Close the connection at once."""
        self.transport.abort()

    # --- inside ---------------------------------------------------------------

    def _run(self, exchange: _Exchange) -> None:
        self.running = exchange
        task = self.loop.create_task(exchange.run(self.site.app))
        task.add_done_callback(_retrieve)

    def _scope(self, parser: httptools.HttpRequestParser) -> Scope:
        parsed = httptools.parse_url(self.url)
        raw_path: bytes = parsed.path
        path = raw_path.decode("latin-1")
        version = parser.get_http_version()
        scope: Scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": version if version in ("1.0", "1.1") else "1.1",
            "method": parser.get_method().decode("ascii"),
            "scheme": "http",
            "path": unquote(path) if "%" in path else path,
            "raw_path": raw_path,
            "query_string": parsed.query or b"",
            "root_path": "",
            "headers": self.headers,
            "client": self.client,
            "server": self.server,
            "state": self.site.state.copy(),
        }
        if self.site.draining:
            scope["extensions"] = {DRAINING: {}}
        return scope

    def _has_body(self) -> bool:
        for name, value in self.headers:
            if name == b"content-length":
                return value.strip() not in (b"0", b"")
            if name == b"transfer-encoding":
                return True
        return False

    def _over_capacity(self, *, upload: bool) -> Refusal | None:
        limits = self.site.limits
        if len(self.site.connections) > limits.max_connections:
            detail = "the service is busy; try again shortly"
        elif upload and self.site.uploads >= limits.max_uploads:
            detail = "the service is receiving too many request bodies; try again shortly"
        else:
            return None
        return Refusal(HTTPStatus.SERVICE_UNAVAILABLE, detail, retry_after=RETRY_AFTER_SECONDS)

    def _oversized(self) -> Refusal:
        limit = self.site.limits.max_head_bytes
        if len(self.url) > limit:
            return Refusal(HTTPStatus.REQUEST_URI_TOO_LONG, f"the URL is longer than {limit} bytes")
        return Refusal(
            HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
            f"the request line and headers are larger than {limit} bytes",
        )

    def _refuse(self, refusal: Refusal) -> None:
        """Hand ``refusal`` to the app (which answers and counts it), then close."""
        self.refused = True
        self._stop_head_timer()
        running = self.running
        if running is not None and not running.complete:
            running.keep_alive = False  # finish the answer under way, then close
            return
        exchange = _Exchange(
            self,
            self._refusal_scope(refusal),
            keep_alive=False,
            expect_continue=False,
            upload=False,
        )
        exchange.more_body = False
        self.exchange = exchange
        self._run(exchange)

    def _refusal_scope(self, refusal: Refusal) -> Scope:
        # The head may be incomplete or unreadable: its method is logged if it has one,
        # and its CORS headers, once read, let an allowed page read the answer: a
        # preflight is answered as any (``_cors``), so the page then reads the refusal.
        word = self.head_start.split(b" ", 1)[0]
        method = word.decode("ascii") if _METHOD.fullmatch(word) else "-"
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": "/",
            "raw_path": b"/",
            "query_string": b"",
            "root_path": "",
            "headers": [(name, value) for name, value in self.headers if name in _CORS_HEADERS],
            "client": self.client,
            "server": self.server,
            "state": self.site.state.copy(),
            "extensions": {REFUSAL: {"refusal": refusal}},
        }

    def _close(self) -> None:
        """Close after an answer, lingering first (see the module): the client may have
        sent more before it read that the connection closes."""
        if self.transport.is_closing() or not self.transport.can_write_eof():
            self.close()
            return
        self.lingering = True
        self.waiting.clear()
        self.transport.write_eof()
        self.resume_reading()
        self.idle_timer = self.loop.call_later(LINGER_SECONDS, self.close)
        self.head_timer = self.loop.call_later(LINGER_TOTAL_SECONDS, self.close)  # its whole time

    def _release_upload(self, exchange: _Exchange) -> None:
        if exchange.upload:
            exchange.upload = False
            self.site.uploads -= 1
            if self.body_timer is not None:
                self.body_timer.cancel()
                self.body_timer = None

    def _body_too_slow(self, exchange: _Exchange) -> None:
        self.body_timer = None
        if exchange.more_body and not exchange.complete:
            exchange.timed_out = True
            exchange.keep_alive = False
            self._release_upload(exchange)
            exchange.arrived.set()

    def _head_too_slow(self) -> None:
        self.head_timer = None
        self.close()

    def _stop_head_timer(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _no_upgrade(self) -> None:
        """A request to switch protocols is answered as HTTP/1.1; nothing after it is read."""
        exchange = self.exchange
        if exchange is not None:
            exchange.keep_alive = False
            if exchange.more_body:
                exchange.more_body = False
                self._release_upload(exchange)
                exchange.arrived.set()


def _status_line(status: int) -> bytes:
    return _STATUS_LINES.get(status) or b"HTTP/1.1 %d \r\n" % status


_STATUS_LINES = {
    status.value: f"HTTP/1.1 {status.value} {status.phrase}\r\n".encode("ascii")
    for status in HTTPStatus
}


def _address(raw: Any) -> tuple[str, int] | None:
    if isinstance(raw, tuple) and len(raw) >= 2:
        return (str(raw[0]), int(raw[1]))
    return None


def _retrieve(task: asyncio.Task[None]) -> None:
    """Retrieve a finished request's outcome: its failure was logged by the app already."""
    if not task.cancelled():
        task.exception()


ProtocolFactory = Callable[[], HttpConnection]
