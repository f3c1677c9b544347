"""GET /metrics: the Prometheus text of every worker, for the operator's scraper.

It needs no token: it holds counts, durations and states, never a user, a path
with an id in it or a header. Keep it on a network only the scraper reaches.
"""

from __future__ import annotations

import time

from litestar import Response, get
from litestar.datastructures import State
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Send

from adapters.metrics import CONTENT_TYPE, UNMATCHED, Metrics


@get("/metrics", include_in_schema=False, sync_to_thread=False)
def metrics(state: State) -> Response[bytes]:
    """Every metric in the Prometheus text format.

    In the event loop, not a thread: the work is Python's, not waiting. Measured with
    two workers, a scrape takes 8.0 ms against 2.4 ms for ``GET /health/live/`` (median
    of 300), a pause of a few ms once per scrape interval.
    """
    found: Metrics = state.metrics
    return Response(found.exposition(), media_type=CONTENT_TYPE)


def route_of(scope: HTTPScope) -> str:
    """The template of the route that answered (``/collections/{collection_uuid}``), or
    UNMATCHED: never the raw path, so that labels stay few."""
    return scope.get("path_template") or UNMATCHED


class RequestMetrics:
    """An ASGI app measuring each HTTP request the app it wraps answers.

    A request is counted as the last part of its answer is handed on, not after:
    a client that has read the whole answer then finds it counted in any scrape.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: HTTPScope, receive: Receive, send: Send) -> None:
        """Answer the request, measuring it once."""
        status = 0
        started = time.perf_counter()
        measured = False

        def measure() -> None:
            nonlocal measured
            if not measured:
                measured = True
                seconds = time.perf_counter() - started
                self.metrics.request(scope["method"], route_of(scope), status, seconds)

        async def send_measured(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                measure()
            await send(message)

        try:
            await self.app(scope, receive, send_measured)
        finally:
            measure()  # an answer cut short (status 0 if none began) counts too
