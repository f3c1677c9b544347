"""Answers the server layer gives before a request reaches the app, as counted problem details.

The connection protocol (``_protocol``) marks such a request's scope with a
``Refusal``, as ``{REFUSAL: {"refusal": Refusal(...)}}`` in its ASGI
extensions; ``RequestCounting`` counts it like any request and answers it
here, never handing it to Litestar. Each answer closes the connection: what
the client sends after it cannot be trusted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from litestar.types import Send

from ._problems import PROBLEM_JSON, Problem
from ._protocol import REFUSAL, Refusal
from ._request_log import current_request_id


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
        request_id=current_request_id(),
    )
    body = msgspec.json.encode(problem)
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    if refusal.retry_after is not None:
        headers.append((b"retry-after", str(refusal.retry_after).encode()))
    await send({"type": "http.response.start", "status": refusal.status.value, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
