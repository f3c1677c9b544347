"""The probes: GET /health/live (the process answers) and GET /health/ready, also served
at GET /health/, where each dependency is probed at once, each with a deadline.

Only the database is essential: without it nothing can be served, so the
answer is 503. So is it while the worker drains before it stops (``_server``):
``{"status": "draining"}`` tells a load balancer to send no more, at once. A
failing counter store or catalog leaves the service answering (counts wait in
the workers, cached pages are served), so the answer stays 200 with
``"status": "degraded"`` and the failing one named.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Literal

import msgspec
from litestar import Request, Response, get
from litestar.openapi import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

import moviecore

from ._backend import Backend, HealthCheck
from ._protocol import DRAINING

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


Check = Literal["ok", "failing"]


class Liveness(msgspec.Struct, frozen=True):
    """The process answers."""

    status: Literal["ok"]


class HealthReport(msgspec.Struct, frozen=True, omit_defaults=True):
    """The service's state, the version it runs (so that a deploy one instance at a time
    shows which instance runs which), and each dependency's: failing, it is named
    "failing"."""

    status: Literal["ok", "degraded", "failing", "draining"]
    version: str | msgspec.UnsetType = msgspec.UNSET
    database: Check | msgspec.UnsetType = msgspec.UNSET
    counter: Check | msgspec.UnsetType = msgspec.UNSET
    catalog: Check | msgspec.UnsetType = msgspec.UNSET


_DOWN = {
    HTTP_503_SERVICE_UNAVAILABLE: ResponseSpec(
        data_container=HealthReport,
        generate_examples=False,
        description="The database cannot be reached, or the service is draining to stop.",
    )
}


@get("/health/live", tags=["health"])
async def live() -> Liveness:
    """The process answers: for a liveness probe, which must not restart it when a
    dependency is down."""
    return Liveness(status="ok")


async def _report(request: Request[Any, Any, Any]) -> Response[HealthReport]:
    if DRAINING in (request.scope.get("extensions") or ()):
        return Response(HealthReport(status="draining"), status_code=HTTP_503_SERVICE_UNAVAILABLE)
    backend: Backend = request.app.state.backend
    checks = await probe_all(backend.health_checks)
    report = msgspec.convert({**checks, "version": moviecore.__version__}, HealthReport)
    down = report.status == "failing"
    return Response(report, status_code=HTTP_503_SERVICE_UNAVAILABLE if down else HTTP_200_OK)


@get("/health/ready", tags=["health"], responses=_DOWN)
async def ready(request: Request[Any, Any, Any]) -> Response[HealthReport]:
    """Whether the service and each of its dependencies can serve requests: for a
    readiness probe."""
    return await _report(request)


@get("/health", tags=["health"], responses=_DOWN)
async def health(request: Request[Any, Any, Any]) -> Response[HealthReport]:
    """Whether the service and each of its dependencies can serve requests (as
    ``/health/ready/``)."""
    return await _report(request)
