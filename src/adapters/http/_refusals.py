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

from litestar.types import Send

from ._problems import send_problem
from ._protocol import REFUSAL, Refusal


def refusal_of(scope: Mapping[str, Any]) -> Refusal | None:
    """The Refusal a request's scope carries, if the server layer refused it."""
    extensions = scope.get("extensions")
    if not extensions or REFUSAL not in extensions:
        return None
    refusal: Refusal = extensions[REFUSAL]["refusal"]
    return refusal


async def send_refusal(refusal: Refusal, send: Send) -> None:
    """Answer ``refusal`` as problem details and ask for the connection to close."""
    headers = [(b"connection", b"close")]
    if refusal.retry_after is not None:
        headers.append((b"retry-after", str(refusal.retry_after).encode()))
    await send_problem(send, refusal.status, refusal.detail, headers)
