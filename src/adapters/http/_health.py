"""The probes: GET /health/live (the process answers) and GET /health/ready, also served
at GET /health/, where each dependency is probed at once, each with a deadline.

Only the database is essential: without it nothing can be served, so the
answer is 503. A failing counter store or catalog leaves the service
answering (counts wait in the workers, cached pages are served), so the
answer stays 200 with ``"status": "degraded"`` and the failing one named.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from litestar import Response, get
from litestar.datastructures import State
from litestar.openapi import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from ._backend import Backend, HealthCheck

ESSENTIAL = "database"
"""The check whose failure means the service cannot serve at all."""

PROBE_SECONDS = 2.0
"""How long a dependency may take to answer before it counts as failing."""


async def _probe(check: HealthCheck) -> str:
    try:
        await asyncio.wait_for(check(), PROBE_SECONDS)
    except Exception:  # whatever went wrong, the dependency is not serving
        return "failing"
    return "ok"


async def probe_all(checks: Mapping[str, HealthCheck]) -> dict[str, str]:
    """ "ok" or "failing" for each named check, and an overall "status"."""
    results = await asyncio.gather(*(_probe(check) for check in checks.values()))
    report = dict(zip(checks, results, strict=True))
    if report.get(ESSENTIAL) == "failing":
        status = "failing"
    else:
        status = "degraded" if "failing" in report.values() else "ok"
    return {"status": status, **report}


@get("/health/live", tags=["health"])
async def live() -> dict[str, str]:
    """The process answers: for a liveness probe, which must not restart it when a
    dependency is down."""
    return {"status": "ok"}


@get(
    ["/health", "/health/ready"],
    tags=["health"],
    responses={
        HTTP_503_SERVICE_UNAVAILABLE: ResponseSpec(
            data_container=dict[str, str], description="The database cannot be reached."
        )
    },
)
async def health(state: State) -> Response[dict[str, str]]:
    """Whether the service and each of its dependencies can serve requests: for a
    readiness probe."""
    backend: Backend = state.backend
    report = await probe_all(backend.health_checks)
    down = report["status"] == "failing"
    return Response(report, status_code=HTTP_503_SERVICE_UNAVAILABLE if down else HTTP_200_OK)
