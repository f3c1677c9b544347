"""The smoke run of each setup: HTTP tests again, over sockets, against a real server.

Most HTTP tests run in this process, through the ASGI app (fixtures.in_process).
The ones collected here also run against one real ``moviecore serve`` per setup,
two worker processes on PostgreSQL and Redis: a user's journey through the API (its
sessions and movie-level edits too), what the workers must agree on (throttled
logins, updates at the same moment, a session ended), what the server's own layer
answers (an oversized body, a bad Host), and the server's log.
This module's ``client``, ``base_url`` and ``service`` are the real server's.
"""

from __future__ import annotations

import uuid

import httpx
import jwt
import pytest

from fixtures.server import ServerProcess

# Collected here as well as in their own modules, with the fixtures below.
from integration.test_auth_attacks import test_hand_signed_hs256_token_is_accepted  # noqa: F401
from integration.test_http_accounts import (  # noqa: F401
    test_login_answers_200_with_a_working_token,
    test_simultaneous_wrong_passwords_get_five_tries_in_all,
)
from integration.test_http_collections import (  # noqa: F401
    test_body_over_one_mebibyte_is_413,
    test_list_pages_hold_ten_and_past_the_end_is_404,
    test_put_changes_given_fields_and_replaces_movies,
)
from integration.test_http_movie_edits import (  # noqa: F401
    test_add_move_and_remove_one_movie_at_a_time,
)
from integration.test_http_movies import test_middle_page_links_both_ways  # noqa: F401
from integration.test_http_service import (  # noqa: F401
    test_health_reports_every_dependency_ok,
    test_malformed_host_header_is_a_problem_naming_host,
)
from integration.test_http_sessions import (  # noqa: F401
    test_a_password_change_ends_every_other_session,
    test_a_refresh_gives_a_new_working_pair,
)
from integration.test_http_versions import test_simultaneous_partial_updates_both_stick  # noqa: F401


@pytest.fixture
def client(server_client: httpx.Client) -> httpx.Client:
    """A client of the real server of each setup."""
    return server_client


@pytest.fixture
def base_url(shared_server: ServerProcess) -> str:
    """The real server's base URL, e.g. ``http://127.0.0.1:41234``."""
    return shared_server.base_url


@pytest.fixture
def service(shared_server: ServerProcess) -> ServerProcess:
    """The real server, in place of the service in this process (its ``jwt_secret``)."""
    return shared_server


def test_the_log_never_shows_passwords_or_tokens(
    client: httpx.Client, shared_server: ServerProcess
) -> None:
    """After logins, failed logins and forged tokens, the server's log holds none of them."""
    password, wrong, other = (f"pw-{uuid.uuid4().hex}" for _ in range(3))
    username = f"user_{uuid.uuid4().hex[:12]}"
    token = client.post("/register/", json={"username": username, "password": password}).json()[
        "access_token"
    ]
    client.post("/login/", json={"username": username, "password": password})
    client.post("/login/", json={"username": username, "password": wrong})
    client.post("/login/", json={"username": f"x{username}", "password": other})
    forged = jwt.encode({"sub": str(uuid.uuid4())}, "k" * 64, algorithm="HS256")
    for sent in (token, forged, f"{token}.garbage"):
        client.get("/collections/", headers={"Authorization": f"Bearer {sent}"})
    log = shared_server.log()
    assert [secret for secret in (password, wrong, other, token, forged) if secret in log] == []
