"""Over HTTP, one user can never read, list, change or delete another user's collections.

An owner and a stranger each create collections whose every text carries their
own mark; movie uuids come from a small shared pool, so both may keep a
snapshot of the same movie. The stranger's attempts on the owner's collections
must look exactly like attempts on collections that do not exist.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixtures.limits import room_for
from fixtures.server import register_user
from moviecore import CollectionDraft
from moviecore.testing.strategies import collection_drafts

OWNER = "\N{MATHEMATICAL LEFT WHITE SQUARE BRACKET}owner"
STRANGER = "\N{MATHEMATICAL LEFT WHITE SQUARE BRACKET}stranger"
ROOTS = ("/collections", "/collection")


def _body(draft: CollectionDraft, mark: str) -> dict[str, object]:
    """The draft as a request body, every text starting with ``mark``."""
    movies = [
        {
            "uuid": str(movie.uuid),
            "title": mark + movie.title,
            "description": mark + movie.description,
            "genres": ",".join(mark + genre for genre in movie.genres.split(",")),
        }
        for movie in draft.movies
    ]
    return {"title": mark + draft.title, "description": mark + draft.description, "movies": movies}


def _create(http: httpx.Client, auth: dict[str, str], body: dict[str, object]) -> str:
    response = http.post("/collections/", headers=auth, json=body)
    assert response.status_code == httpx.codes.CREATED, response.text
    return str(response.json()["collection_uuid"])


def _answer(
    http: httpx.Client, auth: dict[str, str], method: str, path: str, body: object
) -> tuple[int, str]:
    """Status and body of an answer, with the collection uuid asked for and the request's
    own id blanked out."""
    uuid_ = path.rstrip("/").rsplit("/", 1)[-1]
    response = http.request(method, path, headers=auth, json=body if method == "PUT" else None)
    text = response.text.replace(response.headers["x-request-id"], "<request id>")
    return response.status_code, text.replace(uuid_, "<uuid>")


def _every_page(http: httpx.Client, auth: dict[str, str], root: str) -> list[str]:
    """Each page of the user's collection list, as the text sent back."""
    pages: list[str] = []
    for page in range(1, 100):
        response = http.get(f"{root}/?page={page}", headers=auth)
        if response.status_code == httpx.codes.NOT_FOUND:
            return pages
        pages.append(response.text)
    raise AssertionError("the list of collections never ends")


@pytest.fixture
def stranger(client: httpx.Client) -> dict[str, str]:
    """The Authorization header of a second user of the shared server."""
    return register_user(client)


@settings(
    max_examples=10,
    deadline=None,
    # The same two users across examples on purpose: the owner's collections pile up.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    owned=collection_drafts(room_for(STRANGER), max_movies=3),
    own=collection_drafts(room_for(STRANGER), max_movies=3),
    change=collection_drafts(room_for(STRANGER), max_movies=2),
    root=st.sampled_from(ROOTS),
)
def test_stranger_sees_nothing_of_the_owners_collections(
    client: httpx.Client,
    auth: dict[str, str],
    stranger: dict[str, str],
    owned: CollectionDraft,
    own: CollectionDraft,
    change: CollectionDraft,
    root: str,
) -> None:
    """Another's collection answers exactly like a missing one; lists show only one's own."""
    target = _create(client, auth, _body(owned, OWNER))
    _create(client, stranger, _body(own, STRANGER))
    expected = client.get(f"/collections/{target}/", headers=auth).json()
    update = _body(change, STRANGER)
    for method in ("GET", "PUT", "DELETE"):
        attempt = _answer(client, stranger, method, f"{root}/{target}/", update)
        missing = _answer(client, stranger, method, f"{root}/{uuid.uuid4()}/", update)
        assert (attempt[0], attempt) == (404, missing)
    leaks = [
        page for page in _every_page(client, stranger, root) if OWNER in page or target in page
    ]
    assert leaks == []
    assert client.get(f"/collections/{target}/", headers=auth).json() == expected
