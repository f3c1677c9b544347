"""Where a live server meets slow, hasty and odd clients: stalled uploads, clients that
hang up, refusals below the app, a worker that dies, a port already taken.

Every wait below is a failure guard: the deadlines are set to a second or two.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import httpx
import pytest

from fixtures.load import GUARD_SECONDS
from fixtures.server import (
    ServerProcess,
    distributed_environment,
    free_port,
    moviecore_command,
    register_user,
    run_server,
)
from fixtures.services import fresh_redis_prefix, migrated_database

MIB = 1024 * 1024
STALLED_UPLOADS = 1000


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """An embedded server logging JSON access lines, whose bodies have 2 s to arrive."""
    settings = {"BODY_TIMEOUT_SECONDS": "2", "ACCESS_LOG": "true", "LOG_FORMAT": "json"}
    yield from run_server(tmp_path_factory.mktemp("quick"), settings)


def _upload_head(length: int, path: str = "/register/") -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def _status_line(answer: bytes) -> bytes:
    return answer.split(b"\r\n", 1)[0]


def _access_lines(server: ServerProcess) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("event") == "request"]


def _metric(server: ServerProcess, **labels: str) -> float:
    """The request counter's sample with exactly ``labels`` (0 if there is none)."""
    text = httpx.get(f"http://127.0.0.1:{server.metrics_port}/metrics").text
    wanted = ",".join(f'{name}="{value}"' for name, value in labels.items())
    prefix = f"moviecore_http_requests_total{{{wanted}}} "
    return sum(float(line[len(prefix) :]) for line in text.splitlines() if line.startswith(prefix))


def test_a_stalled_upload_is_answered_408_and_closed(quick: ServerProcess) -> None:
    """A body that stops arriving gets a 408 problem the client can read, its connection
    closed after it, and the access line says 408."""
    with quick.connect() as sock:
        sock.sendall(_upload_head(100) + b'{"user')
        answer = quick.read_answer(sock)
    head, _, body = answer.partition(b"\r\n\r\n")
    problem = json.loads(body)

    assert (_status_line(answer), b"connection: close" in head) == (
        b"HTTP/1.1 408 Request Timeout",
        True,
    )
    assert (problem["status"], problem["detail"]) == (
        408,
        "the body did not arrive within 2 seconds",
    )
    assert [
        line["status"]
        for line in _access_lines(quick)
        if line["request_id"] == problem["request_id"]
    ] == [408]


def test_a_client_that_hangs_up_mid_body_is_a_499_not_an_error(quick: ServerProcess) -> None:
    """A client gone before its body arrived is logged at info and counted as 499, with no
    error or traceback in the log."""
    before = _metric(quick, method="POST", route="/register", status="499")
    with quick.connect() as sock:
        sock.sendall(_upload_head(100, "/register/?gone=1") + b'{"user')
    quick.wait_for_log('"status":499')
    after = _metric(quick, method="POST", route="/register", status="499")
    lines = [json.loads(line) for line in quick.log().splitlines() if line.startswith("{")]

    assert after - before == 1
    assert [line["level"] for line in lines if line["level"] in ("error", "critical")] == []
    assert "Traceback" not in quick.log()


def test_refusals_below_the_app_carry_a_request_id_and_their_method(
    quick: ServerProcess,
) -> None:
    """A request line that is not HTTP, and a 40 KB header, are answered as problems
    with an X-Request-ID, logged with their own method and counted."""
    answers = []
    for request in (b"FOO / HTTP/1.1\r\nHost: x\r\n\r\n", _big_header()):
        with quick.connect() as sock:
            sock.sendall(request)
            answers.append(quick.read_answer(sock))
    ids = [_header(answer, b"x-request-id") for answer in answers]
    logged = {line["request_id"]: line for line in _access_lines(quick)}

    assert [_status_line(answer) for answer in answers] == [
        b"HTTP/1.1 400 Bad Request",
        b"HTTP/1.1 431 Request Header Fields Too Large",
    ]
    assert [(logged[i]["method"], logged[i]["status"]) for i in ids] == [
        ("FOO", 400),
        ("GET", 431),
    ]
    assert _metric(quick, method="other", route="refused", status="400") >= 1


def _big_header() -> bytes:
    return b"GET /health/ HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40_000 + b"\r\n\r\n"


def _header(answer: bytes, name: bytes) -> str:
    head = answer.partition(b"\r\n\r\n")[0].lower()
    return head.split(name + b": ", 1)[1].split(b"\r\n", 1)[0].decode()


def test_a_body_that_is_not_json_is_refused_415(quick: ServerProcess) -> None:
    """A form or text/plain body (which a page on any origin may send without a CORS
    preflight) is refused 415 and creates no account."""
    username = f"plain_{os.getpid()}_{time.monotonic_ns()}"
    credentials = json.dumps({"username": username, "password": "a long password"})
    with httpx.Client(base_url=quick.base_url, timeout=GUARD_SECONDS) as http:
        statuses = [
            http.post("/register/", content=credentials, headers={"Content-Type": kind})
            for kind in ("text/plain", "application/x-www-form-urlencoded")
        ]
        login = http.post("/login/", content=credentials, headers={"Content-Type": "text/plain"})
        json_login = http.post("/login/", content=credentials)  # no type at all

    assert [r.status_code for r in statuses] == [415, 415]
    assert (login.status_code, json_login.status_code) == (415, 415)
    assert statuses[0].json()["detail"] == (
        "the body must be JSON, sent with Content-Type: application/json"
    )


def test_a_thousand_stalled_uploads_hold_bounded_memory(tmp_path: Path) -> None:
    """1,000 clients each send most of a 1 MB body and stall: past MAX_UPLOADS they are
    answered 503 at once, others still get answers meanwhile, the memory the worker holds
    stays bounded, and every stalled one is answered 408 and closed."""
    # room for every connection: the cap on uploads is what is tested
    settings = {"BODY_TIMEOUT_SECONDS": "3", "MAX_UPLOADS": "64", "MAX_CONNECTIONS": "2000"}
    with _server(tmp_path, settings) as server:
        before = server.resident_mib()
        body = b"x" * (MIB - 1)
        sockets = []
        for _ in range(STALLED_UPLOADS):  # each sends at once: an idle one would be closed
            sockets.append(server.connect())
            sockets[-1].sendall(_upload_head(MIB) + body)
        peak = server.resident_mib()
        with httpx.Client(base_url=server.base_url, timeout=GUARD_SECONDS) as http:
            live = http.get("/health/live/").status_code
        statuses = [_status_line(server.read_answer(sock)) for sock in sockets]

    timed_out = statuses.count(b"HTTP/1.1 408 Request Timeout")
    turned_away = statuses.count(b"HTTP/1.1 503 Service Unavailable")
    # An upload answered 408 while others still arrive frees its place for one of them.
    assert (live, timed_out >= 64, timed_out + turned_away) == (200, True, STALLED_UPLOADS)
    assert peak - before < 64 + 32, (before, peak)  # 64 bodies of 1 MiB, and the rest


def test_a_dead_worker_is_logged_as_an_error_and_replaced(tmp_path: Path) -> None:
    """A worker killed as a crash would is logged at error and replaced; the service goes
    on answering."""
    with migrated_database() as url, fresh_redis_prefix() as prefix:
        environment = distributed_environment(url, prefix, workers=2)
        with _server(tmp_path, environment) as server:
            with httpx.Client(base_url=server.base_url, timeout=GUARD_SECONDS) as http:
                register_user(http)
            victim = server.worker_pids()[0]
            os.kill(victim, signal.SIGKILL)
            server.wait_for_log(f"worker {victim} died")
            server.wait_for_log_count(" serving on http://", 3)
            with httpx.Client(base_url=server.base_url, timeout=GUARD_SECONDS) as http:
                after = http.get("/health/").status_code

    (line,) = [line for line in server.log().splitlines() if f"worker {victim} died" in line]
    assert ("[error", after) == (line.split("]", 1)[0].split(" ", 1)[1][:6], 200)


def _refused_start(tmp_path: Path, settings: dict[str, str]) -> tuple[int, list[str]]:
    """The exit code and the lines on stderr of a ``moviecore serve`` expected to refuse."""
    done = subprocess.run(
        [*moviecore_command(), "serve"],
        env={**os.environ, "DATA_DIR": str(tmp_path), **settings},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=GUARD_SECONDS,
        check=False,
    )
    return done.returncode, done.stderr.splitlines()


@pytest.mark.parametrize(
    ("setting", "refusal"),
    [
        ("PORT", "cannot listen on 127.0.0.1:{port}"),
        ("METRICS_PORT", "cannot serve metrics on 127.0.0.1:{port} (METRICS_PORT)"),
    ],
)
def test_a_port_in_use_is_refused_in_one_line_naming_it(
    tmp_path: Path, setting: str, refusal: str
) -> None:
    """A server on a port already taken, its own or its metrics', exits 1 with one line
    naming the address and what to do."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ports = {"PORT": str(free_port()), "METRICS_PORT": str(free_port()), setting: str(port)}
        code, lines = _refused_start(tmp_path, ports)

    assert (code, lines[-1:]) == (
        1,
        [
            f"moviecore: {refusal.format(port=port)}: Address already in use;"
            f" stop what listens there, or set another {setting}"
        ],
    )


def test_a_second_server_on_one_data_dir_is_refused_in_one_line(
    server: ServerProcess, tmp_path: Path
) -> None:
    """A second ``moviecore serve`` on the DATA_DIR of one running exits 1 with one line
    saying so and what to do, before it touches the database; the first serves on."""
    ports = {"PORT": str(free_port()), "METRICS_PORT": str(free_port())}
    code, lines = _refused_start(server.data_dir, ports)
    health = httpx.get(f"{server.base_url}/health/", timeout=GUARD_SECONDS).status_code

    assert (code, lines, health) == (
        1,
        [
            f"moviecore: another moviecore serve uses DATA_DIR {server.data_dir}"
            " (it holds moviecore.sqlite3-count): stop it first, or set another DATA_DIR"
        ],
        200,
    )


def _server(tmp_path: Path, settings: dict[str, str]) -> AbstractContextManager[ServerProcess]:
    return contextmanager(run_server)(tmp_path / "server", settings)
