"""The route label of a request's metrics: its template, never its raw path."""

from __future__ import annotations

from litestar.types import HTTPScope

from adapters.metrics import UNMATCHED


def route_of(scope: HTTPScope) -> str:
    """The template of the route that answered (``/collections/{collection_uuid}``), or
    UNMATCHED: never the raw path, so that labels stay few."""
    return scope.get("path_template") or UNMATCHED
