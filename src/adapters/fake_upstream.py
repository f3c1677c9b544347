"""A fake of the upstream movie catalog: a real HTTP server in its format, flaky on demand.

    python -m adapters.fake_upstream --movies 45466 --failure-rate 0.3 --latency-ms 200

``GET /movies/?page=N`` answers ten movies a page behind HTTP basic auth, from a
JSON file of upstream ``results`` entries (``--data``) or from a synthetic
catalog generated deterministically from ``--seed``. A page past the end is a
404, as upstream. ``--failure-rate`` is the share of catalog requests that fail,
each in one of the ``--failures`` ways:

    error       a 500, 502 or 503 answer
    hang        no answer until the client gives up
    drop        the connection closes in the middle of the body
    malformed   a 200 whose body is not a valid page
    oversized   a valid page padded past any sane size (2 MiB), streamed

``GET /_stats`` (no auth) answers ``{"hits": N}``: catalog requests received.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import hmac
import logging
import os
import random
import sys
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import msgspec
import uvicorn

from adapters.movie_files import GENRES
from adapters.upstream.wire import PAGE_SIZE, UpstreamMovie

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

CATALOG_PATHS = ("/movies/", "/movies")
OVERSIZE = 2 * 1024 * 1024
_HANG_LIMIT = 60.0
_JSON = (b"content-type", b"application/json")


class _DroppedConnection(Exception):
    """Raised mid-body on purpose: the server then closes the connection unfinished."""


class _QuietDrops(logging.Filter):
    """Keeps the server's log free of the tracebacks of connections dropped on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], _DroppedConnection))


_ADJECTIVES = ("Silent", "Crimson", "Last", "Hidden", "Broken", "Golden", "Midnight", "Wild")
_NOUNS = ("River", "Empire", "Garden", "Stranger", "Harbor", "Machine", "Summer", "Witness")
_GENRES = sorted(GENRES)


def synthetic_catalog(size: int, seed: int) -> list[UpstreamMovie]:
    """``size`` made-up movies, the same ones for the same ``seed``."""
    rng = random.Random(seed)
    movies = []
    for number in range(1, size + 1):
        adjective, noun = rng.choice(_ADJECTIVES), rng.choice(_NOUNS)
        movies.append(
            UpstreamMovie(
                uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                title=f"The {adjective} {noun} {number}",
                description=f"A {adjective.lower()} story about the {noun.lower()}.",
                genres=", ".join(rng.sample(_GENRES, rng.randint(1, 3))),
            )
        )
    return movies


def load_catalog(path: Path) -> list[UpstreamMovie]:
    """The movies of a JSON file holding a list of upstream ``results`` entries."""
    return msgspec.json.decode(path.read_bytes(), type=list[UpstreamMovie])


async def _respond(send: Send, status: int, body: bytes, *headers: tuple[bytes, bytes]) -> None:
    length = (b"content-length", str(len(body)).encode())
    await send({"type": "http.response.start", "status": status, "headers": [*headers, length]})
    await send({"type": "http.response.body", "body": body})


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


class FakeUpstream:
    """The ASGI app: the catalog, its failures and its hit counter."""

    def __init__(
        self,
        movies: list[UpstreamMovie],
        *,
        username: str,
        password: str,
        failure_rate: float = 0.0,
        failures: tuple[str, ...] = ("error", "hang", "drop", "malformed"),
        latency: float = 0.0,
        seed: int = 0,
    ) -> None:
        unknown = set(failures) - set(_FAILURES)
        if unknown or not failures:
            raise ValueError(f"failures must be some of {sorted(_FAILURES)}, not {failures}")
        self.movies = movies
        self.hits = 0
        self._credentials = f"{username}:{password}".encode()
        self._failure_rate = failure_rate
        self._failures = failures
        self._latency = latency
        self._rng = random.Random(seed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == "/_stats":
            await _respond(send, 200, msgspec.json.encode({"hits": self.hits}), _JSON)
        elif scope["path"] in CATALOG_PATHS and scope["method"] == "GET":
            self.hits += 1
            await self._catalog(scope, receive, send)
        else:
            await _respond(send, 404, b'{"detail": "Not found."}', _JSON)

    async def _catalog(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._authorized(scope):
            challenge = (b"www-authenticate", b'Basic realm="api"')
            body = b'{"detail": "Invalid username/password."}'
            await _respond(send, 401, body, _JSON, challenge)
            return
        await asyncio.sleep(self._latency)
        number = _page_number(scope)
        if number is None or (number - 1) * PAGE_SIZE >= max(len(self.movies), 1):
            await _respond(send, 404, b'{"detail": "Invalid page."}', _JSON)
            return
        body = self._page_body(scope, number)
        if self._rng.random() < self._failure_rate:
            await _FAILURES[self._rng.choice(self._failures)](self, body, receive, send)
        else:
            await _respond(send, 200, body, _JSON)

    def _authorized(self, scope: Scope) -> bool:
        scheme, _, encoded = _header(scope, b"authorization").partition(b" ")
        try:
            given = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            return False
        return scheme.lower() == b"basic" and hmac.compare_digest(given, self._credentials)

    def _page_body(self, scope: Scope, number: int) -> bytes:
        base = f"{scope['scheme']}://{_header(scope, b'host').decode('latin-1')}{scope['path']}"
        last = number * PAGE_SIZE >= len(self.movies)
        return msgspec.json.encode(
            {
                "count": len(self.movies),
                "next": None if last else f"{base}?page={number + 1}",
                "previous": None if number == 1 else f"{base}?page={number - 1}",
                "results": self.movies[(number - 1) * PAGE_SIZE : number * PAGE_SIZE],
            }
        )

    async def _fail_error(self, body: bytes, receive: Receive, send: Send) -> None:
        status = self._rng.choice((500, 502, 503))
        await _respond(send, status, b"<html><body>Server Error</body></html>")

    async def _fail_hang(self, body: bytes, receive: Receive, send: Send) -> None:
        try:
            await asyncio.wait_for(_until_disconnect(receive), _HANG_LIMIT)
        except TimeoutError:
            await _respond(send, 504, b"")

    async def _fail_drop(self, body: bytes, receive: Receive, send: Send) -> None:
        length = (b"content-length", str(len(body)).encode())
        await send({"type": "http.response.start", "status": 200, "headers": [_JSON, length]})
        await send(
            {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
        )
        raise _DroppedConnection

    async def _fail_malformed(self, body: bytes, receive: Receive, send: Send) -> None:
        page = msgspec.json.decode(body)
        first = {**page["results"][0]} if page["results"] else {}
        bad_bodies = (
            b"<html><body>Bad Gateway</body></html>",
            body[: len(body) // 2],
            b"null",
            msgspec.json.encode({**page, "count": "many"}),
            msgspec.json.encode({**page, "count": -1}),
            msgspec.json.encode({"count": page["count"]}),
            msgspec.json.encode({**page, "results": [*page["results"], first]}),
            msgspec.json.encode({**page, "results": [{**first, "uuid": "not-a-uuid"}]}),
            msgspec.json.encode({**page, "results": [{**first, "genres": ["Drama"]}]}),
        )
        await _respond(send, 200, self._rng.choice(bad_bodies), _JSON)

    async def _fail_oversized(self, body: bytes, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [_JSON]})
        chunk = b"x" * 65536
        await send({"type": "http.response.body", "body": b'{"padding": "', "more_body": True})
        for _ in range(OVERSIZE // len(chunk)):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b'", ' + body[1:]})


_Failure = Callable[[FakeUpstream, bytes, Receive, Send], Awaitable[None]]
_FAILURES: dict[str, _Failure] = {
    "error": FakeUpstream._fail_error,
    "hang": FakeUpstream._fail_hang,
    "drop": FakeUpstream._fail_drop,
    "malformed": FakeUpstream._fail_malformed,
    "oversized": FakeUpstream._fail_oversized,
}


def _header(scope: Scope, name: bytes) -> bytes:
    return next((value for key, value in scope["headers"] if key == name), b"")


def _page_number(scope: Scope) -> int | None:
    """The ``page`` query parameter (1 when absent); None when it is no page number."""
    values = parse_qs(scope["query_string"].decode("latin-1")).get("page", ["1"])
    if not values[-1].isdecimal() or int(values[-1]) < 1:
        return None
    return int(values[-1])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fake-upstream", description="A fake upstream movie catalog."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--data", type=Path, help="JSON list of upstream results entries")
    source.add_argument("--movies", type=int, default=45466, help="size of a synthetic catalog")
    parser.add_argument("--seed", type=int, default=0, help="seeds the data and the failures")
    parser.add_argument("--failure-rate", type=float, default=0.0, help="0.0 to 1.0")
    parser.add_argument("--failures", default="error,hang,drop,malformed", help="comma list")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--username", default=os.environ.get("API_USERNAME", "moviecore"))
    parser.add_argument("--password", default=os.environ.get("API_PASSWORD", "moviecore"))
    return parser


def main(argv: list[str] | None = None) -> None:
    """Serve the fake upstream until interrupted."""
    args = _parser().parse_args(argv)
    movies = load_catalog(args.data) if args.data else synthetic_catalog(args.movies, args.seed)
    app = FakeUpstream(
        movies,
        username=args.username,
        password=args.password,
        failure_rate=args.failure_rate,
        failures=tuple(args.failures.split(",")),
        latency=args.latency_ms / 1000,
        seed=args.seed,
    )
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        lifespan="off",
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=1,
    )
    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
    url = f"http://{args.host}:{args.port}{CATALOG_PATHS[0]}"
    print(f"fake upstream: {len(movies)} movies at {url}", file=sys.stderr, flush=True)
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
