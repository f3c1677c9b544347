"""CORS as a browser page on another origin meets it: preflights, readable headers, and
CORS headers on every answer to an allowed origin, the server layer's refusals included."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fixtures.server import ServerProcess, problem_body, register_user, run_server

APP_ORIGIN = "https://app.example"
STRANGER = "https://evil.example"
EXPOSED = "ETag, Location, Retry-After, WWW-Authenticate, X-Request-ID"
ALLOWED = {
    "access-control-allow-origin": APP_ORIGIN,
    "access-control-expose-headers": EXPOSED,
    "vary": "Origin",
}
"""The CORS headers of every answer to a page of APP_ORIGIN."""


def _cors_headers(response: httpx.Response) -> dict[str, str]:
    return {
        name: value
        for name, value in response.headers.items()
        if name.startswith("access-control-") or name == "vary"
    }


@pytest.fixture(scope="module")
def cors_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server that lets browser pages from APP_ORIGIN call it."""
    yield from run_server(tmp_path_factory.mktemp("cors"), {"CORS_ORIGINS": APP_ORIGIN})


@pytest.fixture
def page(cors_server: ServerProcess) -> Iterator[httpx.Client]:
    """A client sending APP_ORIGIN's Origin, as a browser does for that page's calls."""
    with httpx.Client(
        base_url=cors_server.base_url, timeout=10, headers={"Origin": APP_ORIGIN}
    ) as http:
        yield http


def test_a_preflight_from_the_allowed_origin_permits_the_api(page: httpx.Client) -> None:
    """A preflight for a PUT with a token and If-Match is allowed, for ten minutes."""
    preflight = page.options(
        "/collections/0b7e1a52-2f9c-4d5e-8a61-3c2f9e0d4b17/",
        headers={
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization, content-type, if-match",
        },
    )
    assert (preflight.status_code, _cors_headers(preflight)) == (
        204,
        {
            **ALLOWED,
            "access-control-allow-methods": "DELETE, GET, HEAD, PATCH, POST, PUT",
            "access-control-allow-headers": (
                "Authorization, Content-Type, If-Match, If-None-Match, X-Request-ID"
            ),
            "access-control-max-age": "600",
        },
    )


def test_a_preflight_from_another_origin_is_a_403_problem(page: httpx.Client) -> None:
    """A preflight from an origin not in CORS_ORIGINS is refused as problem details that
    name it, with no permission in its headers."""
    preflight = page.options(
        "/collections/", headers={"Origin": STRANGER, "Access-Control-Request-Method": "POST"}
    )
    assert (
        preflight.status_code,
        preflight.headers["content-type"],
        _cors_headers(preflight),
        problem_body(preflight),
    ) == (
        403,
        "application/problem+json",
        {"vary": "Origin"},
        {
            "type": "about:blank",
            "title": "Forbidden",
            "status": 403,
            "detail": "pages of 'https://evil.example' may not call this service",
        },
    )


def test_answers_of_the_app_expose_their_headers(page: httpx.Client) -> None:
    """A 201, a 401 and a 413 all let the page read ETag, Location, WWW-Authenticate..."""
    auth = register_user(page)
    created = page.post("/collections/", headers=auth, json={"title": "Seen"})
    unauthorized = page.get("/collections/")
    too_large = page.post("/collections/", headers=auth, content=b"[" + b" " * 2_000_000 + b"]")
    assert [
        (answer.status_code, _cors_headers(answer)) for answer in (created, unauthorized, too_large)
    ] == [(201, ALLOWED), (401, ALLOWED), (413, ALLOWED)]


def test_answers_to_another_origin_grant_nothing(page: httpx.Client) -> None:
    """A page of another origin gets its answer without permission to read it."""
    answer = page.get("/health/", headers={"Origin": STRANGER})
    assert (answer.status_code, _cors_headers(answer)) == (200, {"vary": "Origin"})


def _raw_answer(server: ServerProcess, request: bytes) -> tuple[int, dict[str, str]]:
    """The status and CORS headers of the answer to a raw ``request``, sent in one piece."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    status_line, *lines = received.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    headers = {name.lower(): value for name, value in (line.split(": ", 1) for line in lines)}
    cors = {name: value for name, value in headers.items() if name.startswith("access-control-")}
    return int(status_line.split()[1]), {**cors, "vary": headers.get("vary", "")}


def test_refusals_below_the_app_are_readable_by_the_page(cors_server: ServerProcess) -> None:
    """A 431 and a 414, answered before the app, carry the CORS headers of the Origin the
    request head held, so the page reads the problem instead of "Failed to fetch"."""
    origin = f"Origin: {APP_ORIGIN}\r\n".encode()
    headers_too_large = b"GET /health/ HTTP/1.1\r\n" + origin + b"X-Big: " + b"a" * 40_000
    url_too_long = b"GET /movies/?q=" + b"a" * 40_000 + b" HTTP/1.1\r\n" + origin
    answers = [
        _raw_answer(cors_server, request + b"\r\n\r\n")
        for request in (headers_too_large, url_too_long)
    ]
    assert answers == [(431, ALLOWED), (414, ALLOWED)]


def test_a_503_for_want_of_capacity_is_readable_by_the_page(tmp_path: Path) -> None:
    """With every connection taken, the 503 the server layer answers carries the CORS
    headers, so the page can read its Retry-After."""
    settings = {"CORS_ORIGINS": APP_ORIGIN, "MAX_CONNECTIONS": "2"}
    for server in run_server(tmp_path / "server", settings):
        held = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(2)]
        try:
            answer = _raw_answer(
                server, f"GET /health/ HTTP/1.1\r\nOrigin: {APP_ORIGIN}\r\n\r\n".encode()
            )
        finally:
            for sock in held:
                sock.close()
        assert answer == (503, ALLOWED)
