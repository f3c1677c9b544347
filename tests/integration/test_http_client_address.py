"""Who the client is, behind a trusted proxy or not: what the login throttle counts, the
links' scheme, and what the access line shows, through a real server process.

The server trusts 127.0.0.2 as its proxy; a client connecting from 127.0.0.3 is
any other peer, whose forwarded headers must be ignored.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from fixtures.server import SETUPS, ServerProcess, run_setup

PROXY, STRANGER = "127.0.0.2", "127.0.0.3"
PASSWORD = "a long password"


@pytest.fixture(scope="module", params=SETUPS)
def proxied(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """A server behind the proxy at 127.0.0.2, logging a JSON access line per request: on
    the embedded default (its own throttle), and on PostgreSQL and Redis with two workers
    (the throttle in Redis)."""
    environment = {"TRUSTED_PROXIES": PROXY, "ACCESS_LOG": "true", "LOG_FORMAT": "json"}
    data_dir = tmp_path_factory.mktemp(f"proxied-{request.param}")
    yield from run_setup(request.param, data_dir, environment=environment)


@contextmanager
def _from(server: ServerProcess, peer: str) -> Iterator[httpx.Client]:
    transport = httpx.HTTPTransport(local_address=peer)
    with httpx.Client(base_url=server.base_url, timeout=10, transport=transport) as http:
        yield http


def _login(http: httpx.Client, username: str, password: str, forwarded: str) -> httpx.Response:
    """A login through a proxy that forwarded it for ``forwarded``."""
    body = {"username": username, "password": password}
    return http.post("/login/", json=body, headers={"X-Forwarded-For": forwarded})


def _access_lines(server: ServerProcess, answers: list[httpx.Response]) -> list[dict[str, str]]:
    """The access line of each answer, in the same order, once the server has written them."""
    ids = [answer.headers["x-request-id"] for answer in answers]
    server.wait_for_log(f'"request_id":"{ids[-1]}"')
    lines = [json.loads(line) for line in server.log().splitlines()]
    by_id = {line["request_id"]: line for line in lines if line.get("event") == "request"}
    return [by_id[request_id] for request_id in ids]


def test_a_guesser_behind_the_proxy_locks_out_no_one_else(proxied: ServerProcess) -> None:
    """Five wrong passwords for alice from 203.0.113.66, forwarded by the proxy (the guesser
    naming alice's own address first, as anyone may), lock out 203.0.113.66 only: alice
    logs in through the proxy from her address, and a peer that is no proxy gets nothing
    from naming the guesser's. The access lines name the same clients."""
    alice = f"alice_{uuid.uuid4().hex[:12]}"
    with _from(proxied, PROXY) as proxy, _from(proxied, STRANGER) as stranger:
        proxy.post("/register/", json={"username": alice, "password": PASSWORD})
        spoofing = "198.51.100.7, 203.0.113.66"  # the proxy appended the guesser's address
        answers = [_login(proxy, alice, "wrong guess", spoofing) for _ in range(5)]
        answers.append(_login(proxy, alice, PASSWORD, spoofing))
        answers.append(_login(proxy, alice, PASSWORD, "198.51.100.7"))
        answers.append(_login(stranger, alice, PASSWORD, "203.0.113.66"))
    retry_after = int(answers[5].headers["retry-after"])
    assert (
        [answer.status_code for answer in answers],
        1 <= retry_after <= 60,
        [line["client"] for line in _access_lines(proxied, answers)],
    ) == (
        [401] * 5 + [429, 200, 200],
        True,
        ["203.0.113.66"] * 6 + ["198.51.100.7", STRANGER],
    )


def test_one_address_spraying_usernames_is_slowed(proxied: ServerProcess) -> None:
    """Twenty failed logins on twenty usernames from one forwarded address go through,
    the 21st waits; the same username from another forwarded address does not."""
    names = [f"spray_{uuid.uuid4().hex[:12]}" for _ in range(21)]
    with _from(proxied, PROXY) as proxy:
        sprayed = [_login(proxy, name, PASSWORD, "203.0.113.99").status_code for name in names]
        elsewhere = _login(proxy, names[-1], PASSWORD, "192.0.2.44").status_code
    assert (sprayed, elsewhere) == ([401] * 20 + [429], 401)


def test_links_take_the_scheme_only_a_trusted_proxy_forwards(proxied: ServerProcess) -> None:
    """A registration through the proxy with ``X-Forwarded-Proto: https`` gets an https
    Location; the same header from another peer is ignored."""
    headers = {"X-Forwarded-Proto": "https"}
    locations = []
    for peer in (PROXY, STRANGER):
        with _from(proxied, peer) as http:
            body = {"username": f"linked_{uuid.uuid4().hex[:12]}", "password": PASSWORD}
            locations.append(
                http.post("/register/", json=body, headers=headers).headers["location"]
            )
    address = proxied.base_url.removeprefix("http://")
    assert locations == [f"https://{address}/collections/", f"http://{address}/collections/"]


def test_the_access_line_shows_query_and_user_agent_bounded_and_escaped(
    proxied: ServerProcess,
) -> None:
    """The access line carries the client, the query string and the user agent; a tab, a
    backslash and bytes that are not UTF-8 are escaped, and a long query is cut."""
    agent = b"probe/1.0\t(\\) caf\xc3\xa9 \xff"
    with _from(proxied, STRANGER) as http:
        answers = [
            http.get("/health/live/", params={"q": "x" * 600}),
            http.get("/health/live/?a=1&b=%0A", headers={"User-Agent": agent}),
        ]
    lines = _access_lines(proxied, answers)
    assert [(line["client"], line["query"], line["user_agent"]) for line in lines] == [
        (STRANGER, "q=" + "x" * 510 + "...", f"python-httpx/{httpx.__version__}"),
        (STRANGER, "a=1&b=%0A", "probe/1.0\\x09(\\x5c) caf\u00e9 \\xff"),
    ]
