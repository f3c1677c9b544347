"""Sessions and one's own account over HTTP: token pairs, refresh with reuse detection,
signing out, changing the password, deleting the account, the operator's reset."""

from __future__ import annotations

import uuid

import httpx
import pytest

from fixtures.server import problem_body

PROBLEM_JSON = "application/problem+json"
PASSWORD = "a long password"
CHALLENGE = 'Bearer error="invalid_token"'


def _register(http: httpx.Client, name: str | None = None) -> tuple[str, dict[str, object]]:
    """A new user's name and the token body registering it answered."""
    name = name or f"user_{uuid.uuid4().hex[:16]}"
    response = http.post("/register/", json={"username": name, "password": PASSWORD})
    assert response.status_code == httpx.codes.CREATED, response.text
    return name, response.json()


def _login(http: httpx.Client, name: str, password: str = PASSWORD) -> dict[str, object]:
    response = http.post("/login/", json={"username": name, "password": password})
    assert response.status_code == httpx.codes.OK, response.text
    return dict(response.json())


def _bearer(tokens: dict[str, object]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def _refused(response: httpx.Response) -> tuple[int, str, str | None, object]:
    """How a 401 reads to a client: status, type, challenge, reason."""
    return (
        response.status_code,
        response.json()["type"],
        response.headers.get("www-authenticate"),
        response.json().get("reason"),
    )


def _revoked(reason: str = "revoked") -> tuple[int, str, str, str]:
    return (401, "urn:moviecore:problem:invalid-token", CHALLENGE, reason)


def _opens(http: httpx.Client, tokens: dict[str, object]) -> int:
    """The status a protected read answers with this access token."""
    return http.get("/collections/", headers=_bearer(tokens)).status_code


def test_register_and_login_answer_a_token_pair(client: httpx.Client) -> None:
    """Both answer an access token, its type and lifetime, and a refresh token."""
    name, registered = _register(client)
    logged_in = _login(client, name)
    assert [
        (sorted(body), body["token_type"], body["expires_in"]) for body in (registered, logged_in)
    ] == [(["access_token", "expires_in", "refresh_token", "token_type"], "Bearer", 900)] * 2


def test_a_refresh_gives_a_new_working_pair(client: httpx.Client) -> None:
    """The refresh token buys a new pair whose access token opens the API."""
    _, first = _register(client)
    response = client.post("/token/refresh/", json={"refresh_token": first["refresh_token"]})
    second = response.json()
    assert (
        response.status_code,
        second["refresh_token"] != first["refresh_token"],
        _opens(client, second),
    ) == (200, True, 200)


def test_a_reused_refresh_token_revokes_its_session(client: httpx.Client) -> None:
    """A refresh token sent again after rotation is refused as reused, and every token of
    that session dies with it; the user's other sessions live on."""
    name, first = _register(client)
    other = _login(client, name)
    second = client.post("/token/refresh/", json={"refresh_token": first["refresh_token"]}).json()
    reused = client.post("/token/refresh/", json={"refresh_token": first["refresh_token"]})
    later = client.post("/token/refresh/", json={"refresh_token": second["refresh_token"]})
    assert (
        _refused(reused),
        _refused(later),
        _refused(client.get("/collections/", headers=_bearer(second))),
        _opens(client, other),
    ) == (_revoked("reused"), _revoked(), _revoked(), 200)


@pytest.mark.parametrize(
    ("body", "reason"),
    [({"refresh_token": "garbage"}, "malformed"), ({"refresh_token": None}, None)],
)
def test_a_bad_refresh_request_is_refused(
    client: httpx.Client, body: dict[str, object], reason: str | None
) -> None:
    """A refresh token that is not one is a 401 saying so; a body without one is a 400."""
    response = client.post("/token/refresh/", json=body)
    expected = (
        _revoked("malformed")
        if reason
        else (400, "urn:moviecore:problem:validation-error", None, None)
    )
    assert _refused(response) == expected


def test_an_access_token_refreshes_nothing(client: httpx.Client) -> None:
    """Sending the access token as a refresh token is refused as malformed."""
    _, tokens = _register(client)
    response = client.post("/token/refresh/", json={"refresh_token": tokens["access_token"]})
    assert _refused(response) == _revoked("malformed")


def test_logout_ends_this_session_and_all_ends_every_one(client: httpx.Client) -> None:
    """Signing out refuses that session's access and refresh tokens, others still open;
    ``?all=true`` ends the others too."""
    name, here = _register(client)
    there, elsewhere = _login(client, name), _login(client, name)
    out = client.post("/logout/", headers=_bearer(here))
    after_one = [_opens(client, tokens) for tokens in (here, there, elsewhere)]
    refresh = client.post("/token/refresh/", json={"refresh_token": here["refresh_token"]})
    out_all = client.post("/logout/?all=true", headers=_bearer(there))
    after_all = [_opens(client, tokens) for tokens in (here, there, elsewhere)]
    assert (out.status_code, after_one, _refused(refresh), out_all.status_code, after_all) == (
        204,
        [401, 200, 200],
        _revoked(),
        204,
        [401, 401, 401],
    )


def test_me_names_the_signed_in_account(client: httpx.Client) -> None:
    """``GET /me/`` answers the account's id, username as registered and creation time."""
    name, tokens = _register(client, f"Ada_{uuid.uuid4().hex[:12]}")
    response = client.get("/me/", headers=_bearer(tokens))
    body = response.json()
    assert (response.status_code, sorted(body), body["username"]) == (
        200,
        ["created_at", "id", "username"],
        name,
    )


def test_a_password_change_ends_every_other_session(client: httpx.Client) -> None:
    """204; the changer's session goes on, the others end; only the new password logs in."""
    name, mine = _register(client)
    other = _login(client, name)
    change = {"current_password": PASSWORD, "new_password": "another long password"}
    response = client.put("/me/password/", headers=_bearer(mine), json=change)
    old = client.post("/login/", json={"username": name, "password": PASSWORD})
    assert (
        response.status_code,
        _opens(client, mine),
        _refused(client.get("/collections/", headers=_bearer(other))),
        old.status_code,
        _opens(client, _login(client, name, "another long password")),
    ) == (204, 200, _revoked(), 401, 200)


@pytest.mark.parametrize(
    ("change", "status", "kind"),
    [
        (
            {"current_password": "not my password", "new_password": "a new password"},
            403,
            "wrong-password",
        ),
        ({"current_password": PASSWORD, "new_password": "short"}, 400, "validation-error"),
        ({"current_password": PASSWORD}, 400, "validation-error"),
    ],
)
def test_a_refused_password_change_changes_nothing(
    client: httpx.Client, change: dict[str, str], status: int, kind: str
) -> None:
    """A wrong current password (403), a new one breaking the limits or missing (400) change
    nothing: every session goes on, the password still logs in."""
    name, mine = _register(client)
    other = _login(client, name)
    response = client.put("/me/password/", headers=_bearer(mine), json=change)
    assert (
        response.status_code,
        response.json()["type"],
        _opens(client, other),
        _opens(client, _login(client, name)),
    ) == (status, f"urn:moviecore:problem:{kind}", 200, 200)


def _collect(http: httpx.Client, tokens: dict[str, object], genres: str) -> None:
    movie = {"uuid": str(uuid.uuid4()), "title": "Heat", "genres": genres}
    response = http.post(
        "/collections/", headers=_bearer(tokens), json={"title": "Mine", "movies": [movie]}
    )
    assert response.status_code == httpx.codes.CREATED, response.text


def test_a_deleted_account_is_erased_and_its_name_free(client: httpx.Client) -> None:
    """204; its tokens are refused, its name registers anew with no collections, and another
    user's collections and favourite genres are as they were."""
    name, doomed = _register(client)
    _, bystander = _register(client)
    _collect(client, doomed, "Crime")
    _collect(client, bystander, "Crime, Drama")
    before = client.get("/collections/", headers=_bearer(bystander)).json()
    response = client.request(
        "DELETE", "/me/", headers=_bearer(doomed), json={"password": PASSWORD}
    )
    _, reborn = _register(client, name.upper())
    fresh = client.get("/collections/", headers=_bearer(reborn)).json()
    assert (
        response.status_code,
        _refused(client.get("/me/", headers=_bearer(doomed))),
        (fresh["data"]["count"], fresh["data"]["favourite_genres"]),
        client.get("/collections/", headers=_bearer(bystander)).json(),
    ) == (204, _revoked(), (0, ""), before)


def test_deleting_needs_the_password(client: httpx.Client) -> None:
    """A wrong password is a 403 and the account stays whole."""
    _, tokens = _register(client)
    _collect(client, tokens, "Drama")
    response = client.request(
        "DELETE", "/me/", headers=_bearer(tokens), json={"password": "wrong password"}
    )
    assert (
        response.status_code,
        problem_body(response)["type"],  # type: ignore[index]
        client.get("/collections/", headers=_bearer(tokens)).json()["data"]["count"],
    ) == (403, "urn:moviecore:problem:wrong-password", 1)


def test_a_plain_users_reset_is_forbidden_and_the_count_stays_open(client: httpx.Client) -> None:
    """A user who is not an operator gets a 403 problem from the reset, and may still read
    the count."""
    _, tokens = _register(client)
    reset = client.post("/request-count/reset/", headers=_bearer(tokens))
    read = client.get("/request-count/", headers=_bearer(tokens))
    assert (
        reset.status_code,
        reset.headers["content-type"],
        reset.json()["type"],
        read.status_code,
    ) == (
        403,
        PROBLEM_JSON,
        "urn:moviecore:problem:not-allowed",
        200,
    )
