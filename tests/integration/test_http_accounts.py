"""Registering, logging in and bearer tokens, against a real server process."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from functools import partial

import httpx
import jwt
import pytest

from fixtures.in_process import InProcessService
from fixtures.server import at_once, problem_body, register_user

PROBLEM_JSON = "application/problem+json"


def _name() -> str:
    return f"user_{uuid.uuid4().hex[:16]}"


def _problem(response: httpx.Response) -> tuple[int, str, dict[str, object]]:
    return response.status_code, response.headers["content-type"], problem_body(response)


@pytest.mark.parametrize("path", ["/register/", "/register"])
def test_register_answers_201_with_a_working_token(client: httpx.Client, path: str) -> None:
    """A new account gets a token that opens the protected endpoints, with or without the slash."""
    response = client.post(path, json={"username": _name(), "password": "password1"})
    token = response.json()["access_token"]
    listed = client.get("/collections/", headers={"Authorization": f"Bearer {token}"})
    assert (response.status_code, listed.status_code) == (201, 200)


def test_register_taken_username_case_insensitively_is_409(client: httpx.Client) -> None:
    """A username differing only in case from an existing one is refused as a conflict."""
    name = _name()
    client.post("/register/", json={"username": name, "password": "password1"})
    response = client.post("/register/", json={"username": name.upper(), "password": "password2"})
    status, content_type, body = _problem(response)
    assert (status, content_type, body["type"], body["title"], body["status"]) == (
        409,
        PROBLEM_JSON,
        "urn:moviecore:problem:username-taken",
        "Conflict",
        409,
    )


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"username": "bad name!", "password": "x" * 73},
            [
                {"field": "username", "message": "may hold only letters, digits and @.+-_"},
                {"field": "password", "message": "must be 8 to 72 bytes in UTF-8"},
            ],
        ),
        (
            {"username": "", "password": "short"},
            [
                {"field": "username", "message": "must be 1 to 150 characters long"},
                {"field": "password", "message": "must be 8 to 72 bytes in UTF-8"},
            ],
        ),
        ({"password": "password1"}, [{"field": "username", "message": "is required"}]),
        (
            {"username": "ada", "password": "password1", "email": "a@b.c"},
            [{"field": "email", "message": "is not a field of this body; check its spelling"}],
        ),
        (
            {"username": 7, "password": "password1"},
            [{"field": "username", "message": "must be a string"}],
        ),
    ],
)
def test_register_bad_credentials_are_400_naming_fields(
    client: httpx.Client, body: dict[str, object], errors: list[dict[str, str]]
) -> None:
    """Broken usernames and passwords (72 bytes at most, never truncated) are named one by one."""
    response = client.post("/register/", json=body)
    detail = "; ".join(f"{error['field']}: {error['message']}" for error in errors)
    assert _problem(response) == (
        400,
        PROBLEM_JSON,
        {
            "type": "urn:moviecore:problem:validation-error",
            "title": "Bad Request",
            "status": 400,
            "detail": detail,
            "errors": errors,
        },
    )


@pytest.mark.parametrize(("before", "after"), [("", "\x00"), ("nul\x00", ""), ("", "x" * 150)])
def test_login_with_a_name_no_account_can_have_is_an_unknown_user(
    client: httpx.Client, before: str, after: str
) -> None:
    """A username that could never be stored (with NUL, past the limit) gets the very 401
    problem an unknown user gets, on every backend."""
    unknown = client.post("/login/", json={"username": _name(), "password": "password1"})
    odd_name = before + _name() + after
    odd = client.post("/login/", json={"username": odd_name, "password": "password1"})
    assert _problem(odd) == _problem(unknown)


def test_simultaneous_wrong_passwords_get_five_tries_in_all(client: httpx.Client) -> None:
    """Twenty wrong passwords for one user sent at once: five are checked (401), the others
    wait (429), however many workers serve them."""
    name = _name()
    client.post("/register/", json={"username": name, "password": "password1"})

    answers = at_once(
        [
            partial(client.post, "/login/", json={"username": name, "password": f"guess {n:04}"})
            for n in range(20)
        ]
    )
    assert sorted(answer.status_code for answer in answers) == [401] * 5 + [429] * 15


@pytest.mark.parametrize("path", ["/login/", "/login"])
def test_login_answers_200_with_a_working_token(client: httpx.Client, path: str) -> None:
    """Logging in with the registered password gives a token that opens protected endpoints."""
    name = _name()
    client.post("/register/", json={"username": name, "password": "password1"})
    response = client.post(path, json={"username": name.upper(), "password": "password1"})
    token = response.json()["access_token"]
    listed = client.get("/collections/", headers={"Authorization": f"Bearer {token}"})
    assert (response.status_code, listed.status_code) == (200, 200)


def test_login_wrong_password_and_unknown_user_look_the_same(client: httpx.Client) -> None:
    """A wrong password and an unknown username get the same 401 problem."""
    name = _name()
    client.post("/register/", json={"username": name, "password": "password1"})
    wrong = client.post("/login/", json={"username": name, "password": "password2"})
    unknown = client.post("/login/", json={"username": _name(), "password": "password1"})
    expected = {
        "type": "urn:moviecore:problem:invalid-credentials",
        "title": "Unauthorized",
        "status": 401,
        "detail": "wrong username or password",
        "reason": "credentials",
    }
    assert (_problem(wrong), _problem(unknown)) == (
        (401, PROBLEM_JSON, expected),
        (401, PROBLEM_JSON, expected),
    )


def test_repeated_failed_logins_are_throttled_with_retry_after(client: httpx.Client) -> None:
    """After five wrong passwords the sixth attempt is 429 with a Retry-After header."""
    name = _name()
    client.post("/register/", json={"username": name, "password": "password1"})
    for _ in range(5):
        client.post("/login/", json={"username": name, "password": "wrong password"})
    response = client.post("/login/", json={"username": name, "password": "password1"})
    retry_after = int(response.headers["retry-after"])
    assert (response.status_code, response.json()["type"], 1 <= retry_after <= 60) == (
        429,
        "urn:moviecore:problem:too-many-attempts",
        True,
    )


def _token(
    service: InProcessService, user: tuple[str, str], *, ttl: timedelta, key: str | None = None
) -> str:
    """An access token of the (user, session) ``user``, signed with the server's secret."""
    now = datetime.now(UTC)
    subject, session = user
    claims = {"sub": subject, "sid": session, "typ": "access", "iat": now, "exp": now + ttl}
    return jwt.encode(claims, key or service.jwt_secret, algorithm="HS256")


def _user_of(headers: dict[str, str], service: InProcessService) -> tuple[str, str]:
    """The user and the session a genuine access token names."""
    token = headers["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, service.jwt_secret, algorithms=["HS256"])
    return str(claims["sub"]), str(claims["sid"])


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        pytest.param(None, "missing", id="missing"),
        pytest.param("Bearer", "missing", id="no-token"),
        pytest.param("Basic dXNlcjpwYXNz", "missing", id="basic"),
        pytest.param("Bearer not.a.jwt", "malformed", id="garbage"),
        pytest.param(
            "Bearer " + jwt.encode({"sub": str(uuid.uuid4())}, None, algorithm="none"),
            "malformed",
            id="alg-none",
        ),
    ],
)
def test_bad_authorization_is_401(
    client: httpx.Client, authorization: str | None, reason: str
) -> None:
    """A missing, malformed or unsigned token gets a 401 problem saying why, and a Bearer
    challenge naming an invalid token."""
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.get("/collections/", headers=headers)
    assert (
        response.status_code,
        response.headers["content-type"],
        response.headers["www-authenticate"],
        response.json()["type"],
        response.json()["reason"],
    ) == (
        401,
        PROBLEM_JSON,
        'Bearer error="invalid_token"',
        "urn:moviecore:problem:invalid-token",
        reason,
    )


def test_expired_token_is_401(client: httpx.Client, service: InProcessService) -> None:
    """A token of a real session, correctly signed but expired an hour ago, is refused as
    expired."""
    user = _user_of(register_user(client), service)
    token = _token(service, user, ttl=-timedelta(hours=1))
    response = client.get("/collections/", headers={"Authorization": f"Bearer {token}"})
    assert (response.status_code, response.json()["reason"]) == (401, "expired")


def test_token_signed_with_another_key_is_401(
    client: httpx.Client, service: InProcessService
) -> None:
    """A token naming a real user but signed with another secret is refused."""
    user = _user_of(register_user(client), service)
    token = _token(service, user, ttl=timedelta(hours=1), key="k" * 64)
    response = client.get("/collections/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_token_of_unknown_session_is_401(client: httpx.Client, service: InProcessService) -> None:
    """A correctly signed token naming no session that was started is refused as revoked."""
    user = (str(uuid.uuid4()), str(uuid.uuid4()))
    token = _token(service, user, ttl=timedelta(hours=1))
    response = client.get("/collections/", headers={"Authorization": f"Bearer {token}"})
    assert (response.status_code, response.json()["reason"]) == (401, "revoked")


def test_token_signed_by_the_server_secret_is_accepted(
    client: httpx.Client, service: InProcessService
) -> None:
    """The control case: a fresh token we sign with the server's secret opens the API."""
    user = _user_of(register_user(client), service)
    token = _token(service, user, ttl=timedelta(hours=1))
    response = client.get("/collections/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
