"""PostgreSQL stopped and started again under a running service, and what /health/ then shows.

The server runs on a PostgreSQL cluster and a Redis of the test's own, stopped and
started by the test; the shared services are never touched.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fixtures.dependencies import PostgresCluster, RedisServer
from fixtures.health import health_report
from fixtures.server import ServerProcess, distributed_environment, problem_of, run_server

PROBLEM_JSON = "application/problem+json"
WORKERS = 2
DATABASE_PASSWORD = "never-shown-database-password"
UNAVAILABLE = (
    503,
    PROBLEM_JSON,
    "1",
    {
        "type": "urn:moviecore:problem:unavailable",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "the database cannot be reached",
    },
)
HEALTHY = (200, health_report("ok", database="ok", counter="ok", catalog="ok"))


@pytest.fixture
def environment(
    dedicated_postgres: PostgresCluster, dedicated_redis: RedisServer
) -> dict[str, str]:
    """Settings of a two-worker server on the dedicated PostgreSQL and Redis, with passwords."""
    database_url = dedicated_postgres.create_database(password=DATABASE_PASSWORD)
    settings = distributed_environment(database_url, redis_prefix="moviecore:", workers=WORKERS)
    return {**settings, "REDIS_URL": dedicated_redis.url}


@pytest.fixture
def service(tmp_path: Path, environment: dict[str, str]) -> Iterator[ServerProcess]:
    """A server of this test's own on the dedicated PostgreSQL and Redis, every worker up."""
    yield from run_server(tmp_path / "server", environment)


def _health(http: httpx.Client) -> tuple[int, object]:
    response = http.get("/health/")
    return response.status_code, response.json()


def test_requests_during_a_database_outage_get_503_and_service_resumes_alone(
    service: ServerProcess, dedicated_postgres: PostgresCluster
) -> None:
    """While PostgreSQL is down every request that needs it is a 503 problem, then all works."""
    credentials = {"username": f"user_{uuid.uuid4().hex[:12]}", "password": "a long password"}
    with httpx.Client(base_url=service.base_url, timeout=30) as http:
        token = http.post("/register/", json=credentials).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        kept = http.post("/collections/", headers=auth, json={"title": "Kept"}).json()
        dedicated_postgres.stop()
        during = [
            http.post("/register/", json={**credentials, "username": "someone_new"}),
            http.post("/login/", json=credentials),
            http.get("/collections/", headers=auth),
            http.post("/collections/", headers=auth, json={"title": "Lost"}),
            http.get(f"/collections/{kept['collection_uuid']}/", headers=auth),
            http.get("/movies/", headers=auth),
        ]
        dedicated_postgres.start()
        after = [
            http.post("/login/", json=credentials).status_code,
            http.post("/collections/", headers=auth, json={"title": "After"}).status_code,
        ]
        titles = [
            c["title"]
            for c in http.get("/collections/", headers=auth).json()["data"]["collections"]
        ]
    assert ([problem_of(response) for response in during], after, titles) == (
        [UNAVAILABLE] * len(during),
        [200, 201],
        ["After", "Kept"],
    )


def test_health_names_each_failing_dependency_and_never_its_secrets(
    service: ServerProcess,
    environment: dict[str, str],
    dedicated_postgres: PostgresCluster,
    dedicated_redis: RedisServer,
) -> None:
    """Health is 503 only while the database is down, names what fails, and shows no secret."""
    with httpx.Client(base_url=service.base_url, timeout=30) as http:
        states = [_health(http)]
        dedicated_redis.stop()
        states.append(_health(http))
        dedicated_postgres.stop()
        states.append(_health(http))
        dedicated_redis.start()
        states.append(_health(http))
        dedicated_postgres.start()
        states.append(_health(http))
    secrets = [
        environment["DATABASE_URL"],
        environment["REDIS_URL"],
        environment["JWT_SECRET"],
        DATABASE_PASSWORD,
        dedicated_redis.password,
    ]
    shown = [secret for secret in secrets if secret in repr(states) or secret in service.log()]
    assert (states, shown) == (
        [
            HEALTHY,
            (200, health_report("degraded", database="ok", counter="failing", catalog="ok")),
            (
                503,
                health_report("failing", database="failing", counter="failing", catalog="failing"),
            ),
            (503, health_report("failing", database="failing", counter="ok", catalog="failing")),
            HEALTHY,
        ],
        [],
    )
