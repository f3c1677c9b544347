"""Every error the HTTP API answers with, as RFC 9457 problem details, mapped in one place.

moviecore.ValidationError, Litestar ValidationException  400 (with ``errors``)
moviecore.InvalidCredentials, moviecore.InvalidToken      401 (with ``reason``)
moviecore.WrongPassword, moviecore.NotAllowed             403
moviecore.NotFound                                        404
moviecore.UsernameTaken, AlreadyStored, CatalogNotSynced  409
moviecore.VersionMismatch                                 412 (with the current ETag)
the body not sent in time (RequestTimeout)               408, closing the connection
moviecore.TooManyAttempts                                 429 (with Retry-After)
moviecore.Unavailable                                     503 (with Retry-After)
any other Litestar HTTPException (404, 405, 413, ...)     its own status
anything else                                             500, details only in the log
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, Literal, get_args

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.exceptions import ValidationException as LitestarValidationError
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example
from litestar.types import ExceptionHandlersMap, Send

from moviecore import (
    CatalogNotSynced,
    InvalidCredentials,
    InvalidToken,
    NotAllowed,
    NotFound,
    TooManyAttempts,
    Unavailable,
    UsernameTaken,
    ValidationError,
    VersionMismatch,
    WrongPassword,
)
from moviecore.ports import AlreadyStored

from ._etags import etag
from ._protocol import RequestTimeout
from ._request_log import client_gone, current_request_id

PROBLEM_JSON = "application/problem+json"
BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
"""RFC 6750's answer to a request whose token is missing or cannot be trusted."""
Kind = Literal[
    "validation-error",
    "invalid-token",
    "invalid-credentials",
    "not-found",
    "username-taken",
    "already-stored",
    "version-mismatch",
    "catalog-not-synced",
    "too-many-attempts",
    "unavailable",
    "wrong-password",
    "not-allowed",
]
"""The service's own kinds of problem; each is the type ``urn:moviecore:problem:<kind>``."""
PROBLEM_TYPES = ("about:blank", *(f"urn:moviecore:problem:{kind}" for kind in get_args(Kind)))
"""Every problem ``type`` a client may switch on; plain HTTP errors are ``about:blank``."""
_MEANINGS = {
    HTTPStatus.BAD_REQUEST: "A field, a header or the body breaks a rule: `errors` names each.",
    HTTPStatus.UNAUTHORIZED: (
        "No valid access token (`reason` says why: `missing`, `malformed`, `expired`,"
        " `revoked`, `reused`), or a wrong username or password (`credentials`)."
    ),
    HTTPStatus.FORBIDDEN: "A wrong password to confirm with, or a right the user lacks.",
    HTTPStatus.NOT_FOUND: "Nothing is there, or it is another user's.",
    HTTPStatus.CONFLICT: "The request clashes with what is stored (a taken username, say).",
    HTTPStatus.PRECONDITION_FAILED: "If-Match does not name the current ETag: nothing changed.",
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "The body is larger than the service accepts.",
    HTTPStatus.TOO_MANY_REQUESTS: "Too many failed logins: wait Retry-After seconds.",
    HTTPStatus.SERVICE_UNAVAILABLE: (
        "A dependency (database, Redis, the upstream catalog) cannot be reached, or the"
        " service is full: try again after Retry-After seconds."
    ),
}
"""What each problem status means here, for the OpenAPI document."""
_EXAMPLES: dict[HTTPStatus, tuple[Kind | None, str]] = {
    HTTPStatus.BAD_REQUEST: ("validation-error", "title: must be 1 to 200 characters long"),
    HTTPStatus.UNAUTHORIZED: ("invalid-token", "the access token has expired"),
    HTTPStatus.FORBIDDEN: ("not-allowed", "only an operator may reset the request count"),
    HTTPStatus.NOT_FOUND: ("not-found", "nothing is served at this path"),
    HTTPStatus.CONFLICT: ("username-taken", "the username 'ada' is taken"),
    HTTPStatus.PRECONDITION_FAILED: (
        "version-mismatch",
        'If-Match does not name the current ETag, "3"',
    ),
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: (None, "the body must be at most 1,048,576 bytes"),
    HTTPStatus.TOO_MANY_REQUESTS: ("too-many-attempts", "too many attempts, retry after 42 s"),
    HTTPStatus.SERVICE_UNAVAILABLE: ("unavailable", "the database cannot be reached"),
}
"""An example problem of each status, for the OpenAPI document."""


def _example(status: HTTPStatus) -> Example:
    kind, detail = _EXAMPLES[status]
    errors = None
    if kind == "validation-error":
        errors = [FieldProblem(*part.split(": ", 1)) for part in detail.split("; ")]
    problem = _problem(status, detail, kind=kind, errors=errors)
    with_id = msgspec.structs.replace(problem, request_id="5f0c3a1e9b7d4c2a8e6f1b3d5a7c9e0f")
    return Example(summary=status.phrase, value=msgspec.to_builtins(with_id))


_logger = logging.getLogger("moviecore.http")
_MISSING_FIELD = re.compile(r"Object missing required field `(?P<name>[^`]*)`")
_EXPECTED_TYPE = re.compile(r"Expected `(?P<type>[^`]*)`")
_MUST_BE = {
    "int": "must be a whole number",
    "str": "must be a string",
    "uuid": "must be a UUID",
    "array": "must be a list",
    "object": "must be a JSON object",
}


class FieldProblem(msgspec.Struct, frozen=True):
    """One field of the request that broke a rule."""

    field: str
    message: str


class Problem(msgspec.Struct, frozen=True, omit_defaults=True):
    """An RFC 9457 problem details object."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None
    reason: str | None = None
    """Why a 401 refuses: ``missing``, ``malformed``, ``expired``, ``revoked``, ``reused``
    for a token, ``credentials`` for a failed login."""
    request_id: str | None = None


# Litestar's own 400s about a header rather than the body, by how their detail starts.
_HEADER_PROBLEMS = {
    "Invalid host header": FieldProblem("Host", "must name a host, such as api.example"),
    "Invalid content-length": FieldProblem("Content-Length", "must be the body's size in bytes"),
}


def problem_responses(*statuses: HTTPStatus) -> dict[int, ResponseSpec]:
    """The OpenAPI description of the problem details a handler may answer with."""
    return {
        status.value: ResponseSpec(
            data_container=Problem,
            generate_examples=False,
            examples=[_example(status)],
            description=f"{status.phrase}: {_MEANINGS[status]}",
            media_type=PROBLEM_JSON,
        )
        for status in statuses
    }


def _problem(
    status: HTTPStatus,
    detail: str,
    *,
    kind: Kind | None,
    errors: list[FieldProblem] | None,
    reason: str | None = None,
) -> Problem:
    # Our own kinds get a URN a client can switch on; plain HTTP errors are about:blank.
    return Problem(
        type=f"urn:moviecore:problem:{kind}" if kind else "about:blank",
        title=status.phrase,
        status=status.value,
        detail=detail,
        errors=errors,
        reason=reason,
        request_id=current_request_id(),
    )


def _respond(
    status: HTTPStatus,
    detail: str,
    *,
    kind: Kind | None = None,
    errors: list[FieldProblem] | None = None,
    reason: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response[Problem]:
    problem = _problem(status, detail, kind=kind, errors=errors, reason=reason)
    return Response(problem, status_code=status.value, media_type=PROBLEM_JSON, headers=headers)


async def send_problem(
    send: Send, status: HTTPStatus, detail: str, headers: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    """Answer with ``about:blank`` problem details straight through ASGI, for the layers
    below Litestar; ``headers`` are added to the answer's."""
    problem = _problem(status, detail, kind=None, errors=None)
    body = msgspec.json.encode(problem)
    head = [
        (b"content-type", PROBLEM_JSON.encode("ascii")),
        (b"content-length", str(len(body)).encode("ascii")),
        *headers,
    ]
    await send({"type": "http.response.start", "status": status.value, "headers": head})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _retry_after(seconds: int) -> dict[str, str]:
    return {"Retry-After": str(max(1, seconds))}


def _invalid(errors: list[FieldProblem]) -> Response[Problem]:
    detail = "; ".join(f"{error.field}: {error.message}" for error in errors)
    return _respond(HTTPStatus.BAD_REQUEST, detail, kind="validation-error", errors=errors)


def _field_problem(entry: Any) -> FieldProblem:
    """One of Litestar's validation entries as a field problem with a contract-style path."""
    if not isinstance(entry, Mapping):
        return FieldProblem("body", str(entry))
    message = str(entry.get("message", "is not valid"))
    field = str(entry.get("key") or entry.get("source") or "data")
    whole_body = field == "data"
    if missing := _MISSING_FIELD.fullmatch(message):
        return FieldProblem(
            missing["name"] if whole_body else f"{field}.{missing['name']}", "is required"
        )
    if whole_body:  # no body at all comes as the bare message "'data'"
        return FieldProblem("body", _MUST_BE["object"])
    return FieldProblem(field, _in_our_words(message))


def _in_our_words(message: str) -> str:
    """What a value of the wrong type must be, as msgspec's message names the type."""
    expected = _EXPECTED_TYPE.match(message)
    return _MUST_BE.get(expected["type"] if expected else "", "is not valid")


def _domain_problem(exc: Exception) -> Response[Problem] | None:
    """The response to a moviecore error, or None for anything else."""
    match exc:
        case ValidationError():
            return _invalid([FieldProblem(e.field, e.message) for e in exc.errors])
        case InvalidToken():
            return _respond(
                HTTPStatus.UNAUTHORIZED,
                str(exc),
                kind="invalid-token",
                reason=exc.reason,
                headers=BEARER_CHALLENGE,
            )
        case InvalidCredentials():
            return _respond(
                HTTPStatus.UNAUTHORIZED, str(exc), kind="invalid-credentials", reason="credentials"
            )
        case WrongPassword():
            return _respond(HTTPStatus.FORBIDDEN, str(exc), kind="wrong-password")
        case NotAllowed():
            return _respond(HTTPStatus.FORBIDDEN, str(exc), kind="not-allowed")
        case NotFound():
            return _respond(HTTPStatus.NOT_FOUND, str(exc), kind="not-found")
        case UsernameTaken():
            return _respond(HTTPStatus.CONFLICT, str(exc), kind="username-taken")
        case AlreadyStored():
            return _respond(HTTPStatus.CONFLICT, str(exc), kind="already-stored")
        case VersionMismatch():
            detail = f'If-Match does not name the current ETag, "{exc.current}"'
            return _respond(
                HTTPStatus.PRECONDITION_FAILED,
                detail,
                kind="version-mismatch",
                headers=etag(exc.current),
            )
        case CatalogNotSynced():
            return _respond(HTTPStatus.CONFLICT, str(exc), kind="catalog-not-synced")
        case TooManyAttempts():
            headers = _retry_after(exc.retry_after)
            return _respond(
                HTTPStatus.TOO_MANY_REQUESTS, str(exc), kind="too-many-attempts", headers=headers
            )
        case Unavailable():
            headers = _retry_after(exc.retry_after)
            return _respond(
                HTTPStatus.SERVICE_UNAVAILABLE, str(exc), kind="unavailable", headers=headers
            )
    return None


def _http_problem(exc: HTTPException) -> Response[Problem]:
    if isinstance(exc, LitestarValidationError) and isinstance(exc.extra, list):
        return _invalid([_field_problem(entry) for entry in exc.extra])
    if exc.status_code == HTTPStatus.BAD_REQUEST:  # a header, or the body, could not be read
        return _invalid([_unreadable(exc.detail)])
    status = HTTPStatus(exc.status_code)
    if status == HTTPStatus.NOT_FOUND:  # a path no route serves, such as a malformed uuid
        return _respond(status, "nothing is served at this path", kind="not-found")
    detail = exc.detail if exc.detail and exc.detail != status.phrase else status.description
    return _respond(status, detail, headers=_sorted_allow(exc.headers))


def _sorted_allow(headers: Mapping[str, str] | None) -> Mapping[str, str] | None:
    """``headers`` with the methods of a 405's Allow as OPTIONS lists them: sorted (Litestar
    lists them in the order its handlers were registered), HEAD with GET (``_head``)."""
    allow = (headers or {}).get("allow")
    if headers is None or allow is None:
        return headers
    methods = {method.strip() for method in allow.split(",")}
    if "GET" in methods:
        methods.add("HEAD")
    return {**headers, "allow": ", ".join(sorted(methods))}


def _unreadable(detail: str) -> FieldProblem:
    """What a 400 of Litestar's own is about, in our words: a header it names, or the body."""
    return next(
        (problem for start, problem in _HEADER_PROBLEMS.items() if detail.startswith(start)),
        FieldProblem("body", "is not valid"),
    )


def problem_response(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    """The problem details answering ``exc``; the single exception handler of the app."""
    if (response := _domain_problem(exc)) is not None:
        return response
    if isinstance(exc, HTTPException) and exc.status_code < HTTPStatus.INTERNAL_SERVER_ERROR:
        return _http_problem(exc)
    if isinstance(exc, RequestTimeout):
        return _respond(HTTPStatus.REQUEST_TIMEOUT, str(exc), headers={"Connection": "close"})
    if client_gone():  # whatever failed, nobody is left to answer: not the service's error
        return _respond(HTTPStatus.BAD_REQUEST, "the client closed the connection")
    _logger.error(
        "unexpected error answering %s %s", request.method, request.url.path, exc_info=exc
    )
    detail = "the service failed unexpectedly; the error has been logged"
    return _respond(HTTPStatus.INTERNAL_SERVER_ERROR, detail)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {Exception: problem_response}
