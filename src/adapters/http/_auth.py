"""Bearer-token authentication: the ``user`` dependency of every protected handler."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar.di import NamedDependency
from litestar.params import HeaderParameter

from moviecore import InvalidToken, authenticate

from ._backend import Service
from ._request_log import note_user

BEARER_SCHEME = "BearerAuth"
"""The name of the security scheme in the OpenAPI document."""

SECURITY: list[dict[str, list[str]]] = [{BEARER_SCHEME: []}]
"""The OpenAPI security requirement of a protected handler."""


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header value."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    if scheme.casefold() != "bearer" or not token:
        raise InvalidToken("an 'Authorization: Bearer <access_token>' header is required")
    return token


async def current_user(
    service: NamedDependency[Service],
    authorization: Annotated[
        str | None, HeaderParameter(name="Authorization", required=False, include_in_schema=False)
    ] = None,
) -> UUID:
    """The id of the user the request's bearer token names."""
    ports = service.ports
    user = await authenticate(bearer_token(authorization), tokens=ports.tokens, users=ports.users)
    note_user(user)
    return user
