"""Forged tokens and password guessing against a running server: no one is let in, nothing leaks.

This extends test_http_accounts.py, which covers missing, malformed, expired,
foreign-key, unsigned and unknown-user tokens. Every forged token here names a
real user, so the forgery itself is the only reason it can be refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from fixtures.in_process import InProcessService, in_process
from fixtures.server import distributed_environment, problem_body, register_user

PROBLEM_JSON = "application/problem+json"
REFUSED = (401, PROBLEM_JSON, 'Bearer error="invalid_token"', "urn:moviecore:problem:invalid-token")

Forgery = Callable[[str, str, str], str]
"""From the server's secret, a real ``<user id>/<session id>`` and a genuine token: an
Authorization value."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _segment(part: dict[str, object]) -> str:
    return _b64(json.dumps(part, separators=(",", ":")).encode())


def _claims(user: str, **changes: object) -> dict[str, object]:
    """Valid claims of an access token of ``user`` for the next hour, with ``changes``; None
    removes a claim. ``user`` is ``<user id>/<session id>``, as ``_genuine`` gives it."""
    subject, _, session = user.partition("/")
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": subject,
        "sid": session,
        "typ": "access",
        "iat": now,
        "exp": now + 3600,
        **changes,
    }
    return {name: value for name, value in claims.items() if value is not None}


def _signed(
    secret: str,
    header: dict[str, object],
    claims: dict[str, object],
    digest: Callable[[], Any] = hashlib.sha256,
) -> str:
    """A token signed by HMAC with ``secret``, whatever algorithm its header claims."""
    signing_input = f"{_segment(header)}.{_segment(claims)}"
    signature = hmac.new(secret.encode(), signing_input.encode(), digest).digest()
    return f"{signing_input}.{_b64(signature)}"


def _hs256(secret: str, claims: dict[str, object]) -> str:
    return _signed(secret, {"alg": "HS256", "typ": "JWT"}, claims)


def _later(seconds: int) -> int:
    return int(time.time()) + seconds


def _extended(genuine: str) -> str:
    """The genuine token with its expiry pushed a year on and its signature kept."""
    header, payload, signature = genuine.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return f"{header}.{_segment({**claims, 'exp': _later(365 * 86400)})}.{signature}"


FORGERIES: dict[str, Forgery] = {
    "issued-in-the-future": lambda key, user, _: (
        f"Bearer {_hs256(key, _claims(user, iat=_later(3600), exp=_later(7200)))}"
    ),
    "not-valid-before-an-hour": lambda key, user, _: (
        f"Bearer {_hs256(key, _claims(user, nbf=_later(3600)))}"
    ),
    "never-expires": lambda key, user, _: f"Bearer {_hs256(key, _claims(user, exp=None))}",
    "no-issue-time": lambda key, user, _: f"Bearer {_hs256(key, _claims(user, iat=None))}",
    "no-subject": lambda key, user, _: f"Bearer {_hs256(key, _claims(user, sub=None))}",
    "subject-not-a-uuid": lambda key, user, _: f"Bearer {_hs256(key, _claims(user, sub='admin'))}",
    "subject-a-number": lambda key, user, _: f"Bearer {_hs256(key, _claims(user, sub=12345))}",
    "hs512-with-the-right-key": lambda key, user, _: (
        f"Bearer {_signed(key, {'alg': 'HS512', 'typ': 'JWT'}, _claims(user), hashlib.sha512)}"
    ),
    "rs256-header-hmac-signed-with-the-key": lambda key, user, _: (
        f"Bearer {_signed(key, {'alg': 'RS256', 'typ': 'JWT'}, _claims(user))}"
    ),
    "alg-none-for-a-real-user": lambda key, user, _: (
        f"Bearer {_segment({'alg': 'none', 'typ': 'JWT'})}.{_segment(_claims(user))}."
    ),
    "signature-stripped": lambda key, user, genuine: f"Bearer {genuine.rsplit('.', 1)[0]}.",
    "expiry-extended-signature-kept": lambda key, user, genuine: f"Bearer {_extended(genuine)}",
    "no-scheme": lambda key, user, genuine: genuine,
    "two-tokens": lambda key, user, genuine: f"Bearer {genuine} {genuine}",
    "oversized-garbage": lambda key, user, genuine: f"Bearer {'A' * 8000}",
}


def _genuine(http: httpx.Client, service: InProcessService) -> tuple[str, str]:
    """A new user's ``<user id>/<session id>`` and the access token the server gave it."""
    token = register_user(http)["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, service.jwt_secret, algorithms=["HS256"])
    return f"{claims['sub']}/{claims['sid']}", token


def _verdict(response: httpx.Response) -> tuple[int, str, str | None, object]:
    return (
        response.status_code,
        response.headers["content-type"],
        response.headers.get("www-authenticate"),
        response.json()["type"],
    )


@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
def test_forged_token_for_a_real_user_is_401(
    client: httpx.Client, service: InProcessService, forge: Forgery
) -> None:
    """A token naming a real user but forged, altered or out of date is a 401 problem."""
    user, genuine = _genuine(client, service)
    authorization = forge(service.jwt_secret, user, genuine)
    response = client.get("/collections/", headers={"Authorization": authorization})
    assert _verdict(response) == REFUSED


def test_hand_signed_hs256_token_is_accepted(
    client: httpx.Client, service: InProcessService
) -> None:
    """The control case: the forging helper's own valid HS256 token opens the API."""
    user, _ = _genuine(client, service)
    token = _hs256(service.jwt_secret, _claims(user))
    response = client.get("/collections/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def _fail_five_times(http: httpx.Client, username: str) -> None:
    for _ in range(5):
        response = http.post("/login/", json={"username": username, "password": "wrong guess"})
        assert response.status_code == 401, response.text


def _throttled(response: httpx.Response) -> tuple[int, str, object, bool]:
    """The status, type and body of a throttled answer (its seconds blanked), and a sane wait."""
    body = problem_body(response)
    retry_after = int(response.headers["retry-after"])
    return (
        response.status_code,
        response.headers["content-type"],
        {**body, "detail": re.sub(r"\d+", "N", body["detail"])},
        1 <= retry_after <= 60,
    )


THROTTLED = (
    429,
    PROBLEM_JSON,
    {
        "type": "urn:moviecore:problem:too-many-attempts",
        "title": "Too Many Requests",
        "status": 429,
        "detail": "too many attempts, retry after N s",
    },
    True,
)


def test_unknown_and_real_usernames_are_throttled_alike(client: httpx.Client) -> None:
    """Guessing at a username nobody has is throttled exactly like guessing at a real one."""
    real = f"user_{uuid.uuid4().hex[:12]}"
    client.post("/register/", json={"username": real, "password": "a long password"})
    unknown = f"user_{uuid.uuid4().hex[:12]}"
    _fail_five_times(client, real)
    _fail_five_times(client, unknown)
    answers = [
        client.post("/login/", json={"username": name, "password": "a long password"})
        for name in (real, unknown)
    ]
    assert [_throttled(answer) for answer in answers] == [THROTTLED, THROTTLED]


@pytest.fixture
def two_instances(
    tmp_path: Path, migrated_postgres_url: str, redis_prefix: str
) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """Clients of two separate instances of the service on one PostgreSQL database and one
    Redis prefix."""
    environment = distributed_environment(migrated_postgres_url, redis_prefix, workers=1)
    with (
        in_process(tmp_path / "first", environment) as first,
        in_process(tmp_path / "second", environment) as second,
    ):
        yield first.client, second.client


def test_failures_on_one_instance_throttle_the_other(
    two_instances: tuple[httpx.Client, httpx.Client],
) -> None:
    """Five wrong passwords on one instance make the right one a 429 on another instance."""
    first, second = two_instances
    credentials = {"username": f"user_{uuid.uuid4().hex[:12]}", "password": "a long password"}
    first.post("/register/", json=credentials)
    _fail_five_times(first, credentials["username"])
    response = second.post("/login/", json=credentials)
    assert _throttled(response) == THROTTLED
