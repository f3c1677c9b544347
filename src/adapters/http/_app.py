"""The Litestar application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

import moviecore
from moviecore import DEFAULT_LIMITS, Limits, Ports

from ._auth import BEARER_SCHEME, current_user
from ._backend import Backend, OpenBackend
from ._counting import RequestCounting
from ._health import health
from ._problems import EXCEPTION_HANDLERS
from ._routes import ROUTES

DEFAULT_MAX_BODY_BYTES = 1024 * 1024


def _openapi() -> OpenAPIConfig:
    bearer = SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
    return OpenAPIConfig(
        title="moviecore",
        version=moviecore.__version__,
        description="Movie collections: browse a catalog, keep named lists of movies.",
        path="/schema",
        components=Components(security_schemes={BEARER_SCHEME: bearer}),
    )


def create_http_app(
    open_backend: OpenBackend,
    *,
    limits: Limits = DEFAULT_LIMITS,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    debug: bool = False,
) -> RequestCounting:
    """The HTTP API as an ASGI app; ``open_backend`` is entered for the app's lifetime.

    Use ``fixed_backend(Backend(ports))`` for ports that are already open.
    """

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with open_backend() as backend:
            app.state.backend = backend
            yield

    def ports_of(app: Litestar) -> Ports:
        backend: Backend = app.state.backend
        return backend.ports

    def configured_limits() -> Limits:
        return limits

    app = Litestar(
        route_handlers=[*ROUTES, health],
        dependencies={
            "ports": Provide(lambda: ports_of(app), sync_to_thread=False),
            "limits": Provide(configured_limits, sync_to_thread=False),
            "user": Provide(current_user),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[lifespan],
        openapi_config=_openapi(),
        request_max_body_size=max_body_bytes,
        debug=debug,
    )
    return RequestCounting(app)
