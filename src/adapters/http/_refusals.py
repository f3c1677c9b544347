"""Answers the server layer gives before a request reaches the app, as counted problem details.

The connection protocol (``_connections``) marks such a request's scope with a
``Refusal``, as ``{REFUSAL: {"refusal": Refusal(...)}}`` in its ASGI
extensions; ``RequestCounting`` counts it like any request and answers it
here, never handing it to Litestar. Each answer closes the connection: what
the client sends after it cannot be trusted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import msgspec
from litestar.types import Send

from ._problems import PROBLEM_JSON, Problem

REFUSAL = "moviecore.refusal"
"""The scope extension that carries a Refusal."""

RETRY_AFTER_SECONDS = 1
"""When a client turned away for want of capacity may try again."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """A request answered by the server layer: its status and what the client should know."""

    status: HTTPStatus
    detail: str


def refusal_of(scope: Mapping[str, Any]) -> Refusal | None:
    """The Refusal a request's scope carries, if the server layer refused it."""
    extensions = scope.get("extensions")
    if not extensions or REFUSAL not in extensions:
        return None
    refusal: Refusal = extensions[REFUSAL]["refusal"]
    return refusal


async def send_refusal(refusal: Refusal, send: Send) -> None:
    """Answer ``refusal`` as problem details and ask for the connection to close."""
    problem = Problem(
        type="about:blank",
        title=refusal.status.phrase,
        status=refusal.status.value,
        detail=refusal.detail,
    )
    body = msgspec.json.encode(problem)
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    if refusal.status == HTTPStatus.SERVICE_UNAVAILABLE:
        headers.append((b"retry-after", str(RETRY_AFTER_SECONDS).encode()))
    await send({"type": "http.response.start", "status": refusal.status.value, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
