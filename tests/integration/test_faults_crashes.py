"""The server killed outright, or stopped while answering: no answered write and no count is lost.

Each test runs on the embedded default (SQLite) and on PostgreSQL with Redis, but for
the burst of counted requests, which is the embedded default's own guarantee.
"""

from __future__ import annotations

import json
import signal
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from pathlib import Path

import httpx
import pytest

from fixtures.server import STOP_SECONDS, ServerProcess, distributed_environment, operator_auth
from fixtures.services import fresh_redis_prefix, migrated_database

DEFAULT_BCRYPT_ROUNDS = "12"
"""The service's own default cost, so that a login takes a while."""
BURST = 1000
BURST_CLIENTS = 8

MOVIE = {
    "uuid": "7a6a5d3c-2f55-4c3e-9a8e-0d5b1a2c3d4e",
    "title": "Kept",
    "description": "",
    "genres": "Drama",
}


class CrashableServer(ServerProcess):
    """A server that can also be killed at once, as a power cut or the OOM killer would."""

    def crash(self) -> None:
        """Kill the server with SIGKILL: no shutdown, no flush, nothing cleaned up."""
        process, self._process = self._process, None
        assert process is not None
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop_in_background(self) -> threading.Thread:
        """Send SIGTERM and wait for the exit in a thread, so requests can go on meanwhile."""
        stopping = threading.Thread(target=self.stop)
        stopping.start()
        return stopping


@pytest.fixture(params=["sqlite", "postgresql"])
def environment(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The settings of one worker on SQLite, or on PostgreSQL and Redis."""
    if request.param == "sqlite":
        yield {}
        return
    with migrated_database() as database_url, fresh_redis_prefix() as prefix:
        yield distributed_environment(database_url, prefix, workers=1)


def _credentials() -> dict[str, str]:
    return {"username": f"user_{uuid.uuid4().hex[:12]}", "password": "a long password"}


def _bearer(response: httpx.Response) -> dict[str, str]:
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_a_kill_right_after_201_loses_neither_account_nor_collection(
    tmp_path: Path, environment: dict[str, str]
) -> None:
    """Killed just after answering 201, the restarted server knows the user and the collection."""
    server = CrashableServer(tmp_path / "server", environment)
    credentials = _credentials()
    server.start()
    try:
        with httpx.Client(base_url=server.base_url, timeout=10) as http:
            registered = http.post("/register/", json=credentials)
        server.crash()
        server.start()
        with httpx.Client(base_url=server.base_url, timeout=10) as http:
            logged_in = http.post("/login/", json=credentials)
            auth = _bearer(logged_in)
            new = {"title": "Kept", "description": "through a crash", "movies": [MOVIE]}
            created = http.post("/collections/", headers=auth, json=new)
        server.crash()
        server.start()
        with httpx.Client(base_url=server.base_url, timeout=10) as http:
            collection_uuid = created.json()["collection_uuid"]
            fetched = http.get(f"/collections/{collection_uuid}/", headers=auth)
    finally:
        server.stop()
    assert (registered.status_code, logged_in.status_code, created.status_code) == (201, 200, 201)
    assert (fetched.status_code, fetched.json()) == (
        200,
        {
            "uuid": collection_uuid,
            "title": "Kept",
            "description": "through a crash",
            "movies": [MOVIE],
            "version": 1,
        },
    )


def _read_counts(base_url: str, auth: dict[str, str], count: int) -> list[int]:
    with httpx.Client(base_url=base_url, timeout=10) as http:
        return [http.get("/request-count/", headers=auth).status_code for _ in range(count)]


def test_a_kill_right_after_a_burst_loses_no_count_on_the_embedded_default(
    tmp_path: Path,
) -> None:
    """Killed right after answering 1,000 requests, the restarted server has counted each one."""
    server = CrashableServer(tmp_path / "server")
    server.start()
    try:
        with httpx.Client(base_url=server.base_url, timeout=10) as http:
            auth = operator_auth(http)
            http.post("/request-count/reset/", headers=auth)
        each = BURST // BURST_CLIENTS
        with ThreadPoolExecutor(BURST_CLIENTS) as pool:
            batches = pool.map(
                _read_counts,
                [server.base_url] * BURST_CLIENTS,
                [auth] * BURST_CLIENTS,
                [each] * BURST_CLIENTS,
            )
            answered = [status for batch in batches for status in batch]
        server.crash()
        server.start()
        with httpx.Client(base_url=server.base_url, timeout=10) as http:
            count = http.get("/request-count/", headers=auth).json()
    finally:
        server.stop()
    # the burst, the health check of the restart, and the read itself
    assert (answered, count) == ([200] * BURST, {"requests": BURST + 2})


class HeldRequest:
    """A POST whose headers are sent at once and whose body waits until ``finish``.

    With ``Expect: 100-continue`` the server answers ``100 Continue`` only when its
    handler asks for the body, so once that arrives the request is surely in flight.
    """

    def __init__(
        self, port: int, path: str, body: object, headers: Mapping[str, str] | None = None
    ) -> None:
        self._body = json.dumps(body).encode()
        self._connection = HTTPConnection("127.0.0.1", port, timeout=STOP_SECONDS)
        self._connection.putrequest("POST", path)
        fields = {"Content-Type": "application/json", "Content-Length": str(len(self._body))}
        for name, value in {**fields, "Expect": "100-continue", **(headers or {})}.items():
            self._connection.putheader(name, value)
        self._connection.endheaders()
        interim = b""
        while not interim.endswith(b"\r\n\r\n"):
            assert self._connection.sock is not None
            interim += self._connection.sock.recv(1)
        assert interim.startswith(b"HTTP/1.1 100"), interim

    def finish(self) -> tuple[int, object]:
        """Send the body; the status and JSON body of the answer."""
        self._connection.send(self._body)
        response = self._connection.getresponse()
        answer = (response.status, json.loads(response.read()))
        self._connection.close()
        return answer


def _wait_for_shutdown(server: ServerProcess) -> None:
    """Return once the server has logged that it is shutting down."""
    deadline = time.monotonic() + STOP_SECONDS
    while "shutting down" not in server.log():
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.05)  # polling interval while the workers react to SIGTERM, not an assertion


def test_sigterm_lets_requests_in_flight_finish_and_keeps_their_counts(
    tmp_path: Path, environment: dict[str, str]
) -> None:
    """Requests under way when SIGTERM arrives get their answers and are counted after restart."""
    settings = {**environment, "BCRYPT_ROUNDS": DEFAULT_BCRYPT_ROUNDS}
    server = CrashableServer(tmp_path / "server", settings)
    credentials = _credentials()
    server.start()
    try:
        with httpx.Client(base_url=server.base_url, timeout=10) as http:
            auth = _bearer(http.post("/register/", json=credentials))
            http.post("/request-count/reset/", headers=operator_auth(http))
        in_flight = [
            HeldRequest(server.port, "/login/", credentials),
            HeldRequest(server.port, "/collections/", {"title": "First"}, auth),
            HeldRequest(server.port, "/collections/", {"title": "Second"}, auth),
        ]
        stopping = server.stop_in_background()
        _wait_for_shutdown(server)
        answers = [request.finish() for request in in_flight]
        stopping.join()
        server.start()
        with httpx.Client(base_url=server.base_url, timeout=10) as http:
            count = http.get("/request-count/", headers=auth).json()
            listed = http.get("/collections/", headers=auth).json()["data"]["collections"]
    finally:
        server.stop()
    assert [status for status, _ in answers] == [200, 201, 201]
    # the three held requests, the health check of the restart, and the read itself
    assert (count, sorted(c["title"] for c in listed)) == ({"requests": 5}, ["First", "Second"])
