"""Hostile connections against a live server: huge heads, silent and trickling sockets, floods.

A head over MAX_HEAD_BYTES is answered 414 or 431, bytes that are not HTTP 400,
a request past MAX_CONNECTIONS 503, each as counted problem details; a
connection that sends no complete head within HEAD_TIMEOUT_SECONDS, or idles
past KEEP_ALIVE_SECONDS, is closed; a body over the limit sent slowly still
gets its 413; and floods of big heads or names leave the memory where it was.
The timeouts are set to 1 s here; every wait below is a failure guard.
"""

from __future__ import annotations

import json
import select
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from fixtures.server import ServerProcess, register_user, run_server

GUARD_SECONDS = 60.0
"""How long a test waits for what must happen within a second or two: a failure guard."""
HEAD_LIMIT = 32 * 1024
"""The default MAX_HEAD_BYTES."""
CHUNK = 64 * 1024
PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class Answer:
    """What a raw client read: status, the headers that matter here, the JSON body, and
    whether the server closed the connection after it."""

    status: int
    content_type: str | None
    retry_after: str | None
    body: object
    closed: bool


def _connect(server: ServerProcess) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=GUARD_SECONDS)


def _send(sock: socket.socket, data: bytes) -> OSError | None:
    """Send ``data``; the error if the server stopped reading first."""
    try:
        sock.sendall(data)
    except OSError as error:
        return error
    return None


def _read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    try:
        while chunk := sock.recv(CHUNK):
            received += chunk
    except ConnectionResetError:  # closed with bytes of ours unread: what came first counts
        pass
    return received


def _answer(raw: bytes, *, closed: bool = True) -> Answer:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines)
    problem = json.loads(body) if body else None
    if isinstance(problem, dict) and problem.get("request_id", 0) == headers.get("x-request-id"):
        del problem["request_id"]  # each answer has its own; test_http_logs checks them
    return Answer(
        status=int(status_line.split()[1]),
        content_type=headers.get("content-type"),
        retry_after=headers.get("retry-after"),
        body=problem,
        closed=closed,
    )


def _exchange(server: ServerProcess, request: bytes) -> Answer:
    """Send raw ``request`` on a connection of its own; the answer up to the server's close."""
    with _connect(server) as sock:
        _send(sock, request)
        return _answer(_read_until_closed(sock))


def _problem(status: int, title: str, detail: str) -> dict[str, object]:
    return {"type": "about:blank", "title": title, "status": status, "detail": detail}


def _read_answer(sock: socket.socket) -> bytes:
    """One answer with a Content-Length, read from a connection that stays open."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += sock.recv(CHUNK)
    head, _, body = received.partition(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    while len(body) < length:
        body += sock.recv(CHUNK)
    return head + b"\r\n\r\n" + body


def _received(sock: socket.socket) -> bytes | None:
    """What the server sent on ``sock`` (b"" once it closed it), or None if nothing yet."""
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return None
    try:
        return sock.recv(CHUNK)
    except ConnectionResetError:
        return b""


def _wait_closed(socks: list[socket.socket], *, trickle: set[socket.socket]) -> tuple[int, bytes]:
    """How many of ``socks`` the server closes before the guard, and all it sent on them,
    while a byte is sent on each of ``trickle`` every 0.2 s, as a slowloris client does."""
    open_ = set(socks)
    answers = b""
    deadline = time.monotonic() + GUARD_SECONDS
    while open_ and time.monotonic() < deadline:
        for sock in list(open_):
            received = _received(sock)
            if received == b"":
                open_.discard(sock)
            answers += received or b""
        for sock in open_ & trickle:
            _send(sock, b"X")
        time.sleep(0.2)  # the trickle's pace, and the polling interval
    return len(socks) - len(open_), answers


def _count(http: httpx.Client, auth: dict[str, str]) -> int:
    response = http.get("/request-count/", headers=auth)
    assert response.status_code == httpx.codes.OK, response.text
    return int(response.json()["requests"])


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """An embedded server whose heads and idle connections have 1 s each."""
    settings = {"HEAD_TIMEOUT_SECONDS": "1", "KEEP_ALIVE_SECONDS": "1"}
    yield from run_server(tmp_path_factory.mktemp("edge"), settings)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """An embedded server of 10 connections, patient with heads, idle connections 1 s."""
    settings = {"MAX_CONNECTIONS": "10", "HEAD_TIMEOUT_SECONDS": "600", "KEEP_ALIVE_SECONDS": "1"}
    yield from run_server(tmp_path_factory.mktemp("small"), settings)


def _client(server: ServerProcess) -> httpx.Client:
    """A client that opens a connection per request, so that no idle one is closed under it."""
    limits = httpx.Limits(max_keepalive_connections=0)
    return httpx.Client(base_url=server.base_url, timeout=GUARD_SECONDS, limits=limits)


def test_heads_over_the_limit_and_bytes_that_are_not_http_are_counted_problems(
    edge: ServerProcess,
) -> None:
    """A 40 kB header is a 431, a 100 kB URL a 414, garbage a 400: problem details that
    close the connection and count as requests."""
    with _client(edge) as http:
        auth = register_user(http)
        before = _count(http, auth)
        answers = [
            _exchange(edge, b"GET /health/ HTTP/1.1\r\nX-Big: " + b"a" * 40_000 + b"\r\n\r\n"),
            _exchange(edge, b"GET /movies/?q=" + b"a" * 100_000 + b" HTTP/1.1\r\n\r\n"),
            _exchange(edge, b"\x16\x03\x01 not HTTP at all\r\n\r\n"),
        ]
        after = _count(http, auth)

    limit = f"{HEAD_LIMIT} bytes"
    assert answers == [
        Answer(
            status=431,
            content_type=PROBLEM_JSON,
            retry_after=None,
            body=_problem(
                431,
                "Request Header Fields Too Large",
                f"the request line and headers are larger than {limit}",
            ),
            closed=True,
        ),
        Answer(
            status=414,
            content_type=PROBLEM_JSON,
            retry_after=None,
            body=_problem(414, "Request-URI Too Long", f"the URL is longer than {limit}"),
            closed=True,
        ),
        Answer(
            status=400,
            content_type=PROBLEM_JSON,
            retry_after=None,
            body=_problem(400, "Bad Request", "the request is not valid HTTP/1.1"),
            closed=True,
        ),
    ]
    assert after - before == 4  # the three answers and the second read


def test_a_100_mb_header_is_cut_off_and_memory_stays_where_it_was(edge: ServerProcess) -> None:
    """Sending a 100 MB header, a client is stopped within a few MB, the server's memory does
    not grow, and the next client is served."""
    before = edge.resident_mib()
    peak, sent, error = before, 0, None
    with _connect(edge) as sock:
        error = _send(sock, b"GET /health/ HTTP/1.1\r\nHost: x\r\nX-Big: ")
        while error is None and sent < 100 * 1024 * 1024:
            error = _send(sock, b"a" * CHUNK)
            sent += CHUNK
            if sent % (4 * 1024 * 1024) == 0:
                peak = max(peak, edge.resident_mib())
    with _client(edge) as http:
        health = http.get("/health/")

    assert (error is not None, sent < 32 * 1024 * 1024) == (True, True), (error, sent)
    assert peak - before < 16, (before, peak)
    assert health.status_code == httpx.codes.OK


def test_silent_and_trickling_connections_are_closed_after_the_head_timeout(
    edge: ServerProcess,
) -> None:
    """250 sockets that send nothing and 50 that trickle a head byte by byte are all closed
    without an answer, and a client meanwhile is served."""
    silent = [_connect(edge) for _ in range(250)]
    trickling = [_connect(edge) for _ in range(50)]
    for sock in trickling:
        _send(sock, b"GET /health/ HTTP/1.1\r\n")
    try:
        with _client(edge) as http:
            health = http.get("/health/")
        closed = _wait_closed(silent + trickling, trickle=set(trickling))
    finally:
        for sock in silent + trickling:
            sock.close()
    assert (health.status_code, closed) == (200, (300, b""))


def test_an_idle_keep_alive_connection_is_closed_after_the_keep_alive_timeout(
    small: ServerProcess,
) -> None:
    """After its answer, a connection that sends nothing more is closed by the server."""
    with _connect(small) as sock:
        _send(sock, b"GET /health/ HTTP/1.1\r\nHost: x\r\n\r\n")
        answered = _answer(_read_answer(sock), closed=False).status
        closed = _wait_closed([sock], trickle=set())
    assert (answered, closed) == (200, (1, b""))


def test_a_request_past_the_connection_cap_is_a_counted_503(small: ServerProcess) -> None:
    """With MAX_CONNECTIONS open, one more request is a 503 problem with Retry-After; once
    they close, requests are served again, and the 503 was counted."""
    with _client(small) as http:
        auth = register_user(http)
        before = _count(http, auth)
        held = [_connect(small) for _ in range(10)]
        try:
            refused = _exchange(small, b"GET /health/ HTTP/1.1\r\nHost: x\r\n\r\n")
        finally:
            for sock in held:
                sock.close()
        deadline = time.monotonic() + GUARD_SECONDS
        retries = 0
        while (count := http.get("/request-count/", headers=auth)).status_code == 503:
            assert time.monotonic() < deadline, count.text
            retries += 1
            time.sleep(0.05)  # the server sees the held connections close
        after = int(count.json()["requests"])

    assert refused == Answer(
        status=503,
        content_type=PROBLEM_JSON,
        retry_after="1",
        body=_problem(503, "Service Unavailable", "the service is busy; try again shortly"),
        closed=True,
    )
    assert after - before == 2 + retries  # the refused request, the reads refused meanwhile


@pytest.mark.parametrize("connection", ["keep-alive", "close"])
def test_a_body_over_the_limit_sent_slowly_still_gets_its_413(
    edge: ServerProcess, connection: str
) -> None:
    """A client sending 1.1 MB to POST /collections/ in slow chunks can send it all and then
    read its 413, whether it keeps the connection or not."""
    size = 1_100_000
    with _client(edge) as http:
        token = register_user(http)["Authorization"]
    head = (
        f"POST /collections/ HTTP/1.1\r\nHost: x\r\nAuthorization: {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {size}\r\n"
        f"Connection: {connection}\r\n\r\n"
    )
    errors = []
    with _connect(edge) as sock:
        errors.append(_send(sock, head.encode()))
        for start in range(0, size, CHUNK):
            errors.append(_send(sock, b"x" * min(CHUNK, size - start)))
            time.sleep(0.005)  # a slow sender's pace
        raw = _read_answer(sock) if connection == "keep-alive" else _read_until_closed(sock)

    assert [e for e in errors if e is not None] == []
    assert _answer(raw, closed=connection == "close") == Answer(
        status=413,
        content_type=PROBLEM_JSON,
        retry_after=None,
        body=_problem(413, "Request Entity Too Large", "the body must be at most 1,048,576 bytes"),
        closed=connection == "close",
    )


def test_failed_logins_under_1_mb_names_leave_memory_where_it_was(server: ServerProcess) -> None:
    """150 failed logins, each under another 1 MB username, are each a 401 like an unknown
    user's, and the server holds no more memory after them than before."""
    with _client(server) as http:
        http.post("/login/", json={"username": "warm-up", "password": "a long password"})
        before = server.resident_mib()
        statuses = {
            http.post(
                "/login/",
                json={"username": uuid.uuid4().hex * 31_250, "password": "a long password"},
            ).status_code
            for _ in range(150)
        }
        after = server.resident_mib()
    assert statuses == {401}
    assert after - before < 16, (before, after)
