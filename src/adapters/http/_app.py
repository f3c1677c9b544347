"""The Litestar application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.exceptions import SerializationException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

import moviecore
from moviecore import DEFAULT_LIMITS, Limits

from ._auth import BEARER_SCHEME, current_user
from ._backend import OpenBackend, Service
from ._counting import RequestCounting
from ._health import health, live
from ._index import index
from ._options import options_handlers
from ._problems import EXCEPTION_HANDLERS
from ._routes import ROUTES

DEFAULT_MAX_BODY_BYTES = 1024 * 1024


class JsonBodyRequest(Request[Any, Any, Any]):
    """A request whose unreadable JSON body is always the client's mistake.

    msgspec reports nesting too deep to follow and invalid UTF-8 inside a string
    as RecursionError and UnicodeDecodeError, not as a DecodeError; Litestar
    would let those through as server errors.
    """

    async def json(self) -> Any:
        """The decoded JSON body; any body that cannot be decoded is a 400."""
        try:
            return await super().json()
        except RecursionError as exc:
            raise SerializationException("JSON is nested too deeply") from exc
        except UnicodeDecodeError as exc:
            raise SerializationException("JSON is malformed: invalid UTF-8") from exc


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
    public_url: str | None = None,
    cors_origins: Sequence[str] = (),
    debug: bool = False,
) -> RequestCounting:
    """The HTTP API as an ASGI app; ``open_backend`` is entered for the app's lifetime.

    Use ``fixed_backend(Backend(ports))`` for ports that are already open. Links
    start with ``public_url`` when given, never with a client's Host header.
    Browsers on ``cors_origins`` (``*`` for any) may call the API; none by default.
    """

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with open_backend() as backend:
            app.state.backend = backend
            app.state.service = Service(backend.ports, limits, public_url)
            yield

    def service_of(app: Litestar) -> Service:
        service: Service = app.state.service
        return service

    handlers = [*ROUTES, health, live, index]
    app = Litestar(
        # The OPTIONS handlers first, so that Litestar adds none of its own.
        route_handlers=[*options_handlers(handlers), *handlers],
        dependencies={
            "service": Provide(lambda: service_of(app), sync_to_thread=False),
            "user": Provide(current_user),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[lifespan],
        openapi_config=_openapi(),
        request_class=JsonBodyRequest,
        request_max_body_size=max_body_bytes,
        cors_config=CORSConfig(allow_origins=list(cors_origins)) if cors_origins else None,
        debug=debug,
    )
    return RequestCounting(app)
