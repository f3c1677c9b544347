"""OPTIONS answers whose ``Allow`` lists every method a path serves.

Litestar (2.25) builds a path's OPTIONS handler when the path's first handler is
registered and keeps it when more are added, so ``OPTIONS /collections/`` answered
``Allow: OPTIONS, POST`` although GET works. One handler per path, made from the
whole list of handlers, states what the router itself uses for 405.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from litestar import Response, route
from litestar.enums import HttpMethod
from litestar.handlers import HTTPRouteHandler
from litestar.status_codes import HTTP_204_NO_CONTENT


def _options(path: str, allow: str) -> HTTPRouteHandler:
    @route(path, http_method=[HttpMethod.OPTIONS], include_in_schema=False, sync_to_thread=False)
    def options() -> Response[None]:
        return Response(None, status_code=HTTP_204_NO_CONTENT, headers={"Allow": allow})

    return options


def options_handlers(handlers: Sequence[HTTPRouteHandler]) -> list[HTTPRouteHandler]:
    """An OPTIONS handler for each path of ``handlers``, allowing all of that path's methods."""
    methods: defaultdict[str, set[str]] = defaultdict(lambda: {HttpMethod.OPTIONS.value})
    for handler in handlers:
        for path in handler.paths:
            methods[path] |= set(handler.http_methods)
            if HttpMethod.GET in handler.http_methods:  # served by _head
                methods[path].add(HttpMethod.HEAD.value)
    return [_options(path, ", ".join(sorted(allowed))) for path, allowed in methods.items()]
