"""The Litestar application factory."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Litestar, Request, Router
from litestar.di import Provide
from litestar.exceptions import HTTPException, SerializationException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge

from adapters.metrics import Metrics
from moviecore import FieldError, Limits, ValidationError
from moviecore.ports import DEFAULT_LIMITS

from ._auth import current_session, current_user
from ._backend import OpenBackend, Service, root_path
from ._bodies import checked_body
from ._counting import RequestCounting
from ._docs import docs_assets
from ._health import health, live, ready
from ._index import index
from ._openapi import finish_openapi, openapi_config
from ._options import options_handlers
from ._problems import EXCEPTION_HANDLERS
from ._routes import COLLECTION_ROUTES, ROUTES


class JsonBodyRequest(Request[Any, Any, Any]):
    """A request whose body is read only as JSON, checked whole against what its handler
    takes (``_bodies``), and whose unreadable body is always the client's mistake, told
    in the service's words.

    A body of any other media type is refused 415 before it is decoded: a form or
    ``text/plain`` POST is one a page on any origin may send without a CORS preflight.
    msgspec reports nesting too deep to follow and invalid UTF-8 inside a string
    as RecursionError and UnicodeDecodeError, not as a DecodeError; Litestar
    would let those through as server errors.
    """

    async def body(self) -> bytes:
        """The body's bytes; a body over the limit is a 413 naming the limit."""
        try:
            return await super().body()
        except RequestEntityTooLarge as exc:
            limit = self.route_handler.resolve_request_max_body_size()
            raise RequestEntityTooLarge(f"the body must be at most {limit:,} bytes") from exc

    async def json(self) -> Any:
        """The decoded JSON body, checked whole; any body that cannot be decoded is a 400."""
        media_type = self.content_type[0]
        if media_type != "application/json" and not media_type.endswith("+json"):
            raise UnsupportedMediaType(
                "the body must be JSON, sent with Content-Type: application/json"
            )
        try:
            raw = await super().json()
        except RecursionError as exc:
            raise _unreadable("must be JSON nested less deeply") from exc
        except UnicodeDecodeError as exc:
            raise _unreadable("must be UTF-8: it holds bytes that are not") from exc
        except SerializationException as exc:
            raise _unreadable(f"must be valid JSON{_where(exc.detail)}") from exc
        data = self.route_handler.parsed_data_field
        if data is None or not (
            isinstance(data.annotation, type) and issubclass(data.annotation, msgspec.Struct)
        ):
            return raw
        service: Service = self.app.state.service
        return checked_body(raw, data.annotation, service.limits)


_BYTE = re.compile(r"\(byte (?P<offset>[0-9]+)\)")
"""Where msgspec says a malformed body goes wrong: the one part of its words kept."""


def _where(detail: str) -> str:
    if offset := _BYTE.search(detail):
        return f" (it goes wrong at byte {offset['offset']})"
    if "truncated" in detail:
        return " (it ends too early)"
    return ""


def _unreadable(message: str) -> ValidationError:
    return ValidationError([FieldError("body", message)])


class UnsupportedMediaType(HTTPException):
    """A body of a media type the API does not read."""

    status_code = HTTPStatus.UNSUPPORTED_MEDIA_TYPE


def create_http_app(
    open_backend: OpenBackend,
    *,
    limits: Limits = DEFAULT_LIMITS,
    max_body_bytes: int,
    public_url: str | None = None,
    cors_origins: Sequence[str] = (),
    trusted_proxies: Sequence[str] = (),
    access_log: bool = False,
    metrics: Metrics | None = None,
    operators: Sequence[str] = (),
    debug: bool = False,
) -> RequestCounting:
    """The HTTP API as an ASGI app; ``open_backend`` is entered for the app's lifetime.

    Use ``fixed_backend(Backend(ports))`` for ports that are already open. Links
    start with ``public_url`` when given, never with a client's Host header.
    Browsers on ``cors_origins`` (``*`` for any) may call the API; none by default.
    From peers in ``trusted_proxies`` (addresses and networks), the client and
    scheme are those their ``X-Forwarded-For`` and ``X-Forwarded-Proto`` name.
    With ``access_log``, each request is logged once answered. With ``metrics``, each
    request is measured into it (served by the composition root on a port of its own).
    ``operators`` names users who are operators beside those the user store marks.
    """

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with open_backend() as backend:
            app.state.backend = backend
            app.state.service = Service(backend.ports, limits, public_url, tuple(operators))
            yield

    def service_of(app: Litestar) -> Service:
        service: Service = app.state.service
        return service

    handlers = [*ROUTES, health, ready, live, index]
    # The OPTIONS handlers first, so that Litestar adds none of its own.
    collections = [*options_handlers(COLLECTION_ROUTES), *COLLECTION_ROUTES]
    app = Litestar(
        route_handlers=[
            *options_handlers(handlers),
            *handlers,
            Router("/collections", route_handlers=collections),
            # The original assignment's spelling: served, but one name in the document.
            Router("/collection", route_handlers=collections, include_in_schema=False),
            docs_assets(),
        ],
        dependencies={
            "service": Provide(lambda: service_of(app), sync_to_thread=False),
            "user": Provide(current_user),
            "signed_in": Provide(current_session),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[lifespan],
        openapi_config=openapi_config(root_path(public_url)),
        request_class=JsonBodyRequest,
        request_max_body_size=max_body_bytes,
        logging_config=None,  # the process's logging (adapters.logs) is left as it is
        debug=debug,
    )
    finish_openapi(app.openapi_schema, limits)
    return RequestCounting(
        app,
        cors_origins=cors_origins,
        access_log=access_log,
        metrics=metrics,
        trusted_proxies=trusted_proxies,
    )
