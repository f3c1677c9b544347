"""GET /metrics: the Prometheus text of every worker, for the operator's scraper.

It needs no token: it holds counts, durations and states, never a user, a path
with an id in it or a header. Keep it on a network only the scraper reaches.
"""

from __future__ import annotations

from litestar import Response, get
from litestar.datastructures import State
from litestar.types import HTTPScope

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
