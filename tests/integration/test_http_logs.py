"""What the service logs, and the request ids that tie a client's request to its lines."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from fixtures.server import STARTUP_COMPLETE, ServerProcess, run_server

PASSWORD = "a secret password"


@pytest.fixture
def json_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server logging JSON lines, one per request too."""
    yield from run_server(tmp_path / "server", {"LOG_FORMAT": "json", "ACCESS_LOG": "true"})


def _lines(server: ServerProcess) -> list[dict[str, object]]:
    return [json.loads(line) for line in server.log().splitlines()]


def _zone(timestamp: object) -> tuple[str, timedelta | None]:
    """How an ISO 8601 time ends, and the offset a log shipper reads from it."""
    return str(timestamp)[-1], datetime.fromisoformat(str(timestamp)).utcoffset()


def test_request_id_is_kept_and_echoed(client: httpx.Client) -> None:
    """A valid X-Request-ID comes back as sent, and in a problem's body."""
    response = client.get("/no-such-thing/", headers={"X-Request-ID": "trace-42"})
    assert (response.headers["x-request-id"], response.json()["request_id"]) == (
        "trace-42",
        "trace-42",
    )


@pytest.mark.parametrize("sent", ["", "has space", "x" * 65, "caf\u00e9"])
def test_invalid_request_id_is_replaced(client: httpx.Client, sent: str) -> None:
    """An empty, spaced, overlong or non-ASCII X-Request-ID is replaced by a new id."""
    response = client.get("/health/", headers={"X-Request-ID": sent.encode()})
    echoed = response.headers["x-request-id"]
    assert (echoed != sent, len(echoed), echoed.isalnum()) == (True, 32, True)


def test_every_answer_has_its_own_request_id(client: httpx.Client) -> None:
    """Without X-Request-ID, each answer carries a different generated id."""
    ids = {client.get("/health/live/").headers["x-request-id"] for _ in range(3)}
    assert len(ids) == 3


def test_json_log_names_request_and_user_and_hides_secrets(json_server: ServerProcess) -> None:
    """In JSON mode every line is a JSON object; a request's line names its id, method,
    path, client, query, user agent, status, duration and user, and no password or token
    shows anywhere."""
    username = f"logged_{uuid.uuid4().hex[:12]}"
    with httpx.Client(base_url=json_server.base_url, timeout=10) as http:
        token = http.post("/register/", json={"username": username, "password": PASSWORD})
        access_token = token.json()["access_token"]
        auth = {"Authorization": f"Bearer {access_token}", "X-Request-ID": "count-read-1"}
        http.get("/request-count/", headers=auth)
    json_server.stop()
    lines = _lines(json_server)
    (read,) = [line for line in lines if line.get("request_id") == "count-read-1"]
    assert (
        {key: read[key] for key in ("event", "level", "method", "path", "status")},
        sorted(read),
        any(STARTUP_COMPLETE in line["event"] for line in lines),
        {_zone(line["timestamp"]) for line in lines},
        PASSWORD in json_server.log() or access_token in json_server.log(),
    ) == (
        {
            "event": "request",
            "level": "info",
            "method": "GET",
            "path": "/request-count/",
            "status": 200,
        },
        [
            "client",
            "duration_ms",
            "event",
            "level",
            "logger",
            "method",
            "path",
            "query",
            "request_id",
            "status",
            "timestamp",
            "user_agent",
            "user_id",
        ],
        True,
        {("Z", timedelta(0))},
        False,
    )
