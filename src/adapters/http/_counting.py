"""The outermost ASGI layer: count every HTTP request once, before it is handled.

It sits outside Litestar's router so that requests Litestar answers by itself
(unknown path, wrong method, body too large) are counted too, and counts before
handling so that ``GET /request-count/`` includes itself. CORS (``_cors``) marks the
answers of both; HEAD is answered as GET (``_head``). Requests the server
layer refused (``_refusals``) are counted here too, then answered without Litestar,
with a request id, an access line and metrics like any other.

Behind proxies it trusts, the client and scheme of each request are taken from its
``X-Forwarded-For`` and ``X-Forwarded-Proto`` first, by uvicorn's ProxyHeadersMiddleware,
so that the access line, the login throttle and links all see the same client.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.types import (
    LifeSpanReceive,
    LifeSpanScope,
    LifeSpanSend,
    Receive,
    Scope,
    Send,
)
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from adapters.metrics import REFUSED, Metrics
from moviecore import Unavailable

from ._backend import Backend
from ._cors import Cors
from ._head import HeadAsGet
from ._refusals import refusal_of, send_refusal
from ._request_log import RequestLog

_logger = logging.getLogger("moviecore.http")


class RequestCounting:
    """An ASGI app that counts each HTTP request, then hands it to the Litestar app."""

    def __init__(
        self,
        app: Litestar,
        *,
        cors_origins: Sequence[str] = (),
        access_log: bool = False,
        metrics: Metrics | None = None,
        trusted_proxies: Sequence[str] = (),
    ) -> None:
        self.app = app
        answer, refuse = Cors(HeadAsGet(app), cors_origins), Cors(_answer_refusal, cors_origins)
        self._answer = _behind(
            trusted_proxies,
            RequestLog(answer, access_log=access_log, metrics=metrics),  # type: ignore[arg-type]
        )
        self._refuse = _behind(
            trusted_proxies,
            RequestLog(refuse, access_log=access_log, metrics=metrics),  # type: ignore[arg-type]
        )

    async def __call__(
        self,
        scope: Scope | LifeSpanScope,
        receive: Receive | LifeSpanReceive,
        send: Send | LifeSpanSend,
    ) -> None:
        """Count an HTTP request, then let the app answer it with its request id; pass
        other scopes through."""
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        backend: Backend = self.app.state.backend
        try:
            await backend.ports.counter.add()
        except Unavailable:  # a lost count must not turn into a failed request
            _logger.warning("the request counter is unavailable", exc_info=True)
        if refusal_of(scope) is None:
            await self._answer(scope, receive, send)
        else:
            scope["path_template"] = REFUSED  # type: ignore[typeddict-unknown-key]
            await self._refuse(scope, receive, send)


_HttpApp = Callable[[Any, Any, Any], Awaitable[None]]
"""An ASGI app of HTTP scopes, as Litestar's types and uvicorn's (private) ones both name it."""


def _behind(trusted_proxies: Sequence[str], app: _HttpApp) -> _HttpApp:
    """``app``, reading the client and scheme a trusted proxy forwarded, if any is trusted."""
    if not trusted_proxies:
        return app
    return ProxyHeadersMiddleware(app, list(trusted_proxies))


async def _answer_refusal(scope: Scope, receive: Receive, send: Send) -> None:
    refusal = refusal_of(scope)
    assert refusal is not None
    await send_refusal(refusal, send)
