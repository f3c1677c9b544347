"""GET /: what a person who opens the service's address in a browser needs to find the docs."""

from __future__ import annotations

from litestar import get

import moviecore


@get("/", tags=["service"])
async def index() -> dict[str, str]:
    """The service's name and version, and where its documentation is."""
    return {
        "service": "moviecore",
        "version": moviecore.__version__,
        "docs": "/schema/",
        "openapi": "/schema/openapi.json",
    }
