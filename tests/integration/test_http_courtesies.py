"""What HTTP clients expect of any API: Location, Allow, CORS, a root page and probes."""

from __future__ import annotations

import uuid

import httpx
import pytest

import moviecore

APP_ORIGIN = "https://app.example"
"""An origin CORS_ORIGINS does not list: CORS is off (test_http_cors has it on)."""


def test_register_answers_with_location(client: httpx.Client, base_url: str) -> None:
    """A new account's 201 names, in Location, the collections its token opens."""
    account = {"username": f"located_{uuid.uuid4().hex[:16]}", "password": "a long password"}
    response = client.post("/register/", json=account)
    assert (response.status_code, response.headers["location"]) == (
        201,
        f"{base_url}/collections/",
    )


def test_created_collection_is_at_its_location(client: httpx.Client, auth: dict[str, str]) -> None:
    """The Location of a new collection reads back that collection."""
    created = client.post("/collections/", headers=auth, json={"title": "Here"})
    read = client.get(created.headers["location"], headers=auth)
    assert (created.status_code, read.status_code, read.json()) == (
        201,
        200,
        {
            "uuid": created.json()["collection_uuid"],
            "title": "Here",
            "description": "",
            "movies": [],
            "version": 1,
        },
    )


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/collections/", "GET, HEAD, OPTIONS, POST"),
        ("/collection", "GET, HEAD, OPTIONS, POST"),
        ("/collections/0b7e1a52-2f9c-4d5e-8a61-3c2f9e0d4b17/", "DELETE, GET, HEAD, OPTIONS, PUT"),
        ("/register/", "OPTIONS, POST"),
        ("/movies/", "GET, HEAD, OPTIONS"),
        ("/movies/0b7e1a52-2f9c-4d5e-8a61-3c2f9e0d4b17/", "GET, HEAD, OPTIONS"),
        ("/collections/0b7e1a52-2f9c-4d5e-8a61-3c2f9e0d4b17/movies/", "OPTIONS, POST"),
    ],
)
def test_options_and_405_allow_every_method_of_the_path(
    client: httpx.Client, path: str, allowed: str
) -> None:
    """OPTIONS and a 405 for a method the path lacks both list every method the path serves."""
    options = client.options(path)
    refused = client.patch(path)
    assert (options.status_code, options.headers["allow"]) == (204, allowed)
    assert (refused.status_code, refused.headers["allow"]) == (405, allowed)


def test_cors_is_off_by_default(client: httpx.Client) -> None:
    """Without CORS_ORIGINS a browser page of another origin gets no CORS permission."""
    response = client.get("/health/", headers={"Origin": APP_ORIGIN})
    assert (response.status_code, response.headers.get("access-control-allow-origin")) == (
        200,
        None,
    )


def test_root_points_at_the_docs(client: httpx.Client) -> None:
    """Opening the service's address shows where its documentation is."""
    response = client.get("/")
    assert (response.status_code, response.json()) == (
        200,
        {
            "service": "moviecore",
            "version": moviecore.__version__,
            "docs": "/schema/",
            "openapi": "/schema/openapi.json",
        },
    )


def test_docs_named_by_root_are_served(client: httpx.Client) -> None:
    """Both addresses the root names answer 200 without a token."""
    root = client.get("/").json()
    statuses = [client.get(root[name]).status_code for name in ("docs", "openapi")]
    assert statuses == [200, 200]


@pytest.mark.parametrize("path", ["/health/live/", "/health/live"])
def test_liveness_probe_answers(client: httpx.Client, path: str) -> None:
    """The liveness probe answers 200 without a token."""
    response = client.get(path)
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.parametrize("path", ["/movies/", "/collections/", "/health/", "/schema/openapi.json"])
def test_head_answers_as_get_without_the_body(
    client: httpx.Client, auth: dict[str, str], path: str
) -> None:
    """HEAD works wherever GET does: the same status and headers, no body."""
    got = client.get(path, headers=auth)
    head = client.head(path, headers=auth)
    same = ("content-type", "content-length", "etag")
    assert (head.status_code, {n: head.headers.get(n) for n in same}, head.content) == (
        got.status_code,
        {n: got.headers.get(n) for n in same},
        b"",
    )


def test_head_on_a_collection_carries_its_etag(client: httpx.Client, auth: dict[str, str]) -> None:
    """HEAD on a collection reads its ETag without its movies; unknown, it is a 404."""
    path = client.post("/collections/", headers=auth, json={"title": "Head"}).headers["location"]
    head = client.head(path, headers=auth)
    missing = client.head(f"/collections/{uuid.uuid4()}/", headers=auth)
    assert (head.status_code, head.headers["etag"], missing.status_code) == (200, '"1"', 404)
