"""The OpenAPI document, made fit for client generators.

Litestar builds it from the handlers; what it cannot say is added here once, when
the app is made: the contract's trailing slashes, the headers problem answers
carry, and the limits the service is configured with (the Structs leave lengths
to the core, so the document states them here).
"""

from __future__ import annotations

import json
from typing import Any

from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import (
    Components,
    OpenAPI,
    OpenAPIHeader,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Reference,
    RequestBody,
    Schema,
    SecurityScheme,
    Server,
)

import moviecore
from moviecore import Limits

from ._auth import BEARER_SCHEME
from ._docs import DOCS_PATH, docs_plugins
from ._etags import ETAG_HEADER
from ._examples import OPERATIONS
from ._problems import PROBLEM_JSON, PROBLEM_TYPES


def _operation_id(handler: HTTPRouteHandler, *_method_and_path: object) -> str:
    """The handler's function name: ``register``, ``list_collections``, ..."""
    return handler.handler_name


def openapi_config(root_path: str) -> OpenAPIConfig:
    """How Litestar builds the document: short operation ids, docstrings as descriptions;
    the pages that show it work offline. ``root_path`` is the path a proxy serves the API
    at: the document's server, so that a client (or Swagger UI) sends requests there."""
    bearer = SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
    return OpenAPIConfig(
        title="moviecore",
        version=moviecore.__version__,
        description="Movie collections: browse a catalog, keep named lists of movies.",
        path=DOCS_PATH,
        servers=[Server(url=root_path or "/")],
        render_plugins=docs_plugins(root_path),
        components=Components(security_schemes={BEARER_SCHEME: bearer}),
        operation_id_creator=_operation_id,
        use_handler_docstrings=True,
    )


def _header(
    description: str, example: str | int, kind: OpenAPIType, *, required: bool = True
) -> OpenAPIHeader:
    return OpenAPIHeader(
        schema=Schema(type=kind), description=description, example=example, required=required
    )


_ETAG = _header(ETAG_HEADER.description or "", '"3"', OpenAPIType.STRING)
_RETRY_AFTER = _header("Seconds to wait before trying again.", 10, OpenAPIType.INTEGER)
_HEADERS_BY_STATUS = {
    "401": {
        # Not on a failed login, which is a 401 too.
        "WWW-Authenticate": _header(
            '`Bearer error="invalid_token"`: send a valid access token (the problem\'s'
            " `reason` says what was wrong with this one).",
            'Bearer error="invalid_token"',
            OpenAPIType.STRING,
            required=False,
        )
    },
    "412": {"ETag": _ETAG},
    "429": {"Retry-After": _RETRY_AFTER},
    "503": {"Retry-After": _RETRY_AFTER},
}
_SUCCESS_HEADERS = {
    "ETag": _ETAG,
    "Location": _header(
        "The absolute URL of what was made.",
        "https://api.example/collections/0b7e1a52-2f9c-4d5e-8a61-3c2f9e0d4b17/",
        OpenAPIType.STRING,
    ),
}
"""The headers of success answers, typed: Litestar leaves a documented header untyped."""
_REQUEST_BODIES = ("Credentials", "NewCollection", "CollectionUpdate", "MovieBody")
"""Request schemas: a field the server defaults is optional there, and says its default in
words, since openapi-typescript makes a property with a ``default`` required."""


def _limits_by_field(limits: Limits) -> dict[tuple[str, str], dict[str, Any]]:
    """The constraints of each (component, property) the core checks."""
    collection = {
        "title": {"min_length": 1, "max_length": limits.title_max},
        "description": {"max_length": limits.description_max},
        "movies": {"max_items": limits.movies_max},
    }
    movie = {
        "title": {"min_length": 1, "max_length": limits.movie_title_max},
        "description": {"max_length": limits.movie_description_max},
        "genres": {"max_length": limits.genres_max},
    }
    password = {
        # In characters, as JSON Schema counts: right for ASCII, which most are.
        "min_length": limits.password_min_bytes,
        "max_length": limits.password_max_bytes,
        "description": f"{limits.password_min_bytes} to {limits.password_max_bytes}"
        " bytes in UTF-8: as many ASCII characters, fewer of other scripts.",
    }
    return {
        ("Credentials", "username"): {
            "min_length": 1,
            "max_length": limits.username_max,
            "pattern": r"^[A-Za-z0-9_.@+-]+$",
        },
        ("Credentials", "password"): password,
        ("PasswordChange", "new_password"): password,
        **{("NewCollection", name): rule for name, rule in collection.items()},
        **{("CollectionUpdate", name): rule for name, rule in collection.items()},
        **{
            (component, name): rule
            for component in ("MovieBody", "MoviesToAdd")
            for name, rule in movie.items()
        },
        ("MoviesToAdd", "movies"): {"min_items": 1, "max_items": limits.movies_max},
        ("MoviesToAdd", "position"): {"minimum": 0},
        ("MoviePosition", "position"): {"minimum": 0},
    }


def _value_schema(schema: Schema | Reference) -> Schema:
    """The schema of a property's value; an optional property's is its one alternative."""
    assert isinstance(schema, Schema)
    if schema.one_of:
        return _value_schema(schema.one_of[0])
    return schema


def _add_limits(components: Components, limits: Limits) -> None:
    schemas = components.schemas or {}
    for (component, name), rule in _limits_by_field(limits).items():
        properties = schemas[component].properties or {}
        target = _value_schema(properties[name])
        for attribute, value in rule.items():
            setattr(target, attribute, value)


def _add_headers(operation: Operation) -> None:
    """Document the headers problem answers carry; a 401 asks for a token only where one
    is required (a failed login is not a missing token). Headers are sorted by name:
    Litestar keeps a handler's response headers in a set, whose order changes between
    starts, and the document must not."""
    for status, response in (operation.responses or {}).items():
        if isinstance(response, Reference):
            continue
        headers = _HEADERS_BY_STATUS.get(status) or {}
        is_problem = PROBLEM_JSON in (response.content or {})
        if not (is_problem and (status != "401" or operation.security)):
            headers = {}
        merged = {**(response.headers or {}), **headers}
        response.headers = {name: merged[name] for name in sorted(merged)}


def _describe(operation: Operation) -> None:
    """Give ``operation`` its summary, the meaning of its success and its examples."""
    name = operation.operation_id or ""
    if name not in OPERATIONS:
        raise LookupError(f"the operation {name!r} has no summary and examples in _examples")
    doc = OPERATIONS[name]
    operation.summary = doc.summary
    body = operation.request_body
    if doc.request is not None and isinstance(body, RequestBody):
        body.content["application/json"].example = doc.request
    for status, response in (operation.responses or {}).items():
        if isinstance(response, OpenAPIResponse) and status.startswith("2"):
            response.description = doc.success
            for media in (response.content or {}).values():
                media.example = doc.answer
            response.headers = {
                name: _SUCCESS_HEADERS.get(name, header)
                for name, header in (response.headers or {}).items()
            }


def _optional_defaults(components: Components) -> None:
    for name in _REQUEST_BODIES:
        for schema in (components.schemas[name].properties or {}).values():
            target = _value_schema(schema)
            if target.default is not None:
                default = json.dumps(target.default)
                target.description = f"Default: `{default}`."
                target.default = None


def _problem_types(components: Components) -> None:
    problem = components.schemas["Problem"].properties or {}
    _value_schema(problem["type"]).enum = list(PROBLEM_TYPES)


def finish_openapi(openapi: OpenAPI, limits: Limits) -> None:
    """Give ``openapi`` the contract's paths, summaries, examples, typed headers, the
    problem types and ``limits``."""
    paths = openapi.paths or {}
    openapi.paths = {(path if path == "/" else f"{path}/"): item for path, item in paths.items()}
    for item in openapi.paths.values():
        for method in ("get", "put", "post", "patch", "delete"):
            if (operation := getattr(item, method)) is not None:
                _add_headers(operation)
                _describe(operation)
    _add_limits(openapi.components, limits)
    _optional_defaults(openapi.components)
    _problem_types(openapi.components)
