"""Sessions against real servers: a session ended on one worker is refused by every worker
within a second (two workers on PostgreSQL and Redis), at once on the embedded default;
the operator role granted and taken back with the ``moviecore users`` command."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fixtures.server import (
    SETUPS,
    ServerProcess,
    distributed_environment,
    moviecore_command,
    run_server,
)
from fixtures.services import fresh_redis_prefix, migrated_database

PASSWORD = "a long password"
REVOCATION_SECONDS = 1.0
"""How long the contract gives a revocation to reach every worker and instance."""
CONNECTIONS = 16
"""Fresh connections per check: the supervisor spreads them over both workers."""


@pytest.fixture(scope="module", params=SETUPS)
def setup(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    """A server on each setup, and the settings the ``moviecore`` command needs to reach
    the same storage."""
    data_dir = tmp_path_factory.mktemp(f"{request.param}-revocation")
    if request.param == "embedded":
        settings = {"DATA_DIR": str(data_dir)}
        yield from ((server, settings) for server in run_server(data_dir))
        return
    with migrated_database() as database_url, fresh_redis_prefix() as prefix:
        settings = {**distributed_environment(database_url, prefix), "DATA_DIR": str(data_dir)}
        yield from ((server, settings) for server in run_server(data_dir, settings))


def _statuses(server: ServerProcess, tokens: dict[str, str]) -> list[int]:
    """What a protected read answers on each of CONNECTIONS fresh connections."""
    headers = {"Authorization": f"Bearer {tokens['access_token']}", "Connection": "close"}
    answers = []
    for _ in range(CONNECTIONS):
        with httpx.Client(base_url=server.base_url, timeout=10) as http:
            answers.append(http.get("/collections/", headers=headers).status_code)
    return answers


def _after_the_bound(ended_at: float) -> None:
    """Return once the contract's bound has passed since a session was ended: the checks
    after it must hold however slow the machine, since no worker trusts a session it
    read before the end for that long."""
    time.sleep(max(0.0, ended_at + REVOCATION_SECONDS - time.monotonic()))


def _signed_up(http: httpx.Client) -> tuple[str, dict[str, str]]:
    name = f"user_{uuid.uuid4().hex[:16]}"
    response = http.post("/register/", json={"username": name, "password": PASSWORD})
    assert response.status_code == httpx.codes.CREATED, response.text
    return name, response.json()


def _log_in(http: httpx.Client, name: str, password: str = PASSWORD) -> dict[str, str]:
    response = http.post("/login/", json={"username": name, "password": password})
    assert response.status_code == httpx.codes.OK, response.text
    return dict(response.json())


def test_a_signed_out_session_is_refused_by_every_worker(
    setup: tuple[ServerProcess, dict[str, str]],
) -> None:
    """Every worker trusts the session before; the worker that ends it refuses it at once;
    every worker refuses it a second later, and the user's other session still opens."""
    server, _ = setup
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        name, tokens = _signed_up(http)
        other = _log_in(http, name)
        before = _statuses(server, tokens)
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        out = http.post("/logout/", headers=bearer)
        ended_at = time.monotonic()
        at_once = http.get("/collections/", headers=bearer).status_code
    _after_the_bound(ended_at)
    assert (
        before,
        out.status_code,
        at_once,
        _statuses(server, tokens),
        _statuses(server, other),
    ) == (
        [200] * CONNECTIONS,
        204,
        401,
        [401] * CONNECTIONS,
        [200] * CONNECTIONS,
    )


def test_a_reused_refresh_token_revokes_the_session_on_every_worker(
    setup: tuple[ServerProcess, dict[str, str]],
) -> None:
    """After a refresh token is sent twice, the session's newest access token is refused by
    every worker within a second."""
    server, _ = setup
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        _, first = _signed_up(http)
        second = http.post("/token/refresh/", json={"refresh_token": first["refresh_token"]})
        before = _statuses(server, second.json())
        reused = http.post("/token/refresh/", json={"refresh_token": first["refresh_token"]})
        ended_at = time.monotonic()
    _after_the_bound(ended_at)
    assert (before, reused.json()["reason"], _statuses(server, second.json())) == (
        [200] * CONNECTIONS,
        "reused",
        [401] * CONNECTIONS,
    )


def test_a_password_change_ends_other_sessions_on_every_worker(
    setup: tuple[ServerProcess, dict[str, str]],
) -> None:
    """The other session is refused by every worker within a second; the changer's goes on."""
    server, _ = setup
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        name, mine = _signed_up(http)
        other = _log_in(http, name)
        before = _statuses(server, other)
        change = {"current_password": PASSWORD, "new_password": "another long password"}
        bearer = {"Authorization": f"Bearer {mine['access_token']}"}
        changed = http.put("/me/password/", headers=bearer, json=change)
        ended_at = time.monotonic()
    _after_the_bound(ended_at)
    assert (before, changed.status_code, _statuses(server, other), _statuses(server, mine)) == (
        [200] * CONNECTIONS,
        204,
        [401] * CONNECTIONS,
        [200] * CONNECTIONS,
    )


def _users_command(settings: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    """``moviecore users ARGUMENTS`` with the server's settings, in its data folder."""
    return subprocess.run(
        [*moviecore_command(), "users", *arguments],
        env={**os.environ, **settings},
        cwd=Path(settings["DATA_DIR"]),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_operators_are_granted_and_revoked_with_the_command(
    setup: tuple[ServerProcess, dict[str, str]],
) -> None:
    """A plain user's reset is a 403 problem; granted the role by the command (the name in
    any case), the same token resets; revoked, it is refused again. An unknown name is
    an error naming it."""
    server, settings = setup
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        name, tokens = _signed_up(http)
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        plain = http.post("/request-count/reset/", headers=bearer)
        granted = _users_command(settings, "grant-operator", name.upper())
        as_operator = http.post("/request-count/reset/", headers=bearer)
        revoked = _users_command(settings, "revoke-operator", name)
        again = http.post("/request-count/reset/", headers=bearer)
    unknown = _users_command(settings, "grant-operator", "nobody-has-this-name")
    assert (
        (plain.status_code, plain.json()["type"]),
        (granted.returncode, granted.stdout),
        as_operator.status_code,
        (revoked.returncode, revoked.stdout),
        again.status_code,
        (unknown.returncode, unknown.stderr),
    ) == (
        (403, "urn:moviecore:problem:not-allowed"),
        (0, f"moviecore: {name} is now an operator\n"),
        200,
        (0, f"moviecore: {name} is no longer an operator\n"),
        403,
        (1, "moviecore: no account is named 'nobody-has-this-name'\n"),
    )
