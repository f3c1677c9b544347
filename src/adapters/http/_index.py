"""GET /: what a person who opens the service's address in a browser needs to find the docs."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency

import moviecore

from ._backend import Service


@get("/", tags=["service"])
async def index(service: NamedDependency[Service]) -> dict[str, str]:
    """The service's name and version, and where its documentation is."""
    return {
        "service": "moviecore",
        "version": moviecore.__version__,
        "docs": f"{service.root_path}/schema/",
        "openapi": f"{service.root_path}/schema/openapi.json",
    }
