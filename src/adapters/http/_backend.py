"""What the HTTP app runs on: the ports and the health checks, opened in its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from moviecore import Limits, MovieCore
from moviecore.ports import Ports

HealthCheck = Callable[[], Awaitable[object]]
"""Probe one dependency; returning means healthy, raising (or hanging) means failing."""

OpenBackend = Callable[[], AbstractAsyncContextManager["Backend"]]
"""Opens the backend when the app starts and closes it when the app stops."""


@dataclass(frozen=True, slots=True)
class Backend:
    """The ports handlers call, and a health check per dependency, by name."""

    ports: Ports
    health_checks: Mapping[str, HealthCheck] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Service:
    """What a handler works with: the ports, the limits on what clients send, the
    service's public address for links (None: the address each request was sent to),
    and the usernames named operators by the settings; and ``core``, the use cases
    wired once to those ports, limits and operators, which handlers call.

    One dependency rather than two: Litestar resolves several dependencies of one
    level in a task group, which costs more than most handlers.
    """

    ports: Ports
    limits: Limits
    public_url: str | None = None
    operators: tuple[str, ...] = ()
    core: MovieCore = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "core", MovieCore(self.ports, self.limits, self.operators))

    def link(self, request_base_url: object, path: str) -> str:
        """The absolute URL of ``path`` for links and ``Location``: PUBLIC_URL when set, so
        that a forged Host header never ends up in them, else where the request was sent."""
        return f"{self.public_url or str(request_base_url).rstrip('/')}{path}"

    @property
    def root_path(self) -> str:
        """The path a proxy serves the API under, from PUBLIC_URL (``/api``; ``""``)."""
        return root_path(self.public_url)


def root_path(public_url: str | None) -> str:
    """The path of ``public_url`` without its trailing slash: what every path of the API
    is preceded by for a client (``https://host/api`` gives ``/api``; None gives ``""``)."""
    return urlsplit(public_url).path.rstrip("/") if public_url else ""


def fixed_backend(backend: Backend) -> OpenBackend:
    """An OpenBackend for ports that are already open, such as the in-memory ones."""

    @asynccontextmanager
    async def open_backend() -> AsyncIterator[Backend]:
        yield backend

    return open_backend
