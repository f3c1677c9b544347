"""What every endpoint shares: health, the API documents, unknown paths and methods, failures."""

from __future__ import annotations

import dataclasses
from uuid import UUID

import httpx
import pytest
from litestar.testing import AsyncTestClient

import moviecore
from adapters.http import Backend, create_http_app, fixed_backend
from adapters.settings import Settings
from fixtures.health import health_report
from fixtures.server import problem_body
from moviecore.ports import CollectionSlice
from moviecore.testing import MemoryCollectionRepository, in_memory_ports

PROBLEM_JSON = "application/problem+json"
MAX_BODY_BYTES = Settings().max_body_bytes


@pytest.mark.parametrize("path", ["/health/", "/health", "/health/ready/"])
def test_health_reports_every_dependency_ok(client: httpx.Client, path: str) -> None:
    """A running embedded service reports itself and each dependency healthy, without a token."""
    response = client.get(path)
    assert (response.status_code, response.json()) == (
        200,
        health_report("ok", database="ok", counter="ok", catalog="ok"),
    )


def test_openapi_document_lists_the_endpoints(client: httpx.Client) -> None:
    """The OpenAPI document names each operation once, at the contract's path, with a short
    id and a description; the singular aliases are left out."""
    response = client.get("/schema/openapi.json")
    operations = {
        (path, method, operation["operationId"], bool(operation["description"]))
        for path, item in response.json()["paths"].items()
        for method, operation in item.items()
    }
    assert (response.status_code, operations) == (
        200,
        {
            ("/register/", "post", "register", True),
            ("/login/", "post", "login", True),
            ("/token/refresh/", "post", "refresh", True),
            ("/logout/", "post", "logout", True),
            ("/me/", "get", "whoami", True),
            ("/me/", "delete", "delete_account", True),
            ("/me/password/", "put", "change_password", True),
            ("/movies/", "get", "list_movies", True),
            ("/movies/{movie_uuid}/", "get", "get_movie", True),
            ("/collections/", "post", "create_collection", True),
            ("/collections/", "get", "list_collections", True),
            ("/collections/{collection_uuid}/", "get", "get_collection", True),
            ("/collections/{collection_uuid}/", "put", "update_collection", True),
            ("/collections/{collection_uuid}/", "delete", "delete_collection", True),
            ("/collections/{collection_uuid}/movies/", "post", "add_movies", True),
            (
                "/collections/{collection_uuid}/movies/{movie_uuid}/",
                "patch",
                "move_movie",
                True,
            ),
            (
                "/collections/{collection_uuid}/movies/{movie_uuid}/",
                "delete",
                "remove_movie",
                True,
            ),
            ("/request-count/", "get", "read_request_count", True),
            ("/request-count/reset/", "post", "reset_request_count", True),
            ("/health/", "get", "health", True),
            ("/health/ready/", "get", "ready", True),
            ("/health/live/", "get", "live", True),
            ("/", "get", "index", True),
        },
    )


def test_openapi_document_reports_the_version(client: httpx.Client) -> None:
    """The OpenAPI document's version is the service's."""
    info = client.get("/schema/openapi.json").json()["info"]
    assert (info["title"], info["version"]) == ("moviecore", moviecore.__version__)


def test_openapi_document_states_the_limits(client: httpx.Client) -> None:
    """The document gives the contract's limits on what a client sends."""
    schemas = client.get("/schema/openapi.json").json()["components"]["schemas"]
    new_collection = schemas["NewCollection"]["properties"]
    assert (
        schemas["Credentials"]["properties"]["username"],
        new_collection["title"],
        new_collection["movies"]["maxItems"],
        schemas["MovieBody"]["properties"]["genres"],
        schemas["Credentials"]["properties"]["password"],
    ) == (
        {"type": "string", "minLength": 1, "maxLength": 150, "pattern": "^[A-Za-z0-9_.@+-]+$"},
        {"type": "string", "minLength": 1, "maxLength": 200},
        1000,
        {"type": "string", "maxLength": 500, "description": 'Default: `""`.'},
        {
            "type": "string",
            "minLength": 8,
            "maxLength": 72,
            "description": "8 to 72 bytes in UTF-8: as many ASCII characters, fewer of other"
            " scripts.",
        },
    )


def test_openapi_document_names_the_problem_headers(client: httpx.Client) -> None:
    """Retry-After, WWW-Authenticate and ETag are documented where problems carry them."""
    paths = client.get("/schema/openapi.json").json()["paths"]
    login = paths["/login/"]["post"]["responses"]
    movies = paths["/movies/"]["get"]["responses"]
    update = paths["/collections/{collection_uuid}/"]["put"]["responses"]
    assert (
        sorted(login["429"]["headers"]),
        sorted(login["401"].get("headers", {})),
        sorted(movies["401"]["headers"]),
        sorted(movies["503"]["headers"]),
        sorted(update["412"]["headers"]),
    ) == (["Retry-After"], [], ["WWW-Authenticate"], ["Retry-After"], ["ETag"])


@pytest.mark.parametrize("path", ["/schema/", "/schema"])
def test_interactive_docs_are_served(client: httpx.Client, path: str) -> None:
    """The interactive API docs answer with an HTML page, without a token."""
    response = client.get(path)
    assert (response.status_code, response.headers["content-type"].split(";")[0]) == (
        200,
        "text/html",
    )


@pytest.mark.parametrize("path", ["/no-such-thing/", "/collections/not-a-uuid/"])
def test_unknown_path_is_404_problem(client: httpx.Client, auth: dict[str, str], path: str) -> None:
    """A path the service does not serve, a malformed uuid included, is the same
    not-found problem as an unknown collection."""
    response = client.get(path, headers=auth)
    assert (response.status_code, response.headers["content-type"], problem_body(response)) == (
        404,
        PROBLEM_JSON,
        {
            "type": "urn:moviecore:problem:not-found",
            "title": "Not Found",
            "status": 404,
            "detail": "nothing is served at this path",
        },
    )


def test_malformed_host_header_is_a_problem_naming_host(client: httpx.Client) -> None:
    """A Host header that is no host answers 400 problem details naming Host, not the body."""
    response = client.get("/health/", headers={"Host": "evil.example/x"})
    assert (response.status_code, response.json()["errors"]) == (
        400,
        [{"field": "Host", "message": "must name a host, such as api.example"}],
    )


def test_wrong_method_is_405_with_allow(client: httpx.Client) -> None:
    """A method a path does not support is a 405 problem listing the allowed methods."""
    response = client.delete("/register/")
    assert (
        response.status_code,
        response.headers["content-type"],
        response.headers["allow"],
        response.json()["status"],
    ) == (405, PROBLEM_JSON, "OPTIONS, POST", 405)


async def _failing() -> None:
    raise ConnectionError("database is down")


async def _fine() -> None:
    return None


class _BrokenCollections(MemoryCollectionRepository):
    """Collections whose listing fails in a way no handler expects."""

    async def page(
        self, owner: UUID, offset: int, limit: int, *, movie: UUID | None = None
    ) -> CollectionSlice:
        raise RuntimeError("secret internals at /srv/db")


@pytest.mark.anyio
async def test_failing_database_makes_health_503_naming_it() -> None:
    """When the database fails, health answers 503 and names the failing dependency only."""
    backend = Backend(in_memory_ports(), {"database": _failing, "counter": _fine})
    async with AsyncTestClient(
        create_http_app(fixed_backend(backend), max_body_bytes=MAX_BODY_BYTES)
    ) as http:
        response = await http.get("/health/")
    assert (response.status_code, response.json()) == (
        503,
        health_report("failing", database="failing", counter="ok"),
    )


@pytest.mark.anyio
async def test_failing_database_fails_readiness_not_liveness() -> None:
    """With the database down the readiness probe answers 503 and the liveness probe 200."""
    backend = Backend(in_memory_ports(), {"database": _failing, "counter": _fine})
    async with AsyncTestClient(
        create_http_app(fixed_backend(backend), max_body_bytes=MAX_BODY_BYTES)
    ) as http:
        ready = await http.get("/health/ready/")
        live = await http.get("/health/live/")
    assert [(r.status_code, r.json()) for r in (ready, live)] == [
        (503, health_report("failing", database="failing", counter="ok")),
        (200, {"status": "ok"}),
    ]


@pytest.mark.anyio
async def test_failing_counter_or_catalog_leaves_health_200_degraded() -> None:
    """Without the counter store or the catalog the service still serves: 200, degraded."""
    checks = {"database": _fine, "counter": _failing, "catalog": _failing}
    backend = Backend(in_memory_ports(), checks)
    async with AsyncTestClient(
        create_http_app(fixed_backend(backend), max_body_bytes=MAX_BODY_BYTES)
    ) as http:
        response = await http.get("/health/")
    assert (response.status_code, response.json()) == (
        200,
        health_report("degraded", database="ok", counter="failing", catalog="failing"),
    )


@pytest.mark.anyio
async def test_unexpected_error_is_500_problem_without_internals() -> None:
    """An unexpected failure is a 500 problem that reveals nothing of the cause."""
    ports = dataclasses.replace(in_memory_ports(), collections=_BrokenCollections())
    async with AsyncTestClient(
        create_http_app(fixed_backend(Backend(ports)), max_body_bytes=MAX_BODY_BYTES)
    ) as http:
        token = await http.post("/register/", json={"username": "u", "password": "password1"})
        auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
        response = await http.get("/collections/", headers=auth)
    assert (response.status_code, response.headers["content-type"], problem_body(response)) == (
        500,
        PROBLEM_JSON,
        {
            "type": "about:blank",
            "title": "Internal Server Error",
            "status": 500,
            "detail": "the service failed unexpectedly; the error has been logged",
        },
    )
