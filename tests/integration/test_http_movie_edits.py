"""Editing a collection one movie at a time over HTTP, versioned, and finding movies."""

from __future__ import annotations

import uuid

import httpx
import pytest

from adapters.movie_files import bundled_movies
from fixtures.server import register_user

PROBLEM_JSON = "application/problem+json"


def _movie(title: str, genres: str = "Drama") -> dict[str, str]:
    return {"uuid": str(uuid.uuid4()), "title": title, "description": "", "genres": genres}


def _create(http: httpx.Client, auth: dict[str, str], *movies: dict[str, str]) -> str:
    response = http.post("/collections/", headers=auth, json={"title": "Mine", "movies": movies})
    assert response.status_code == 201, response.text
    return str(response.json()["collection_uuid"])


def _seen(response: httpx.Response) -> tuple[int, str | None, list[str], int]:
    """An edit's status, ETag, the titles of the movies it answers, and its version."""
    body = response.json()
    return (
        response.status_code,
        response.headers.get("etag"),
        [m["title"] for m in body["movies"]],
        body["version"],
    )


@pytest.mark.parametrize("root", ["/collections", "/collection"])
def test_add_move_and_remove_one_movie_at_a_time(
    client: httpx.Client, auth: dict[str, str], root: str
) -> None:
    """Each edit answers the stored collection with its version in the body and the ETag,
    one higher each time, and a read shows the same."""
    heat, alien, ran, up = _movie("Heat"), _movie("Alien"), _movie("Ran"), _movie("Up")
    uuid_ = _create(client, auth, heat)
    movies = f"{root}/{uuid_}/movies/"
    answers = [
        client.post(movies, headers=auth, json=alien),
        client.post(movies, headers=auth, json={"movies": [ran, up], "position": 0}),
        client.patch(f"{movies}{alien['uuid']}/", headers=auth, json={"position": 0}),
        client.delete(f"{movies}{heat['uuid']}", headers=auth),
    ]
    read = client.get(f"/collections/{uuid_}/", headers=auth)
    assert [_seen(answer) for answer in answers] == [
        (200, '"2"', ["Heat", "Alien"], 2),
        (200, '"3"', ["Ran", "Up", "Heat", "Alien"], 3),
        (200, '"4"', ["Alien", "Ran", "Up", "Heat"], 4),
        (200, '"5"', ["Alien", "Ran", "Up"], 5),
    ]
    assert (read.headers["etag"], read.json()) == (
        '"5"',
        {
            "uuid": uuid_,
            "title": "Mine",
            "description": "",
            "movies": [alien, ran, up],
            "version": 5,
        },
    )


def test_a_movie_already_held_stays_where_it_is(client: httpx.Client, auth: dict[str, str]) -> None:
    """Adding a movie the collection holds keeps it in its place with its snapshot."""
    heat, alien = _movie("Heat"), _movie("Alien")
    uuid_ = _create(client, auth, heat, alien)
    again = {**alien, "title": "Alien (director's cut)", "position": 0}
    answer = client.post(f"/collections/{uuid_}/movies/", headers=auth, json=again)
    assert _seen(answer) == (200, '"2"', ["Heat", "Alien"], 2)


def test_if_match_refuses_an_edit_of_a_stale_version(
    client: httpx.Client, auth: dict[str, str]
) -> None:
    """An edit naming a version the collection has left is a 412 with the current ETag, and
    changes nothing; naming the current one, it is applied."""
    heat = _movie("Heat")
    uuid_ = _create(client, auth, heat)
    movies = f"/collections/{uuid_}/movies/"
    client.post(movies, headers=auth, json=_movie("Alien"))
    stale = {**auth, "If-Match": '"1"'}
    refused = [
        client.post(movies, headers=stale, json=_movie("Ran")),
        client.patch(f"{movies}{heat['uuid']}/", headers=stale, json={"position": 1}),
        client.delete(f"{movies}{heat['uuid']}/", headers=stale),
    ]
    current = client.delete(f"{movies}{heat['uuid']}/", headers={**auth, "If-Match": '"2"'})
    assert [(r.status_code, r.headers["etag"]) for r in refused] == [(412, '"2"')] * 3
    assert _seen(current) == (200, '"3"', ["Alien"], 3)


def test_bad_edits_are_400s_naming_the_field(client: httpx.Client, auth: dict[str, str]) -> None:
    """A single movie's fields are named at the top level, a list's by index; a position
    outside the list names ``position``; nothing is changed."""
    heat = _movie("Heat")
    uuid_ = _create(client, auth, heat)
    movies = f"/collections/{uuid_}/movies/"
    bodies = [
        {"uuid": str(uuid.uuid4()), "title": ""},
        {"title": "No uuid"},
        {"movies": [{**_movie("x"), "title": ""}]},
        {"movies": [], "position": 0},
        {**_movie("Late"), "position": 2},
        {**_movie("Early"), "position": -1},
        {"uuid": False, "title": "j", "genres": True, "position": "first"},
    ]
    answers = [client.post(movies, headers=auth, json=body) for body in bodies]
    moved = client.patch(f"{movies}{heat['uuid']}/", headers=auth, json={"position": 1})
    fields = [[e["field"] for e in a.json()["errors"]] for a in [*answers, moved]]
    read = client.get(f"/collections/{uuid_}/", headers=auth)
    assert (fields, [a.status_code for a in answers], read.json()["version"]) == (
        [
            ["title"],
            ["uuid"],
            ["movies[0].title"],
            ["movies"],
            ["position"],
            ["position"],
            ["uuid", "genres", "position"],
            ["position"],
        ],
        [400] * 7,
        1,
    )


def test_what_is_not_there_is_404(client: httpx.Client, auth: dict[str, str]) -> None:
    """A movie the collection does not hold, and another user's collection, are not found."""
    heat = _movie("Heat")
    uuid_ = _create(client, auth, heat)
    stranger = _create(client, register_user(client), heat)
    answers = [
        client.delete(f"/collections/{uuid_}/movies/{uuid.uuid4()}/", headers=auth),
        client.patch(
            f"/collections/{uuid_}/movies/{uuid.uuid4()}/", headers=auth, json={"position": 0}
        ),
        client.post(f"/collections/{stranger}/movies/", headers=auth, json=heat),
    ]
    assert [(a.status_code, a.headers["content-type"], a.json()["type"]) for a in answers] == [
        (404, PROBLEM_JSON, "urn:moviecore:problem:not-found")
    ] * 3


def test_listing_by_movie_shows_only_my_collections_holding_it(
    client: httpx.Client, auth: dict[str, str], base_url: str
) -> None:
    """``?movie=`` lists only the caller's collections holding the movie, with their movie
    counts and versions, and the link to the next page keeps it."""
    wanted = _movie("Wanted")
    first = _create(client, auth, wanted, _movie("Other"))
    _create(client, auth, _movie("Other"))
    second = _create(client, auth)
    client.post(f"/collections/{second}/movies/", headers=auth, json=wanted)
    _create(client, register_user(client), wanted)
    for _ in range(10):
        _create(client, auth, wanted)
    query = {"movie": wanted["uuid"]}
    last = client.get("/collections/", headers=auth, params={**query, "page": 2})
    first_page = client.get("/collections/", headers=auth, params=query)
    bad = client.get("/collections/", headers=auth, params={"movie": "nope"})
    data = last.json()["data"]
    assert (last.status_code, data["collections"], data["count"]) == (
        200,
        [
            {"uuid": second, "title": "Mine", "description": "", "movies_count": 1, "version": 2},
            {"uuid": first, "title": "Mine", "description": "", "movies_count": 2, "version": 1},
        ],
        12,
    )
    assert (first_page.json()["data"]["next"], bad.status_code) == (
        f"{base_url}/collections/?page=2&movie={wanted['uuid']}",
        400,
    )


def test_a_movie_of_the_catalog_by_uuid(client: httpx.Client, auth: dict[str, str]) -> None:
    """A catalog movie reads back by its uuid as the listing shows it; an unknown one is 404."""
    movie = bundled_movies()[12]
    found = client.get(f"/movies/{movie.uuid}/", headers=auth)
    unknown = client.get(f"/movies/{uuid.uuid4()}", headers=auth)
    anonymous = client.get(f"/movies/{movie.uuid}/")
    assert (found.status_code, found.json(), unknown.status_code, anonymous.status_code) == (
        200,
        {
            "uuid": str(movie.uuid),
            "title": movie.title,
            "description": movie.description,
            "genres": movie.genres,
        },
        404,
        401,
    )


def test_a_movie_of_a_collection_allows_patch_and_delete(client: httpx.Client) -> None:
    """OPTIONS on one movie of a collection lists PATCH and DELETE; a PUT there is a 405."""
    path = f"/collections/{uuid.uuid4()}/movies/{uuid.uuid4()}/"
    options, refused = client.options(path), client.put(path)
    assert [(r.status_code, r.headers["allow"]) for r in (options, refused)] == [
        (204, "DELETE, OPTIONS, PATCH"),
        (405, "DELETE, OPTIONS, PATCH"),
    ]
