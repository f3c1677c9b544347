"""Stopping and restarting a live server under steady clients: nothing accepted is lost.

On SIGTERM a worker's readiness fails at once and it keeps serving for DRAIN_SECONDS,
each answer closing its connection; then it stops accepting and finishes what it
accepted. A client is refused a connection once the port is closed (a request never
sent, which a proxy sends elsewhere), but no request it sent goes unanswered.
"""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
import pytest

from fixtures.load import GUARD_SECONDS, steady_clients
from fixtures.server import (
    ServerProcess,
    distributed_environment,
    read_count,
    register_user,
    two_instances,
)
from fixtures.services import fresh_redis_prefix, migrated_database

DRAIN_SECONDS = 2
DRAIN = {"DRAIN_SECONDS": str(DRAIN_SECONDS)}


def _readiness(server: ServerProcess) -> tuple[int, object]:
    with httpx.Client(base_url=server.base_url, timeout=GUARD_SECONDS) as http:
        response = http.get("/health/ready/")
        return response.status_code, response.json()


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_under_steady_clients_answers_every_request_sent(
    workers: int, tmp_path: Path
) -> None:
    """20 clients, half of them writing: after SIGTERM readiness is 503 "draining" at
    once, answers meanwhile close their connections, the server exits 0, and every
    request a client sent was answered; the rest were refused before being sent."""
    with migrated_database() as url, fresh_redis_prefix() as prefix:
        environment = {**distributed_environment(url, prefix, workers), **DRAIN}
        server = ServerProcess(tmp_path / "server", environment)
        server.start()
        with steady_clients([server.base_url]) as clients:
            server.signal(signal.SIGTERM)
            draining = _readiness(server)
            code = server.wait()
            refused_before = clients.tally.refused
            clients.wait_for(lambda: clients.tally.refused > refused_before + 20)
        tally = clients.tally

    assert (draining, code, tally.lost) == ((503, {"status": "draining"}), 0, [])
    assert (set(tally.statuses) <= {200, 201}, tally.closing > 0) == (True, True)
    assert "cutting" not in server.log(), server.log()


def test_rolling_restart_of_two_instances_loses_no_request(tmp_path: Path) -> None:
    """Two instances on one database, restarted one after the other under 20 clients
    that go to the other when refused, as a proxy does: no request sent is lost, and
    the request count holds exactly every answer."""
    with two_instances(tmp_path, DRAIN_SECONDS) as (first, second):
        with steady_clients([first.base_url, second.base_url]) as clients:
            for server in (first, second):
                server.restart()
                answered = clients.tally.answered
                clients.wait_for(lambda answered=answered: clients.tally.answered > answered + 100)
        tally = clients.tally
        # each start's health check is counted, then the registration and the read
        expected = tally.answered + 4 + 2
        with httpx.Client(base_url=second.base_url, timeout=GUARD_SECONDS) as http:
            count = read_count(http, register_user(http), expected)

    assert (tally.lost, set(tally.statuses) <= {200, 201}) == ([], True)
    assert count == expected


def test_an_upload_in_flight_at_sigterm_is_answered(tmp_path: Path) -> None:
    """A body still arriving when SIGTERM comes is read to its end and answered; one
    that stalls gets its 408 before the shutdown deadline, and the server exits 0."""
    environment = {"DRAIN_SECONDS": "1", "SHUTDOWN_TIMEOUT_SECONDS": "4"}
    server = ServerProcess(tmp_path / "server", environment)
    server.start()
    with httpx.Client(base_url=server.base_url, timeout=GUARD_SECONDS) as http:
        auth = register_user(http)
    body = b'{"title": "sent across the shutdown"}'
    head = (
        f"POST /collections/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Authorization: {auth['Authorization']}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    finishing, stalled = server.connect(), server.connect()
    for sock in (finishing, stalled):
        sock.sendall(head + body[:10])
    server.signal(signal.SIGTERM)
    server.wait_for_log("draining")
    finishing.sendall(body[10:])
    answers = [server.read_answer(sock) for sock in (finishing, stalled)]
    code = server.wait()

    assert [answer.split(b"\r\n", 1)[0] for answer in answers] == [
        b"HTTP/1.1 201 Created",
        b"HTTP/1.1 408 Request Timeout",
    ]
    assert [b"connection: close" in answer for answer in answers] == [True, True]
    assert code == 0
