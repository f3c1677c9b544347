"""The request counter over HTTP: every request counted once, reset, and kept across restarts."""

from __future__ import annotations

import httpx

from fixtures.server import ServerProcess, operator_auth, read_count, register_user


def _count(http: httpx.Client, auth: dict[str, str]) -> int:
    response = http.get("/request-count/", headers=auth)
    assert response.status_code == 200, response.text
    return int(response.json()["requests"])


def test_reset_then_read_answers_one(counted_server: ServerProcess) -> None:
    """An operator's reset does not count itself, and the read after it counts only itself."""
    with httpx.Client(base_url=counted_server.base_url, timeout=10) as http:
        auth = operator_auth(http)
        # every count so far has arrived: the start's health check, the registration, the read
        arrived = read_count(http, auth, 3)
        reset = http.post("/request-count/reset/", headers=auth)
        read = http.get("/request-count", headers=auth)
    assert (arrived, reset.status_code, reset.json(), read.status_code, read.json()) == (
        3,
        200,
        {"message": "Request count reset successfully"},
        200,
        {"requests": 1},
    )


def test_every_answered_request_is_counted(counted_server: ServerProcess) -> None:
    """Successes, 401s, 404s, 405s, 400s and 413s each count once, and the read counts itself."""
    with httpx.Client(base_url=counted_server.base_url, timeout=10) as http:
        auth = operator_auth(http)
        arrived = read_count(http, auth, 3)
        http.post("/request-count/reset/", headers=auth)
        http.get("/health/")
        http.get("/no-such-path/")
        http.get("/movies/")
        http.delete("/login/")
        http.get("/movies/?page=abc", headers=auth)
        http.post("/collections/", headers=auth, content=b"x" * (1024 * 1024 + 1))
        counted = read_count(http, auth, 7)
    assert (arrived, counted) == (3, 7)


def test_count_survives_a_graceful_restart(server: ServerProcess) -> None:
    """Users, collections and the request count are all still there after a restart."""
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        auth = register_user(http)
        created = http.post("/collections/", headers=auth, json={"title": "Kept"})
        uuid_ = created.json()["collection_uuid"]
        before = _count(http, auth)
    server.restart()  # the restart itself makes one counted request, its health check
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        after = _count(http, auth)
        kept = http.get(f"/collections/{uuid_}/", headers=auth).json()["title"]
    assert (after, kept) == (before + 2, "Kept")
