"""Redis stopped while requests flow: the API keeps answering and no request count is lost.

The server runs on the embedded SQLite storage with its request counter and login
throttle in a Redis of the test's own, which the test stops and starts again.
"""

from __future__ import annotations

import httpx

from fixtures.dependencies import RedisServer
from fixtures.health import health_report
from fixtures.server import ServerProcess, operator_auth, problem_of

PROBLEM_JSON = "application/problem+json"


def _count(http: httpx.Client, auth: dict[str, str]) -> int:
    response = http.get("/request-count/", headers=auth)
    assert response.status_code == 200, response.text
    return int(response.json()["requests"])


def test_requests_counted_while_redis_is_down_reach_it_when_it_is_back(
    server_on_redis: ServerProcess, dedicated_redis: RedisServer
) -> None:
    """While Redis is down collections still work, counts wait in memory, and none is lost."""
    with httpx.Client(base_url=server_on_redis.base_url, timeout=10) as http:
        auth = operator_auth(http)
        http.post("/request-count/reset/", headers=auth)
        created = http.post("/collections/", headers=auth, json={"title": "Before"})
        dedicated_redis.stop()
        # The health check tries Redis: from then on the worker knows it is out of reach.
        health_while_down = http.get("/health/")
        listed = http.get("/collections/", headers=auth)
        added = http.post("/collections/", headers=auth, json={"title": "During"})
        count_while_down = http.get("/request-count/", headers=auth)
        login_while_down = http.post("/login/", json={"username": "x", "password": "password1"})
        dedicated_redis.start()
        count_when_back = _count(http, auth)
        health_when_back = http.get("/health/")
    unavailable = {
        "type": "urn:moviecore:problem:unavailable",
        "title": "Service Unavailable",
        "status": 503,
    }
    assert (
        (created.status_code, listed.status_code, added.status_code),
        problem_of(count_while_down),
        problem_of(login_while_down),
        (health_while_down.status_code, health_while_down.json()),
        count_when_back,
        (health_when_back.status_code, health_when_back.json()),
    ) == (
        (201, 200, 201),
        (
            503,
            PROBLEM_JSON,
            "1",
            {**unavailable, "detail": "cannot update the request count: Redis cannot be reached"},
        ),
        (
            503,
            PROBLEM_JSON,
            "1",
            {**unavailable, "detail": "cannot count login attempts: Redis cannot be reached"},
        ),
        (200, health_report("degraded", database="ok", counter="failing", catalog="ok")),
        # after the reset: health, 3 collection requests, the failed read, the login, this read
        7,
        (200, health_report("ok", database="ok", counter="ok", catalog="ok")),
    )
