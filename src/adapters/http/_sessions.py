"""The handlers of sessions and of one's own account: refresh, sign out, who am I,
change the password, delete the account."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from litestar import Request, delete, get, post, put
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from moviecore import SignedIn

from ._auth import SECURITY
from ._backend import Service
from ._problems import problem_responses
from ._request_log import client_address
from ._schemas import Account, AccountDeletion, PasswordChange, RefreshRequest, TokenBody

ServiceDep = NamedDependency[Service]
Caller = NamedDependency[SignedIn]
"""The user and the session the bearer token speaks for."""
Everywhere = Annotated[
    bool,
    QueryParameter(
        name="all", description="`true`: end every session of the user, on every device."
    ),
]

_PROTECTED = (HTTPStatus.UNAUTHORIZED, HTTPStatus.SERVICE_UNAVAILABLE)
_WITH_BODY = (HTTPStatus.BAD_REQUEST, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
_CONFIRMED = (HTTPStatus.FORBIDDEN, HTTPStatus.TOO_MANY_REQUESTS)


@post(
    "/token/refresh",
    status_code=HTTP_200_OK,
    tags=["accounts"],
    responses=problem_responses(*_WITH_BODY, *_PROTECTED),
)
async def refresh(data: JSONBody[RefreshRequest], service: ServiceDep) -> TokenBody:
    """Exchange a refresh token for a new pair; the one sent is spent. Sending a spent one
    again ends its whole session (401, reason ``reused``)."""
    tokens = await service.core.refresh(data.refresh_token)
    return TokenBody.of(tokens)


@post(
    "/logout",
    status_code=HTTP_204_NO_CONTENT,
    security=SECURITY,
    tags=["accounts"],
    responses=problem_responses(HTTPStatus.BAD_REQUEST, *_PROTECTED),
)
async def logout(signed_in: Caller, service: ServiceDep, everywhere: Everywhere = False) -> None:
    """End this session (its access and refresh tokens), or with ``?all=true`` every
    session of the user."""
    await service.core.logout(signed_in, everywhere=everywhere)


@get("/me", security=SECURITY, tags=["accounts"], responses=problem_responses(*_PROTECTED))
async def whoami(signed_in: Caller, service: ServiceDep) -> Account:
    """The signed-in user's account."""
    return Account.of(await service.core.whoami(signed_in.user))


@put(
    "/me/password",
    status_code=HTTP_204_NO_CONTENT,
    security=SECURITY,
    tags=["accounts"],
    responses=problem_responses(*_WITH_BODY, *_PROTECTED, *_CONFIRMED),
)
async def change_password(
    request: Request[Any, Any, Any],
    data: JSONBody[PasswordChange],
    signed_in: Caller,
    service: ServiceDep,
) -> None:
    """Change the password; every other session of the user ends, this one goes on."""
    await service.core.change_password(
        signed_in, data.current_password, data.new_password, address=client_address(request.scope)
    )


@delete(
    "/me",
    status_code=HTTP_204_NO_CONTENT,
    security=SECURITY,
    tags=["accounts"],
    responses=problem_responses(*_WITH_BODY, *_PROTECTED, *_CONFIRMED),
)
async def delete_account(
    request: Request[Any, Any, Any],
    data: JSONBody[AccountDeletion],
    signed_in: Caller,
    service: ServiceDep,
) -> None:
    """Delete the account with all its collections; its username is free again."""
    await service.core.delete_account(
        signed_in, data.password, address=client_address(request.scope)
    )


SESSION_ROUTES: list[HTTPRouteHandler] = [refresh, logout, whoami, change_password, delete_account]
"""The handlers of sessions and accounts, at the root."""
