"""Collections over HTTP: create, list, read, update, delete, owner-scoped, both path spellings."""

from __future__ import annotations

import uuid

import httpx
import pytest

from fixtures.server import problem_body, register_user

PROBLEM_JSON = "application/problem+json"


UNKNOWN = "is not a field of this body; check its spelling"


def _movie(genres: str = "Drama", title: str = "A film") -> dict[str, str]:
    return {"uuid": str(uuid.uuid4()), "title": title, "description": "About it.", "genres": genres}


def _create(http: httpx.Client, auth: dict[str, str], **body: object) -> str:
    response = http.post("/collections/", headers=auth, json={"title": "Mine", **body})
    assert response.status_code == 201, response.text
    return str(response.json()["collection_uuid"])


def _validation_problem(errors: list[dict[str, str]]) -> dict[str, object]:
    return {
        "type": "urn:moviecore:problem:validation-error",
        "title": "Bad Request",
        "status": 400,
        "detail": "; ".join(f"{error['field']}: {error['message']}" for error in errors),
        "errors": errors,
    }


@pytest.mark.parametrize("root", ["/collections", "/collection"])
@pytest.mark.parametrize("slash", ["/", ""])
def test_create_then_get_returns_the_snapshot(
    client: httpx.Client, auth: dict[str, str], root: str, slash: str
) -> None:
    """A created collection reads back with its movies in order, on every path spelling."""
    movies = [_movie("Drama"), _movie("Comedy, Drama"), _movie("")]
    body = {"title": "Weekend", "description": "Films for Saturday", "movies": movies}
    created = client.post(f"{root}{slash}", headers=auth, json=body)
    uuid_ = created.json()["collection_uuid"]
    read = client.get(f"{root}/{uuid_}{slash}", headers=auth)
    assert (created.status_code, created.json(), read.status_code, read.json()) == (
        201,
        {"collection_uuid": uuid_, "version": 1},
        200,
        {"uuid": uuid_, **body, "version": 1},
    )


def test_repeated_movie_keeps_the_first(client: httpx.Client, auth: dict[str, str]) -> None:
    """A movie sent twice in one request appears once, as first sent."""
    first = _movie(title="First")
    again = {**first, "title": "Again"}
    uuid_ = _create(client, auth, movies=[first, again])
    assert client.get(f"/collections/{uuid_}/", headers=auth).json()["movies"] == [first]


def test_movie_description_and_genres_default_to_empty(
    client: httpx.Client, auth: dict[str, str]
) -> None:
    """A movie sent with only uuid and title is kept with empty description and genres."""
    movie_uuid = str(uuid.uuid4())
    uuid_ = _create(client, auth, movies=[{"uuid": movie_uuid, "title": "Bare"}])
    assert client.get(f"/collections/{uuid_}/", headers=auth).json()["movies"] == [
        {"uuid": movie_uuid, "title": "Bare", "description": "", "genres": ""}
    ]


def test_list_is_newest_first_with_favourite_genres(
    client: httpx.Client, auth: dict[str, str]
) -> None:
    """Listing shows the caller's collections newest first and the three most common genres."""
    older = _create(client, auth, title="Older", movies=[_movie("Drama, Comedy"), _movie("Drama")])
    newer = _create(
        client, auth, title="Newer", description="d", movies=[_movie("Horror, comedy, Drama")]
    )
    response = client.get("/collections/", headers=auth)
    assert (response.status_code, response.json()) == (
        200,
        {
            "is_success": True,
            "data": {
                "collections": [
                    {
                        "uuid": newer,
                        "title": "Newer",
                        "description": "d",
                        "movies_count": 1,
                        "version": 1,
                    },
                    {
                        "uuid": older,
                        "title": "Older",
                        "description": "",
                        "movies_count": 2,
                        "version": 1,
                    },
                ],
                "favourite_genres": "Drama, Comedy, comedy",
                "count": 2,
                "page": 1,
                "page_size": 10,
                "pages": 1,
                "next": None,
                "previous": None,
            },
        },
    )


def test_list_pages_hold_ten_and_past_the_end_is_404(
    client: httpx.Client, auth: dict[str, str], base_url: str
) -> None:
    """Eleven collections make a full first page, one on the second, and no third page;
    each page links to its neighbours."""
    uuids = [_create(client, auth, title=f"C{n}") for n in range(11)]
    first = client.get("/collections/?page=1", headers=auth).json()["data"]
    second = client.get("/collection?page=2", headers=auth).json()["data"]
    third = client.get("/collections/?page=3", headers=auth)
    assert (
        [c["uuid"] for c in first["collections"]],
        [c["uuid"] for c in second["collections"]],
        (second["page"], second["page_size"], second["pages"]),
        (first["previous"], first["next"]),
        (second["previous"], second["next"]),
        third.status_code,
        third.headers["content-type"],
    ) == (
        uuids[:0:-1],
        uuids[:1],
        (2, 10, 2),
        (None, f"{base_url}/collections/?page=2"),
        (f"{base_url}/collections/?page=1", None),
        404,
        PROBLEM_JSON,
    )


def test_new_user_lists_nothing(client: httpx.Client, auth: dict[str, str]) -> None:
    """A user without collections gets an empty first page and no favourite genres."""
    assert client.get("/collections", headers=auth).json() == {
        "is_success": True,
        "data": {
            "collections": [],
            "favourite_genres": "",
            "count": 0,
            "page": 1,
            "page_size": 10,
            "pages": 1,
            "next": None,
            "previous": None,
        },
    }


@pytest.mark.parametrize("root", ["/collections", "/collection"])
def test_put_changes_given_fields_and_replaces_movies(
    client: httpx.Client, auth: dict[str, str], root: str
) -> None:
    """PUT changes only the fields sent; movies, when sent, replace the whole list."""
    uuid_ = _create(client, auth, description="keep me", movies=[_movie(), _movie()])
    replacement = [_movie("Western")]
    response = client.put(
        f"{root}/{uuid_}/", headers=auth, json={"title": "Renamed", "movies": replacement}
    )
    expected = {
        "uuid": uuid_,
        "title": "Renamed",
        "description": "keep me",
        "movies": replacement,
        "version": 2,
    }
    read = client.get(f"/collections/{uuid_}", headers=auth)
    assert (response.status_code, response.json(), read.json()) == (200, expected, expected)


@pytest.mark.parametrize("root", ["/collections", "/collection"])
def test_delete_answers_the_message_then_404(
    client: httpx.Client, auth: dict[str, str], root: str
) -> None:
    """Deleting says so in the contract's words, and the collection is gone after."""
    uuid_ = _create(client, auth)
    deleted = client.delete(f"{root}/{uuid_}", headers=auth)
    again = client.get(f"/collections/{uuid_}/", headers=auth)
    assert (deleted.status_code, deleted.json(), again.status_code) == (
        200,
        {"message": f"Collection with UUID {uuid_} has been deleted."},
        404,
    )


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_another_users_collection_is_404(
    client: httpx.Client, auth: dict[str, str], method: str
) -> None:
    """Another user's collection cannot be read, changed or deleted: it looks absent."""
    uuid_ = _create(client, auth, title="Private")
    stranger = register_user(client)
    response = client.request(
        method, f"/collections/{uuid_}/", headers=stranger, json={"title": "Stolen"}
    )
    unknown = client.request(
        method, f"/collections/{uuid.uuid4()}/", headers=stranger, json={"title": "Stolen"}
    )
    owner_view = client.get(f"/collections/{uuid_}/", headers=auth).json()["title"]
    assert (response.status_code, response.json()["type"], owner_view) == (
        404,
        "urn:moviecore:problem:not-found",
        "Private",
    )
    assert response.json()["title"] == unknown.json()["title"]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"title": "t", "movies": [_movie(), _movie(), {**_movie(), "uuid": "nope"}]},
            [{"field": "movies[2].uuid", "message": "must be a UUID"}],
        ),
        (
            {"title": "t", "movies": [{"title": "no uuid"}]},
            [{"field": "movies[0].uuid", "message": "is required"}],
        ),
        (
            {"title": "t", "movies": [_movie(), {**_movie(), "genres": 5}]},
            [{"field": "movies[1].genres", "message": "must be a string"}],
        ),
        (
            {"title": "", "description": "d" * 2001, "movies": [{**_movie(), "title": ""}]},
            [
                {"field": "title", "message": "must be 1 to 200 characters long"},
                {"field": "description", "message": "must be 0 to 2000 characters long"},
                {"field": "movies[0].title", "message": "must be 1 to 500 characters long"},
            ],
        ),
        ({"title": " \t "}, [{"field": "title", "message": "must not be blank"}]),
        ({"description": "no title"}, [{"field": "title", "message": "is required"}]),
        ([], [{"field": "body", "message": "must be a JSON object"}]),
        (
            {"title": "t", "movies": {"not": "a list"}},
            [{"field": "movies", "message": "must be a list"}],
        ),
        (
            {"title": "", "description": "d" * 2001, "movies": [{"uuid": "nope"}]},
            [
                {"field": "movies[0].uuid", "message": "must be a UUID"},
                {"field": "movies[0].title", "message": "is required"},
                {"field": "title", "message": "must be 1 to 200 characters long"},
                {"field": "description", "message": "must be 0 to 2000 characters long"},
            ],
        ),
        (
            {"titel": "x", "title": 5, "movies": [{**_movie(), "rating": 5, "title": "x" * 501}]},
            [
                {"field": "titel", "message": "is not a field of this body; check its spelling"},
                {"field": "title", "message": "must be a string"},
                {"field": "movies[0].rating", "message": UNKNOWN},
                {"field": "movies[0].title", "message": "must be 1 to 500 characters long"},
            ],
        ),
        (
            {"title": None, "movies": [1, None]},
            [
                {"field": "title", "message": "is required"},
                {"field": "movies[0]", "message": "must be a JSON object"},
                {"field": "movies[1]", "message": "must be a JSON object"},
            ],
        ),
    ],
)
def test_invalid_collection_is_400_naming_each_field(
    client: httpx.Client, auth: dict[str, str], body: object, errors: list[dict[str, str]]
) -> None:
    """Each broken field is named in the contract's path style, and nothing is stored."""
    response = client.post("/collections/", headers=auth, json=body)
    listed = client.get("/collections/", headers=auth).json()["data"]["count"]
    assert (
        response.status_code,
        response.headers["content-type"],
        problem_body(response),
        listed,
    ) == (
        400,
        PROBLEM_JSON,
        _validation_problem(errors),
        0,
    )


def test_too_many_movies_is_400(client: httpx.Client, auth: dict[str, str]) -> None:
    """A collection of 1001 movies is refused, naming the movies field."""
    movies = [{"uuid": str(uuid.uuid4()), "title": "m"} for _ in range(1001)]
    response = client.post("/collections/", headers=auth, json={"title": "Big", "movies": movies})
    assert response.json()["errors"] == [
        {"field": "movies", "message": "may hold at most 1000 movies"}
    ]


def test_null_is_a_field_left_out(client: httpx.Client, auth: dict[str, str]) -> None:
    """A PUT field set to null stays as it is; a POST one gets its default."""
    created = client.post(
        "/collections/",
        headers=auth,
        json={"title": "Kept", "description": None, "movies": [{**_movie(), "genres": None}]},
    )
    path = created.headers["location"]
    updated = client.put(path, headers=auth, json={"title": None, "description": "new"})
    body = updated.json()
    assert (created.status_code, updated.status_code, body["title"], body["description"]) == (
        201,
        200,
        "Kept",
        "new",
    )
    assert body["movies"][0]["genres"] == ""


def test_a_misspelt_field_is_400_and_changes_nothing(
    client: httpx.Client, auth: dict[str, str]
) -> None:
    """A PUT with a field the body does not have is refused naming it; the version stays."""
    path = client.post("/collections/", headers=auth, json={"title": "T"}).headers["location"]
    response = client.put(path, headers=auth, json={"titel": "x"})
    after = client.get(path, headers=auth)
    assert (problem_body(response), after.headers["etag"]) == (
        _validation_problem([{"field": "titel", "message": UNKNOWN}]),
        '"1"',
    )


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        pytest.param(b"", {"content-type": "application/json"}, id="empty"),
        pytest.param(b"{not json", {"content-type": "application/json"}, id="bad-json"),
        pytest.param(b'{"title": "t"', {"content-type": "application/json"}, id="truncated"),
        pytest.param(b"\xff\xfe", {"content-type": "application/json"}, id="not-utf8"),
    ],
)
def test_unreadable_body_is_400_naming_the_body(
    client: httpx.Client, auth: dict[str, str], content: bytes, headers: dict[str, str]
) -> None:
    """A body that is not a JSON object is a 400 problem about the body, never a 500."""
    response = client.post("/collections/", headers={**auth, **headers}, content=content)
    body = response.json()
    assert (response.status_code, response.headers["content-type"], body["errors"][0]["field"]) == (
        400,
        PROBLEM_JSON,
        "body",
    )


@pytest.mark.parametrize(
    "media_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_a_body_of_another_media_type_is_415_and_stores_nothing(
    client: httpx.Client, auth: dict[str, str], media_type: str
) -> None:
    """A JSON body labelled as anything but JSON (what a page on any origin may send
    without a CORS preflight) is refused 415, and no collection is made."""
    response = client.post(
        "/collections/", headers={**auth, "content-type": media_type}, content=b'{"title": "P"}'
    )
    listed = client.get("/collections/", headers=auth).json()["data"]["count"]
    assert (response.status_code, response.headers["content-type"], listed) == (
        415,
        PROBLEM_JSON,
        0,
    )


def test_body_over_one_mebibyte_is_413(client: httpx.Client, auth: dict[str, str]) -> None:
    """A request body larger than 1 MiB is refused with 413 and nothing is stored."""
    body = b'{"title": "' + b"x" * (1024 * 1024) + b'"}'
    response = client.post(
        "/collections/", headers={**auth, "content-type": "application/json"}, content=body
    )
    listed = client.get("/collections/", headers=auth).json()["data"]["count"]
    assert (
        response.status_code,
        response.headers["content-type"],
        response.json()["status"],
        listed,
    ) == (
        413,
        PROBLEM_JSON,
        413,
        0,
    )


def test_collections_need_a_token(client: httpx.Client) -> None:
    """Without a token every collections endpoint answers 401."""
    path = f"/collections/{uuid.uuid4()}/"
    statuses = [
        client.post("/collections/", json={"title": "t"}).status_code,
        client.get("/collections/").status_code,
        client.get(path).status_code,
        client.put(path, json={"title": "t"}).status_code,
        client.delete(path).status_code,
    ]
    assert statuses == [401] * 5
