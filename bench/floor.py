"""The framework floor: a bare Litestar app with one JSON handler, served by the service's
own HTTP server with the service's settings (``python -m bench.floor PORT``): no endpoint
of the service can beat it."""

from __future__ import annotations

import sys

from litestar import Litestar, get

from adapters.http import serve_http
from app import load_settings, server_config


@get("/floor/")
async def floor() -> dict[str, int]:
    """A constant JSON body about the size of ``GET /request-count/``'s."""
    return {"requests": 0}


def main() -> int:
    """Serve the floor on 127.0.0.1 at the port given."""
    config = server_config(load_settings(), host="127.0.0.1", port=int(sys.argv[1]))
    return serve_http(lambda: Litestar(route_handlers=[floor]), config)


if __name__ == "__main__":
    raise SystemExit(main())
