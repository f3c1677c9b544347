"""A fake of the upstream movie catalog: a real HTTP server in its format, flaky on demand.

    python -m tools.fake_upstream --movies 45466 --failure-rate 0.3 --latency-ms 200

Run it from the clone's root, with the development dependencies installed (it
serves with uvicorn).

``GET /movies/?page=N`` answers ten movies a page behind HTTP basic auth, from a
JSON file of upstream ``results`` entries (``--data``, served exactly as written,
nulls, bad uuids and all) or from a synthetic catalog generated deterministically
from ``--seed``. A page past the end is a 404, as upstream. ``--failure-rate`` is
the share of catalog requests that fail, each in one of the ``--failures`` ways:

    error       a 500, 502 or 503 answer
    hang        no answer until the client gives up
    drop        the connection closes in the middle of the body
    malformed   a 200 whose body is not a page (HTML, cut short, a bad count, no results)
    oversized   a valid page padded past any sane size (2 MiB), streamed

``--quirk PAGE=KIND`` (repeatable; PAGE a number or ``*`` for every page) makes
a page misbehave the same way every time:

    html              a 200 with an HTML body
    not-object        a 200 whose JSON is the results list alone
    results-not-list  a 200 whose results are an object
    count-text        the count as a string of digits
    overcount         a count 50 over the real one (pages past the real end are 404s)
    short, long       one result fewer, or one more
    throttle          a 429 with ``Retry-After: --retry-after`` seconds

Redirects, as a web framework sends them: ``/movies`` answers 301 to
``/movies/``; ``/hop/K/movies/`` redirects K times before reaching ``/movies/``;
``/away/movies/`` answers 301 to ``--away`` (another server). The query goes along.

``GET /_stats`` (no auth) answers ``{"hits": N}``: requests received, redirects included.
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
import re
import sys
import uuid
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
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

CATALOG_PATH = "/movies/"
OVERSIZE = 2 * 1024 * 1024
_HANG_LIMIT = 60.0
_JSON = (b"content-type", b"application/json")
_HTML = (b"content-type", b"text/html; charset=utf-8")
_HOPS = re.compile(r"/hop/(\d+)/movies/")


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


def load_catalog(path: Path) -> list[Any]:
    """The entries of a JSON file holding a list of upstream ``results`` entries, as written."""
    return msgspec.json.decode(path.read_bytes(), type=list[Any])


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
        movies: Sequence[object],
        *,
        username: str,
        password: str,
        failure_rate: float = 0.0,
        failures: tuple[str, ...] = ("error", "hang", "drop", "malformed"),
        latency: float = 0.0,
        seed: int = 0,
        quirks: Mapping[str, str] | None = None,
        retry_after: int = 120,
        away: str | None = None,
    ) -> None:
        unknown = set(failures) - set(_FAILURES)
        if unknown or not failures:
            raise ValueError(f"failures must be some of {sorted(_FAILURES)}, not {failures}")
        odd = set((quirks or {}).values()) - set(QUIRKS)
        if odd:
            raise ValueError(f"quirks must be some of {sorted(QUIRKS)}, not {sorted(odd)}")
        self.movies = movies
        self.hits = 0
        self._credentials = f"{username}:{password}".encode()
        self._failure_rate = failure_rate
        self._failures = failures
        self._latency = latency
        self._rng = random.Random(seed)
        self._quirks = dict(quirks or {})
        self._retry_after = retry_after
        self._away = away

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        if path == "/_stats":
            await _respond(send, 200, msgspec.json.encode({"hits": self.hits}), _JSON)
            return
        self.hits += 1
        hops = _HOPS.fullmatch(path)
        if path == CATALOG_PATH and scope["method"] == "GET":
            await self._catalog(scope, receive, send)
        elif path == CATALOG_PATH.rstrip("/"):  # as Django's APPEND_SLASH does
            await _redirect(send, 301, CATALOG_PATH, scope)
        elif hops:
            left = int(hops[1]) - 1
            await _redirect(send, 302, f"/hop/{left}/movies/" if left else CATALOG_PATH, scope)
        elif path == "/away/movies/" and self._away:
            await _redirect(send, 301, self._away, scope)
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
        page = self._page(scope, number)
        quirk = self._quirks.get(str(number), self._quirks.get("*"))
        if quirk is not None:
            await self._quirky(send, quirk, page)
        elif self._rng.random() < self._failure_rate:
            body = msgspec.json.encode(page)
            await _FAILURES[self._rng.choice(self._failures)](self, body, receive, send)
        else:
            await _respond(send, 200, msgspec.json.encode(page), _JSON)

    async def _quirky(self, send: Send, quirk: str, page: dict[str, Any]) -> None:
        if quirk == "throttle":
            wait = (b"retry-after", str(self._retry_after).encode())
            await _respond(send, 429, b'{"detail": "Request was throttled."}', _JSON, wait)
        elif quirk == "html":
            await _respond(send, 200, b"<!doctype html><h1>Down for maintenance</h1>", _HTML)
        else:
            await _respond(send, 200, msgspec.json.encode(_CHANGES[quirk](page)), _JSON)

    def _authorized(self, scope: Scope) -> bool:
        scheme, _, encoded = _header(scope, b"authorization").partition(b" ")
        try:
            given = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            return False
        return scheme.lower() == b"basic" and hmac.compare_digest(given, self._credentials)

    def _page(self, scope: Scope, number: int) -> dict[str, Any]:
        base = f"{scope['scheme']}://{_header(scope, b'host').decode('latin-1')}{scope['path']}"
        last = number * PAGE_SIZE >= len(self.movies)
        return {
            "count": len(self.movies),
            "next": None if last else f"{base}?page={number + 1}",
            "previous": None if number == 1 else f"{base}?page={number - 1}",
            "results": self.movies[(number - 1) * PAGE_SIZE : number * PAGE_SIZE],
        }

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
        bad_bodies = (
            b"<html><body>Bad Gateway</body></html>",
            body[: len(body) // 2],
            b"null",
            msgspec.json.encode({**page, "count": "many"}),
            msgspec.json.encode({**page, "count": -1}),
            msgspec.json.encode({"count": page["count"]}),
            msgspec.json.encode({**page, "results": "none"}),
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


QUIRKS = (
    "html",
    "not-object",
    "results-not-list",
    "count-text",
    "overcount",
    "short",
    "long",
    "throttle",
)
_CHANGES: dict[str, Callable[[dict[str, Any]], object]] = {
    "not-object": lambda page: page["results"],
    "results-not-list": lambda page: {**page, "results": {"movies": page["results"]}},
    "count-text": lambda page: {**page, "count": str(page["count"])},
    "overcount": lambda page: {**page, "count": page["count"] + 5 * PAGE_SIZE},
    "short": lambda page: {**page, "results": page["results"][:-1]},
    "long": lambda page: {**page, "results": [*page["results"], *page["results"][:1]]},
}


async def _redirect(send: Send, status: int, target: str, scope: Scope) -> None:
    query = scope["query_string"].decode("latin-1")
    location = f"{target}?{query}" if query else target
    await _respond(send, status, b"", (b"location", location.encode("latin-1")))


def _header(scope: Scope, name: bytes) -> bytes:
    return next((value for key, value in scope["headers"] if key == name), b"")


def _page_number(scope: Scope) -> int | None:
    """The ``page`` query parameter (1 when absent); None when it is no page number."""
    values = parse_qs(scope["query_string"].decode("latin-1")).get("page", ["1"])
    if not values[-1].isdecimal() or int(values[-1]) < 1:
        return None
    return int(values[-1])


_EPILOG = """\
failures (--failures): error (a 500, 502 or 503), hang (no answer), drop (the
connection closes mid-body), malformed (a 200 that is no page), oversized (a
valid page padded past 2 MiB)
quirks (--quirk PAGE=KIND, PAGE a number or *): html, not-object,
results-not-list, count-text, overcount, short, long, throttle
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.fake_upstream",
        description="A fake upstream movie catalog: GET /movies/?page=N behind basic auth,"
        " flaky on demand.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8001, help="port (default: %(default)s)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--data", type=Path, help="a JSON list of upstream results entries, served as written"
    )
    source.add_argument(
        "--movies",
        type=int,
        default=45466,
        help="size of a synthetic catalog (default: %(default)s)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seeds the data and the failures (default: %(default)s)"
    )
    parser.add_argument(
        "--failure-rate",
        type=float,
        default=0.0,
        help="share of catalog requests that fail, 0.0 to 1.0 (default: %(default)s)",
    )
    parser.add_argument(
        "--failures",
        default="error,hang,drop,malformed",
        help="comma-separated ways to fail (default: %(default)s)",
    )
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="delay of every answer (default: %(default)s)"
    )
    parser.add_argument(
        "--quirk",
        action="append",
        default=[],
        metavar="PAGE=KIND",
        help="make a page misbehave the same way every time (repeatable; default: none)",
    )
    parser.add_argument(
        "--retry-after",
        type=int,
        default=120,
        help="Retry-After seconds of the throttle quirk (default: %(default)s)",
    )
    parser.add_argument("--away", help="where /away/movies/ redirects to (default: none, a 404)")
    parser.add_argument(
        "--username", help="basic auth user (default: API_USERNAME, else moviecore)"
    )
    parser.add_argument(
        "--password", help="basic auth password (default: API_PASSWORD, else moviecore)"
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    """Serve the fake upstream until interrupted."""
    args = _parser().parse_args(argv)
    movies = load_catalog(args.data) if args.data else synthetic_catalog(args.movies, args.seed)
    app = FakeUpstream(
        movies,
        # not parser defaults: --help would show a password set in the environment
        username=args.username or os.environ.get("API_USERNAME", "moviecore"),
        password=args.password or os.environ.get("API_PASSWORD", "moviecore"),
        failure_rate=args.failure_rate,
        failures=tuple(args.failures.split(",")),
        latency=args.latency_ms / 1000,
        seed=args.seed,
        quirks=dict(quirk.split("=", 1) for quirk in args.quirk),
        retry_after=args.retry_after,
        away=args.away,
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
    url = f"http://{args.host}:{args.port}{CATALOG_PATH}"
    print(f"fake upstream: {len(movies)} movies at {url}", file=sys.stderr, flush=True)
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
