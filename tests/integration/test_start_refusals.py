"""At start, a server that refuses the credentials or the certificate stops the service,
and so does a database schema newer than the build runs with.

``moviecore serve`` then exits with code 2 and one line naming the setting, its
password nowhere, or the version the schema needs; a server that is only
unreachable lets the service start, degraded. TLS to both PostgreSQL (through
PgBouncer) and Redis is verified.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import httpx
import pytest

from fixtures.dependencies import RedisServer
from fixtures.health import health_report
from fixtures.migrations import NEWER_VERSION, Database
from fixtures.pooler import PASSWORD, PgBouncer
from fixtures.server import distributed_environment, free_port, moviecore_command, run_server
from fixtures.tls import Certificate, refused, verify_full
from moviecore import __version__

START_SECONDS = 60.0
"""Far longer than a refusal takes; a command still running then has started serving."""

Environment = dict[str, str]


def _serve(environment: Environment, folder: Path) -> tuple[int, list[str], str]:
    """The exit code, the lines on stderr, and stdout of ``moviecore serve``."""
    done = subprocess.run(
        [*moviecore_command(), "serve"],
        env={**os.environ, **environment, "PORT": str(free_port())},
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=START_SECONDS,
    )
    return done.returncode, done.stderr.splitlines(), done.stdout


def _named(lines: list[str]) -> list[str]:
    """Each line up to the driver's own words, which follow the fault's name."""
    return [line.partition("): ")[0] + ")" for line in lines]


@pytest.mark.parametrize(
    ("setting", "refusal", "expected"),
    [
        (
            "DATABASE_URL",
            "password",
            "the database refused the credentials (authentication refused)",
        ),
        (
            "DATABASE_URL",
            "certificate",
            "the database did not present a certificate that could be verified"
            " (certificate not verified)",
        ),
        ("REDIS_URL", "password", "Redis refused the credentials (authentication refused)"),
        (
            "REDIS_URL",
            "certificate",
            "Redis did not present a certificate that could be verified (certificate not verified)",
        ),
    ],
)
def test_refused_credentials_or_certificate_stop_the_start_naming_the_setting(
    tmp_path: Path,
    pgbouncer: PgBouncer,
    postgres_url: str,
    tls_redis: RedisServer,
    certificates: tuple[Certificate, Certificate],
    setting: str,
    refusal: str,
    expected: str,
) -> None:
    """The command exits with code 2 and one line: the setting, then the fault; no password."""
    environment = distributed_environment(pgbouncer.url(postgres_url), "moviecore:")
    environment = {**environment, "REDIS_URL": tls_redis.url}
    environment[setting] = refused(environment[setting], refusal, certificates)
    code, lines, stdout = _serve(environment, tmp_path)
    shown = [secret for secret in (PASSWORD, tls_redis.password) if secret in "".join(lines)]
    assert (code, _named(lines), stdout, shown) == (
        2,
        [f"moviecore: {setting}: {expected}"],
        "",
        [],
    )


def test_verified_tls_to_both_servers_serves(
    tmp_path: Path,
    pgbouncer: PgBouncer,
    postgres_url: str,
    tls_redis: RedisServer,
    certificates: tuple[Certificate, Certificate],
) -> None:
    """With both URLs verifying the servers' certificate, the service starts healthy."""
    database_url = verify_full(pgbouncer.url(postgres_url), certificates[0])
    environment = {
        **distributed_environment(database_url, "moviecore:"),
        "REDIS_URL": tls_redis.url,
    }
    for server in run_server(tmp_path / "server", environment):
        health = httpx.get(f"{server.base_url}/health/", timeout=10).json()
    assert health == health_report("ok", database="ok", counter="ok", catalog="ok")


def test_unreachable_redis_at_start_is_logged_and_the_service_starts_degraded(
    tmp_path: Path, postgres_url: str
) -> None:
    """With nothing at the Redis address the service starts, says why once, and is degraded."""
    environment = distributed_environment(postgres_url, "moviecore:")
    environment["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    for server in run_server(tmp_path / "server", environment):
        health = httpx.get(f"{server.base_url}/health/", timeout=10).json()
        logged = [line for line in server.log().splitlines() if "Redis server" in line]
    assert (health, ["Redis server unreachable:" in line for line in logged]) == (
        health_report("degraded", database="ok", counter="failing", catalog="ok"),
        [True],
    )


def test_a_schema_newer_than_the_build_stops_the_start_with_one_line(
    database: Database, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """On a database a newer build migrated past what this one runs with, ``moviecore serve``
    exits with code 2 and one line: the migration, the version it needs, what to do."""
    newer = database.newer_build(tmp_path_factory.mktemp("newer") / "migrations", "")
    asyncio.run(database.migrate_as(newer, NEWER_VERSION))
    code, lines, stdout = _serve(database.environment, tmp_path_factory.mktemp("cwd"))
    assert (code, lines, stdout) == (
        2,
        [
            f"moviecore: the database schema is newer than this build (moviecore {__version__}):"
            f" migration {newer[-1].name} needs moviecore {NEWER_VERSION} or later;"
            " deploy that version, or restore the database from a backup taken before it"
            " was migrated"
        ],
        "",
    )
