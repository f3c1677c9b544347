"""A damaged SQLite file, as the real service meets it: at start, and while it serves.

At start it is refused in one line naming the file and the remedy, like every other
start refusal. Found while serving, it is logged at error once; the health checks
answer 503 naming the database; writes answer 503 and leave the file as it was.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fixtures.server import ServerProcess, free_port, moviecore_command, register_user

START_SECONDS = 60.0
"""Far longer than a refusal takes; a command still running then has started serving."""
DAMAGED_LINE = "is damaged ("
CATALOG_PAGES = 19
"""The pages of the bundled catalog's 182 movies, ten a page."""


def _truncate_to_half(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def _digest(*paths: Path) -> list[str]:
    """What each file holds, as a digest; a missing file holds nothing."""
    return [
        hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "" for path in paths
    ]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server that has stored accounts and collections, then was killed: its database
    file holds the bundled catalog, and its -wal file the writes since its last start."""
    server = ServerProcess(tmp_path / "server")
    server.start()
    server.restart()  # the first start's catalog is now in the file itself, not its -wal
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        for _ in range(3):
            auth = register_user(client)
            body = {"title": "Seen", "description": "", "movies": []}
            assert client.post("/collections/", json=body, headers=auth).status_code == 201
    server.signal(signal.SIGKILL)
    server.wait()
    yield server
    server.stop()  # if the test started it again


def test_a_damaged_file_stops_the_start_with_one_line_naming_it(served: ServerProcess) -> None:
    """A database file truncated to half, its -wal file present: the command exits with code
    2 and one line naming the file and what to do."""
    database = served.data_dir / "moviecore.sqlite3"
    wal = served.data_dir / "moviecore.sqlite3-wal"
    assert wal.exists()
    _truncate_to_half(database)
    done = subprocess.run(
        [*moviecore_command(), "serve"],
        env={**os.environ, "DATA_DIR": str(served.data_dir), "PORT": str(free_port())},
        cwd=served.data_dir,
        capture_output=True,
        text=True,
        timeout=START_SECONDS,
    )
    lines = done.stderr.splitlines()
    assert (
        done.returncode,
        len(lines),
        lines[0].partition(" (")[0],
        lines[0].rpartition("): ")[2],
    ) == (
        2,
        1,
        f"moviecore: DATA_DIR: the SQLite database {database} is damaged",
        "restore it from a backup, or move it away with its -wal and -shm files"
        " to start with an empty database",
    )


def test_damage_found_while_serving_fails_health_refuses_writes_and_is_logged_once(
    served: ServerProcess,
) -> None:
    """The file truncated to half under a running service: once reads meet the damage,
    both health checks answer 503 naming the database, a registration answers 503
    problem details and changes neither file, and the damage is logged at error once."""
    database = served.data_dir / "moviecore.sqlite3"
    wal = served.data_dir / "moviecore.sqlite3-wal"
    served.start()
    with httpx.Client(base_url=served.base_url, timeout=10) as client:
        auth = register_user(client)
        _truncate_to_half(database)
        for _ in range(2):  # the catalog's later pages were in the half cut off
            pages = [
                client.get(f"/movies/?page={n}", headers=auth) for n in range(1, CATALOG_PAGES + 1)
            ]
        before = _digest(database, wal)
        registered = client.post(
            "/register/", json={"username": "latecomer", "password": "a long password"}
        )
        checks = [client.get(path) for path in ("/health/", "/health/ready/")]
        after = _digest(database, wal)
    logged = [line for line in served.log().splitlines() if DAMAGED_LINE in line]
    assert (
        max(page.status_code for page in pages),
        (registered.status_code, registered.headers["content-type"], registered.json()["detail"]),
        [(check.status_code, check.json()["status"], check.json()["database"]) for check in checks],
        after,
        [("[error" in line, str(database) in line) for line in logged],
    ) == (
        503,
        (
            503,
            "application/problem+json",
            "the database is damaged; nothing is written to it until it is restored",
        ),
        [(503, "failing", "failing")] * 2,
        before,
        [(True, True)],
    )
