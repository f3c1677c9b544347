"""Hostile request bodies and query strings, sent to a live server as raw bytes.

Whatever arrives, the answer is a 4xx problem details object, never a 5xx; a
400 about one field names that field; and a refused write leaves the user's
collections exactly as they were.
"""

from __future__ import annotations

import json
import string
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PROBLEM_JSON = "application/problem+json"
MAX_BODY_BYTES = 1024 * 1024
"""The service's default request body limit; a larger body is a 413."""
HOSTILE = settings(
    max_examples=30,
    deadline=None,
    # One user per test on purpose: every example must leave that user's data alone.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FieldPath = tuple[str | int, ...]
Kind = Literal["str", "uuid", "list"]


@dataclass(frozen=True)
class Hostile:
    """A request body and the answer it must get."""

    content: bytes
    content_type: str | None = "application/json"
    field: str | None = None
    """The field a 400 must name; None when any 4xx problem will do."""
    status: int | None = None
    """The status the answer must have; None when any 4xx will do."""

    def labelled(self, content_type: str | None) -> Hostile:
        """The same body sent with another Content-Type: any but JSON's is refused 415,
        unless there is no body to refuse or it is too large to be read at all."""
        if content_type == "application/json" or not self.content or self.status == 413:
            return replace(self, content_type=content_type)
        return replace(self, content_type=content_type, field=None, status=415)


@dataclass(frozen=True)
class Field:
    """A field of a request body, and the strings of the right type the service refuses."""

    path: FieldPath
    kind: Kind
    refused: st.SearchStrategy[str]
    named: bool = True
    """Whether a refused string is a 400 naming the field, or just some 4xx."""


def _name(path: FieldPath) -> str:
    """The contract's spelling of a field path: ``movies[0].uuid``."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)[1:]


# --- hostile pieces of JSON ------------------------------------------------------------------

# Big values are built from small draws, so that hypothesis shows them in a few characters.
# Deeper than the recursion limit of any process the decoder runs in: the test's own
# included, whose limit Hypothesis raises by 2,000 while a test runs.
_DEEP = st.integers(10_000, 10_100)
_MANY = st.integers(10_000, 10_100)


def _nested(depth: int, opening: bytes, inner: bytes, closing: bytes) -> bytes:
    return opening * depth + inner + closing * depth


def _huge_numbers() -> st.SearchStrategy[bytes]:
    """Integers far beyond 64 bits, such as 10**400."""
    return st.builds(
        lambda sign, digits: sign + b"1" + b"0" * digits,
        st.sampled_from([b"", b"-"]),
        st.integers(400, 500),
    )


def _malformed() -> st.SearchStrategy[bytes]:
    """Values that make the whole body unreadable: the 400 names ``body``."""
    return st.one_of(
        st.sampled_from(
            [
                b'"invalid \xff\xfe UTF-8"',
                b'"a raw \x00 NUL"',
                b"1e400",  # beyond any double
                b"-1e400",
                b'"\\ud800"',  # a lone surrogate
                b'"unterminated',
            ]
        ),
        _DEEP.map(lambda depth: _nested(depth, b"[", b"", b"]")),
        _DEEP.map(lambda depth: _nested(depth, b'{"a":', b"1", b"}")),
    )


_CONTENT_TYPES = (
    "application/json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/xml",
    None,
)
_CHARACTERS = st.characters(codec="utf-8", exclude_categories=["Cs"])


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


def _json_values() -> st.SearchStrategy[Any]:
    numbers = st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    scalars = st.none() | st.booleans() | numbers | st.text()
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
        max_leaves=8,
    )


def _not_of_kind(kind: Kind) -> st.SearchStrategy[bytes]:
    """JSON values of another type than ``kind``: the 400 names the field. Not null: a
    field set to null is one left out (test_http_collections)."""
    other = _json_values().filter(
        lambda value: value is not None and not isinstance(value, list if kind == "list" else str)
    )
    if kind == "list":
        return other.map(_json) | _huge_numbers()
    long_list = _MANY.map(lambda size: _json(["x"] * size))
    return other.map(_json) | _huge_numbers() | long_list


def _too_long(limit: int) -> st.SearchStrategy[str]:
    """Strings one to a few thousand characters over ``limit``, well under the body limit."""
    return st.builds(lambda char, extra: char * (limit + extra), _CHARACTERS, st.integers(1, 3000))


def _with_nul() -> st.SearchStrategy[str]:
    return st.text(_CHARACTERS).map(lambda text: f"{text}\x00")


def _enormous() -> st.SearchStrategy[str]:
    """Strings that make the body larger than the service accepts."""
    return st.integers(MAX_BODY_BYTES, MAX_BODY_BYTES + 4096).map(lambda size: "x" * size)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


# --- the bodies each endpoint takes ----------------------------------------------------------

_MOVIE = {
    "uuid": "6f1c1f9e-9b7e-4c59-9a57-000000000001",
    "title": "A film",
    "description": "About it.",
    "genres": "Drama",
}
_BARE_MOVIE = {"uuid": _MOVIE["uuid"], "title": "m"}
"""Small enough that ten thousand of them stay under the body limit."""
_COLLECTION: dict[str, object] = {"title": "Weekend", "description": "Films", "movies": [_MOVIE]}
_MOVIE_FIELDS = (
    Field(("movies", 0, "title"), "str", st.just("") | _too_long(500) | _with_nul()),
    Field(("movies", 0, "description"), "str", _too_long(10_000) | _with_nul()),
    Field(("movies", 0, "genres"), "str", _too_long(500) | _with_nul()),
    Field(("movies", 0, "uuid"), "uuid", st.text(max_size=40).filter(lambda s: not _is_uuid(s))),
)
COLLECTION_FIELDS = (
    Field(("title",), "str", st.just("") | _too_long(200) | _with_nul()),
    Field(("description",), "str", _too_long(2000) | _with_nul()),
    Field(("movies",), "list", st.nothing()),  # no string is a list
    *_MOVIE_FIELDS,
)
_ANY_TEXT = st.text(_CHARACTERS, max_size=200) | _too_long(72)
REGISTER_FIELDS = (
    Field(("username",), "str", st.just("") | _too_long(150) | _with_nul() | st.just("a b")),
    Field(("password",), "str", st.text(string.printable, max_size=7) | _too_long(72)),
)
LOGIN_FIELDS = (
    # Logging in as nobody is refused whatever the strings: 400, 401 or 429 will do.
    Field(("username",), "str", _ANY_TEXT, named=False),
    Field(("password",), "str", _ANY_TEXT, named=False),
)


def _placed(body: object, path: FieldPath, fragment: bytes) -> bytes:
    """``body`` as JSON with the raw ``fragment`` as the value at ``path``."""
    marker = f"\ue000{uuid.uuid4()}\ue000"

    def put(node: Any, rest: FieldPath) -> Any:
        if not rest:
            return marker
        copy: Any = list(node) if isinstance(node, list) else dict(node)
        copy[rest[0]] = put(node[rest[0]], rest[1:])
        return copy

    return _json(put(body, path)).replace(_json(marker), fragment)


def _field_hostiles(body: Mapping[str, object], field: Field) -> st.SearchStrategy[Hostile]:
    name = _name(field.path)

    def at(fragment: bytes) -> bytes:
        return _placed(body, field.path, fragment)

    refused_status = 400 if field.named else None
    strategies = [
        _not_of_kind(field.kind).map(lambda raw: Hostile(at(raw), field=name, status=400)),
        _malformed().map(lambda raw: Hostile(at(raw), field="body", status=400)),
        field.refused.map(
            lambda text: Hostile(
                at(_json(text)), field=name if field.named else None, status=refused_status
            )
        ),
    ]
    if field.kind == "str":
        strategies.append(_enormous().map(lambda text: Hostile(at(_json(text)), status=413)))
    if field.kind == "list":
        # Ten thousand of something: not movies at all, or too many movies.
        strategies.append(
            _MANY.map(lambda size: Hostile(at(_json([1] * size)), field=f"{name}[0]", status=400))
        )
        strategies.append(
            _MANY.map(lambda size: Hostile(at(_json([_BARE_MOVIE] * size)), field=name, status=400))
        )
    return st.one_of(strategies)


def _is_json_object(content: bytes) -> bool:
    try:
        return isinstance(json.loads(content), dict)
    except (ValueError, RecursionError):  # unreadable, or too deep to read: no object
        return False


def _whole_body_hostiles() -> st.SearchStrategy[Hostile]:
    """Bodies that are no JSON object at all: the 400 names ``body``."""
    raw = st.one_of(
        st.sampled_from([b"", b"  ", b"null"]),
        _malformed(),
        st.binary(max_size=64),
        _json_values().map(_json),
        st.just(b"title=t&username=u"),
        st.just(b'--x\r\nContent-Disposition: form-data; name="title"\r\n\r\nt\r\n--x--\r\n'),
        st.just(b"<collection><title>t</title></collection>"),
    )
    bodies = raw.filter(lambda content: not _is_json_object(content))
    return bodies.map(lambda content: Hostile(content, field="body", status=400))


def hostile_bodies(
    body: Mapping[str, object], fields: tuple[Field, ...]
) -> st.SearchStrategy[Hostile]:
    """Hostile variants of a valid ``body``, each with the answer it must get."""
    variants = _whole_body_hostiles() | st.one_of([_field_hostiles(body, f) for f in fields])
    return st.builds(Hostile.labelled, variants, st.sampled_from(_CONTENT_TYPES))


# --- checks ----------------------------------------------------------------------------------


def _send(
    http: httpx.Client, method: str, path: str, hostile: Hostile, auth: dict[str, str]
) -> httpx.Response:
    headers = dict(auth)
    if hostile.content_type is not None:
        headers["content-type"] = hostile.content_type
    return http.request(method, path, headers=headers, content=hostile.content)


def _problem(response: httpx.Response) -> tuple[object, ...]:
    """What a client sees of an error answer: media type, members, and the status in the body."""
    is_problem = response.headers.get("content-type") == PROBLEM_JSON
    problem = response.json() if is_problem else {}
    members = sorted(
        key for key in ("type", "title", "detail") if isinstance(problem.get(key), str)
    )
    return (response.headers.get("content-type"), members, problem.get("status"))


def assert_refused(response: httpx.Response, hostile: Hostile) -> None:
    """The answer is the problem details ``hostile`` must get."""
    status = response.status_code
    assert _problem(response) == (PROBLEM_JSON, ["detail", "title", "type"], status), response.text
    assert 400 <= status < 500, response.text
    if hostile.status is not None:
        assert status == hostile.status, response.text
    if hostile.field is not None:
        named = [error["field"] for error in response.json().get("errors", [])]
        assert hostile.field in named, response.text


def _collections_of(http: httpx.Client, auth: dict[str, str]) -> list[object]:
    """Everything a user can read of their collections: the listing and each one whole."""
    listing = http.get("/collections/", headers=auth).json()
    uuids = [listed["uuid"] for listed in listing["data"]["collections"]]
    return [listing, *(http.get(f"/collections/{u}/", headers=auth).json() for u in uuids)]


# --- the tests -------------------------------------------------------------------------------


@pytest.fixture
def existing(client: httpx.Client, auth: dict[str, str]) -> str:
    """The uuid of a collection the test's user owns."""
    response = client.post("/collections/", headers=auth, json=_COLLECTION)
    assert response.status_code == httpx.codes.CREATED, response.text
    return str(response.json()["collection_uuid"])


@pytest.fixture
def collections_before(client: httpx.Client, auth: dict[str, str], existing: str) -> list[object]:
    """What the test's user reads of their collections before any hostile request."""
    return _collections_of(client, auth)


# One path spelling each: both reach the same handler.
@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/collections/"), ("PUT", "/collection/{existing}")]
)
@HOSTILE
@given(hostile=hostile_bodies(_COLLECTION, COLLECTION_FIELDS))
def test_hostile_collection_body_is_refused_and_writes_nothing(
    client: httpx.Client,
    auth: dict[str, str],
    existing: str,
    collections_before: list[object],
    method: str,
    path: str,
    hostile: Hostile,
) -> None:
    """A hostile collection body gets a 4xx problem, and the user's collections stay the same."""
    response = _send(client, method, path.format(existing=existing), hostile, auth)
    assert_refused(response, hostile)
    assert _collections_of(client, auth) == collections_before


def _with(body: Mapping[str, object], values: Mapping[FieldPath, object]) -> bytes:
    """``body`` as JSON with each path of ``values`` holding its value."""
    content = _json(body)
    for path, value in values.items():
        content = _placed(json.loads(content), path, _json(value))
    return content


@HOSTILE
@given(
    wrong=st.dictionaries(
        # Not the movies list itself: a wrong one leaves no movie fields to name.
        st.sampled_from([field.path for field in COLLECTION_FIELDS if field.kind != "list"]),
        _json_values().filter(lambda value: value is not None and not isinstance(value, str)),
        min_size=2,
    )
)
def test_every_wrong_field_is_named_at_once(
    client: httpx.Client, auth: dict[str, str], wrong: dict[FieldPath, object]
) -> None:
    """Several fields of the wrong type in one body are all named in one answer."""
    response = _send(client, "POST", "/collections/", Hostile(_with(_COLLECTION, wrong)), auth)
    named = {error["field"] for error in response.json().get("errors", [])}
    assert (response.status_code, {_name(path) for path in wrong} - named) == (400, set())


_USERNAME = "username-to-be-replaced"
_CREDENTIALS = {"username": _USERNAME, "password": "a long password"}


def _fresh_username() -> str:
    return f"hostile_{uuid.uuid4().hex[:16]}"


@HOSTILE
@given(hostile=hostile_bodies(_CREDENTIALS, REGISTER_FIELDS))
def test_hostile_registration_is_refused_and_creates_no_account(
    client: httpx.Client, hostile: Hostile
) -> None:
    """A hostile registration gets a 4xx problem, and its username is still free afterwards."""
    username = _fresh_username()
    sent = replace(hostile, content=hostile.content.replace(_USERNAME.encode(), username.encode()))
    assert_refused(_send(client, "POST", "/register/", sent, {}), sent)
    again = client.post("/register/", json={**_CREDENTIALS, "username": username})
    assert again.status_code == httpx.codes.CREATED, again.text


@HOSTILE
@given(hostile=hostile_bodies(_CREDENTIALS, LOGIN_FIELDS))
def test_hostile_login_is_refused(client: httpx.Client, hostile: Hostile) -> None:
    """A hostile login gets a 4xx problem, never a server error."""
    username = _fresh_username().encode()  # a new name each time, so no throttle builds up
    sent = replace(hostile, content=hostile.content.replace(_USERNAME.encode(), username))
    assert_refused(_send(client, "POST", "/login/", sent, {}), sent)


def test_login_with_a_password_over_72_bytes_is_refused(client: httpx.Client) -> None:
    """A password longer than bcrypt can take is simply wrong: a 4xx problem, never a 500."""
    body = {"username": _fresh_username(), "password": "p" * 73}
    response = client.post("/login/", json=body)
    assert_refused(response, Hostile(_json(body)))


# --- query strings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """A request that succeeds when well formed, and the status it answers with."""

    method: str
    path: str
    body: Callable[[], object] | None
    status: int
    paged: bool = False
    """Whether it reads ``page`` from the query: then a bad one is a 400 naming it."""


ENDPOINTS = [
    Endpoint("GET", "/movies/", None, 200, paged=True),
    Endpoint("GET", "/collections/", None, 200, paged=True),
    Endpoint("GET", "/collection", None, 200, paged=True),
    Endpoint("POST", "/collections/", lambda: {"title": "From a query test"}, 201),
    Endpoint("GET", "/collections/{existing}/", None, 200),
    Endpoint("PUT", "/collection/{existing}", lambda: {"title": "Weekend"}, 200),
    Endpoint("DELETE", "/collections/{missing}/", None, 404),
    Endpoint("GET", "/request-count/", None, 200),
    Endpoint("POST", "/request-count/reset/", None, 403),  # the test's user is no operator
    Endpoint("POST", "/register/", lambda: {**_CREDENTIALS, "username": _fresh_username()}, 201),
    Endpoint("POST", "/login/", lambda: {**_CREDENTIALS, "username": _fresh_username()}, 401),
    Endpoint("GET", "/health/", None, 200),
]
_QUERY_PARTS = st.one_of(
    st.sampled_from(["", "0", "-1", "1.5", "1e400", "9" * 401, "NaN", "[]", "%", "%zz"]),
    st.binary(max_size=64).map(lambda raw: quote(raw, safe="")),  # invalid UTF-8 too
    st.text(max_size=64).map(lambda text: quote(text, safe="")),
    st.integers(1, 6000).map(lambda size: "x" * size),
)
QUERIES = st.one_of(
    _QUERY_PARTS.map(lambda value: f"page={value}"),
    st.tuples(_QUERY_PARTS, _QUERY_PARTS).map(lambda pair: f"page={pair[0]}&page={pair[1]}"),
    st.tuples(_QUERY_PARTS, _QUERY_PARTS).map(lambda pair: f"{pair[0]}={pair[1]}"),
    _QUERY_PARTS,
)


@settings(HOSTILE, max_examples=60)
@given(endpoint=st.sampled_from(ENDPOINTS), query=QUERIES)
def test_hostile_query_string_is_ignored_or_refused(
    client: httpx.Client, auth: dict[str, str], existing: str, endpoint: Endpoint, query: str
) -> None:
    """A hostile query string is ignored, or for ``page`` refused as a 4xx problem naming it."""
    path = endpoint.path.format(existing=existing, missing=uuid.uuid4())
    body = None if endpoint.body is None else endpoint.body()
    response = client.request(endpoint.method, f"{path}?{query}", headers=auth, json=body)
    status = response.status_code
    if status >= 400:
        assert _problem(response) == (PROBLEM_JSON, ["detail", "title", "type"], status)
    if not endpoint.paged:
        assert status == endpoint.status, response.text
    elif status == 400:
        assert [error["field"] for error in response.json()["errors"]] == ["page"]
    else:
        assert status in (200, 404), response.text
