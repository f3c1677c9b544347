"""The service with counting taken off, and nothing else, to measure what counting costs.

It is ``app:create_app`` whole, request-id and refusal layer included, but once
the backend is open the counter that layer adds each request to is swapped for one
whose ``add`` does nothing; reading and resetting the count are the real counter's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from litestar import Litestar

from adapters.http import RequestCounting
from app import create_app
from moviecore import RequestCounter


@dataclass(frozen=True, slots=True)
class _NotCounting:
    """The service's counter but for ``add``."""

    counter: RequestCounter

    async def add(self, n: int = 1) -> None:
        """Count nothing."""

    async def read(self) -> int:
        """The real counter's count."""
        return await self.counter.read()

    async def reset(self) -> None:
        """Reset the real counter."""
        await self.counter.reset()


def _stop_counting(app: Litestar) -> None:
    # Only the layer that counts reads the backend's ports; handlers read the service's.
    backend = app.state.backend
    ports = replace(backend.ports, counter=_NotCounting(backend.ports.counter))
    app.state.backend = replace(backend, ports=ports)


def create_uncounted_app() -> RequestCounting:
    """The service without counting, as an ASGI server's ``--factory`` target."""
    service = create_app()
    service.app.on_startup.append(_stop_counting)  # runs once the backend is open
    return service
