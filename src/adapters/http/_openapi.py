"""The OpenAPI document, made fit for client generators.

Litestar builds it from the handlers; what it cannot say is added here once, when
the app is made: the contract's trailing slashes, the headers problem answers
carry, and the limits the service is configured with (the Structs leave lengths
to the core, so the document states them here).
"""

from __future__ import annotations

import math
from typing import Any

from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import (
    Components,
    OpenAPI,
    OpenAPIHeader,
    OpenAPIType,
    Operation,
    Reference,
    Schema,
    SecurityScheme,
    Server,
)

import moviecore
from moviecore import Limits

from ._auth import BEARER_SCHEME
from ._docs import DOCS_PATH, docs_plugins
from ._etags import ETAG_HEADER
from ._problems import PROBLEM_JSON

_UTF8_MAX_BYTES = 4
"""The most bytes one character takes in UTF-8: a password limit in bytes bounds its characters."""


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


def _header(description: str) -> OpenAPIHeader:
    return OpenAPIHeader(schema=Schema(type=OpenAPIType.STRING), description=description)


_RETRY_AFTER = _header("Seconds to wait before trying again.")
_HEADERS_BY_STATUS = {
    "401": {
        "WWW-Authenticate": _header(
            '`Bearer error="invalid_token"`: send a valid access token (the problem\'s'
            " `reason` says what was wrong with this one)."
        )
    },
    "412": {"ETag": _header(ETAG_HEADER.description or "")},
    "429": {"Retry-After": _RETRY_AFTER},
    "503": {"Retry-After": _RETRY_AFTER},
}


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
        "min_length": math.ceil(limits.password_min_bytes / _UTF8_MAX_BYTES),
        "max_length": limits.password_max_bytes,
        "description": f"{limits.password_min_bytes} to {limits.password_max_bytes}"
        " bytes in UTF-8.",
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


def finish_openapi(openapi: OpenAPI, limits: Limits) -> None:
    """Give ``openapi`` the contract's paths, the problem headers and ``limits``."""
    paths = openapi.paths or {}
    openapi.paths = {(path if path == "/" else f"{path}/"): item for path, item in paths.items()}
    for item in openapi.paths.values():
        for method in ("get", "put", "post", "patch", "delete"):
            if (operation := getattr(item, method)) is not None:
                _add_headers(operation)
    _add_limits(openapi.components, limits)
