"""Browsing the bundled catalog over HTTP, a page of ten at a time with absolute links."""

from __future__ import annotations

import httpx
import pytest

from adapters.movie_files import bundled_movies

PROBLEM_JSON = "application/problem+json"


def _page_of_bundled(number: int) -> list[dict[str, str]]:
    movies = bundled_movies()[(number - 1) * 10 : number * 10]
    return [
        {"uuid": str(m.uuid), "title": m.title, "description": m.description, "genres": m.genres}
        for m in movies
    ]


@pytest.mark.parametrize("path", ["/movies/", "/movies"])
def test_first_page_lists_ten_bundled_movies(
    client: httpx.Client, base_url: str, auth: dict[str, str], path: str
) -> None:
    """The first page holds the first ten bundled movies, a next link and no previous link."""
    response = client.get(path, headers=auth)
    assert (response.status_code, response.json()) == (
        200,
        {
            "count": len(bundled_movies()),
            "page": 1,
            "page_size": 10,
            "pages": -(-len(bundled_movies()) // 10),
            "next": f"{base_url}/movies/?page=2",
            "previous": None,
            "movies": _page_of_bundled(1),
        },
    )


def test_middle_page_links_both_ways(
    client: httpx.Client, base_url: str, auth: dict[str, str]
) -> None:
    """A middle page links to the pages before and after it, and the links work."""
    body = client.get("/movies/?page=2", headers=auth).json()
    followed = client.get(body["next"], headers=auth).json()
    assert (body["previous"], body["next"], body["movies"], followed["page"]) == (
        f"{base_url}/movies/?page=1",
        f"{base_url}/movies/?page=3",
        _page_of_bundled(2),
        3,
    )


def test_last_page_has_no_next_and_the_one_after_is_404(
    client: httpx.Client, auth: dict[str, str]
) -> None:
    """The last page has no next link, and the page after it is a 404 problem."""
    last = -(-len(bundled_movies()) // 10)
    body = client.get(f"/movies/?page={last}", headers=auth).json()
    past = client.get(f"/movies/?page={last + 1}", headers=auth)
    assert (body["next"], body["movies"], past.status_code, past.headers["content-type"]) == (
        None,
        _page_of_bundled(last),
        404,
        PROBLEM_JSON,
    )


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("abc", "must be a whole number"),
        ("0", "must be 1 or more"),
        ("-1", "must be 1 or more"),
        ("1.5", "must be a whole number"),
    ],
)
def test_bad_page_is_400_naming_page(
    client: httpx.Client, auth: dict[str, str], page: str, message: str
) -> None:
    """A page that is not a whole number of at least 1 is a 400 naming the page parameter."""
    response = client.get(f"/movies/?page={page}", headers=auth)
    assert (response.status_code, response.json()["errors"]) == (
        400,
        [{"field": "page", "message": message}],
    )


def test_huge_page_is_404(client: httpx.Client, auth: dict[str, str]) -> None:
    """A page number larger than any database integer is simply past the end."""
    response = client.get(f"/movies/?page={10**30}", headers=auth)
    assert (response.status_code, response.headers["content-type"]) == (404, PROBLEM_JSON)


def test_movies_need_a_token(client: httpx.Client) -> None:
    """Without a token the catalog answers 401."""
    assert client.get("/movies/").status_code == 401
