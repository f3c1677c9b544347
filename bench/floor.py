"""The framework floor: a bare Litestar app with one JSON handler and nothing else.

Served by the same ASGI server, workers and settings as the service, its
throughput is the most any endpoint of the service could reach.
"""

from __future__ import annotations

from litestar import Litestar, get


@get("/floor")
async def floor() -> dict[str, int]:
    """A constant JSON body about the size of ``GET /request-count/``'s."""
    return {"requests": 0}


def create_floor_app() -> Litestar:
    """The bare app, as an ASGI server's ``--factory`` target."""
    return Litestar(route_handlers=[floor])
