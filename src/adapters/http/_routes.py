"""The route handlers: each turns a request into one moviecore use case call.

COLLECTION_ROUTES are relative to ``/collections``; the app also serves them at
``/collection`` for clients written against the original assignment.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, delete, get, patch, post, put
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import Example
from litestar.params import Body, FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from moviecore import Collection, PageNotFound, ValidationError

from ._auth import SECURITY
from ._backend import Service
from ._etags import (
    ETAG_HEADER,
    FIRST_VERSION,
    NOT_MODIFIED,
    IfMatch,
    IfNoneMatch,
    etag,
    expected_version,
    not_modified,
)
from ._problems import problem_responses
from ._request_log import client_address
from ._schemas import (
    CollectionBody,
    CollectionCreated,
    CollectionsPageBody,
    CollectionUpdate,
    Credentials,
    Message,
    MoviePosition,
    MoviesPageBody,
    MoviesToAdd,
    NewCollection,
    RequestCount,
    ServedMovie,
    TokenBody,
)
from ._sessions import SESSION_ROUTES

_MAX_PAGE = 2**31 - 1
"""Pages beyond this are past the end of any catalog, and would overflow a database integer."""

# The minimum is documented only: the core checks it, with the contract's message.
Page = Annotated[
    int, QueryParameter(description="The page number, from 1.", schema_extra={"minimum": 1})
]
Search = Annotated[
    str,
    QueryParameter(
        description=(
            "Words to find in titles and descriptions: case, accents and punctuation do not"
            " matter, and a word finds the words it begins. Ranked: the exact title, titles"
            " starting with the words, titles holding them, then descriptions; ties in"
            " catalog order. Empty: the plain listing."
        ),
        schema_extra={"maxLength": 200},
    ),
]
Genre = Annotated[
    str,
    QueryParameter(
        description="Only movies of this genre (exact, after trimming), with or without search.",
    ),
]
HoldingMovie = Annotated[
    UUID | None,
    QueryParameter(description="Only the collections holding the movie with this uuid."),
]
_EXAMPLE_MOVIE = {
    "uuid": "9b5d3c9e-6a55-4b9e-8f0e-2c8d1b7a4e10",
    "title": "Alien",
    "description": "The crew of a space tug meets a deadly lifeform.",
    "genres": "Horror, Science Fiction",
}
MoviesToAddBody = Annotated[
    MoviesToAdd,
    Body(
        media_type=RequestEncodingType.JSON,
        examples=[
            Example(summary="One movie, at the end", value=_EXAMPLE_MOVIE),
            Example(
                summary="Several movies, at the front",
                value={"movies": [_EXAMPLE_MOVIE], "position": 0},
            ),
        ],
    ),
]
MoviePositionBody = Annotated[
    MoviePosition,
    Body(
        media_type=RequestEncodingType.JSON,
        examples=[Example(summary="To the front", value={"position": 0})],
    ),
]
ServiceDep = NamedDependency[Service]
User = NamedDependency[UUID]
"""The id of the user the bearer token names."""


# The problems each kind of request may be answered with, for the OpenAPI document.
_PROTECTED = (HTTPStatus.UNAUTHORIZED, HTTPStatus.SERVICE_UNAVAILABLE)
_WITH_BODY = (HTTPStatus.BAD_REQUEST, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
# Naming a page or a collection: Litestar documents a 400 for any parameter, ours is a problem.
_LOOKUP = (HTTPStatus.BAD_REQUEST, HTTPStatus.NOT_FOUND)
# Writes that may name the version they expect in If-Match.
_CONDITIONAL = (HTTPStatus.PRECONDITION_FAILED,)


_LOCATION = ResponseHeader(
    name="Location",
    description="The absolute URL of what was created.",
    documentation_only=True,
)


def not_modified_response(headers: dict[str, str]) -> Response[Any]:
    """A 304: the client's copy is current; it has no body."""
    return Response(None, status_code=HTTPStatus.NOT_MODIFIED, headers=headers)


def _page(page: int) -> int:
    if page > _MAX_PAGE:
        raise PageNotFound(f"page {page} is past the last page")
    return page


def _if_match(request: Request[Any, Any, Any]) -> int | None:
    """The version the request's If-Match requires, if any."""
    return expected_version(request.headers.getall("if-match", []))


def _stored(collection: Collection) -> Response[CollectionBody]:
    """The answer of a read or a change: the collection as stored, and its ETag."""
    return Response(CollectionBody.of(collection), headers=etag(collection.version))


@post(
    "/register",
    status_code=HTTP_201_CREATED,
    tags=["accounts"],
    response_headers=[_LOCATION],
    responses=problem_responses(*_WITH_BODY, HTTPStatus.CONFLICT, HTTPStatus.SERVICE_UNAVAILABLE),
)
async def register(
    request: Request[Any, Any, Any], data: JSONBody[Credentials], service: ServiceDep
) -> Response[TokenBody]:
    """Create an account and return the tokens of its first session."""
    tokens = await service.core.register_for_tokens(data.username, data.password)
    # Location names what the token opens (the account itself is at /me/).
    location = {"Location": service.link(request.base_url, "/collections/")}
    return Response(TokenBody.of(tokens), headers=location)


@post(
    "/login",
    status_code=HTTP_200_OK,
    tags=["accounts"],
    responses=problem_responses(
        *_WITH_BODY,
        HTTPStatus.UNAUTHORIZED,
        HTTPStatus.TOO_MANY_REQUESTS,
        HTTPStatus.SERVICE_UNAVAILABLE,
    ),
)
async def login(
    request: Request[Any, Any, Any], data: JSONBody[Credentials], service: ServiceDep
) -> TokenBody:
    """Start a new session for a matching username and password; return its tokens."""
    tokens = await service.core.login_for_tokens(
        data.username, data.password, address=client_address(request.scope)
    )
    return TokenBody.of(tokens)


@get(
    "/movies",
    security=SECURITY,
    tags=["catalog"],
    responses=problem_responses(*_PROTECTED, *_LOOKUP),
)
async def list_movies(
    request: Request[Any, Any, Any],
    user: User,
    service: ServiceDep,
    page: Page = 1,
    search: Search = "",
    genre: Genre = "",
) -> MoviesPageBody:
    """One page of the movie catalog, or of the movies a search finds, with absolute links
    to the next and previous pages."""
    result = await service.core.search_movies(search, _page(page), genre=genre)
    asked = {name: value for name, value in (("search", search), ("genre", genre)) if value.strip()}
    return MoviesPageBody.of(result, service.link(request.base_url, "/movies/"), asked)


@get(
    "/movies/{movie_uuid:uuid}",
    summary="Read one movie of the catalog",
    security=SECURITY,
    tags=["catalog"],
    responses=problem_responses(*_PROTECTED, *_LOOKUP, HTTPStatus.CONFLICT),
)
async def get_movie(movie_uuid: FromPath[UUID], user: User, service: ServiceDep) -> ServedMovie:
    """The catalog's movie with this uuid, as a collection would keep it.

    With an upstream catalog, the movie is looked up in its local copy: 409
    `catalog-not-synced` until `moviecore catalog sync` has filled it.
    """
    return ServedMovie.of(await service.core.get_movie(movie_uuid))


@post(
    "/",
    status_code=HTTP_201_CREATED,
    security=SECURITY,
    tags=["collections"],
    response_headers=[ETAG_HEADER, _LOCATION],
    responses=problem_responses(*_PROTECTED, *_WITH_BODY),
)
async def create_collection(
    request: Request[Any, Any, Any], data: JSONBody[NewCollection], user: User, service: ServiceDep
) -> Response[CollectionCreated]:
    """Create a collection of movie snapshots for the caller."""
    uuid = await service.core.create_collection(user, data.to_draft())
    location = {"Location": service.link(request.base_url, f"/collections/{uuid}/")}
    body = CollectionCreated(uuid, FIRST_VERSION)
    return Response(body, headers={**etag(FIRST_VERSION), **location})


@get(
    "/",
    security=SECURITY,
    tags=["collections"],
    responses=problem_responses(*_PROTECTED, *_LOOKUP),
)
async def list_collections(
    request: Request[Any, Any, Any],
    user: User,
    service: ServiceDep,
    page: Page = 1,
    movie: HoldingMovie = None,
) -> CollectionsPageBody:
    """One page of the caller's collections, newest first, each with its movie count and
    version, with their favourite genres and absolute links to the next and previous
    pages; with `movie`, only those holding that movie."""
    result = await service.core.list_collections(user, _page(page), movie=movie)
    link = service.link(request.base_url, "/collections/")
    query = {} if movie is None else {"movie": str(movie)}
    return CollectionsPageBody.of(result, link, service.limits.collections_page_size, query)


@get(
    "/{collection_uuid:uuid}",
    security=SECURITY,
    tags=["collections"],
    response_headers=[ETAG_HEADER],
    responses={**problem_responses(*_PROTECTED, *_LOOKUP), **NOT_MODIFIED},
)
async def get_collection(
    request: Request[Any, Any, Any],
    collection_uuid: FromPath[UUID],
    user: User,
    service: ServiceDep,
    if_none_match: IfNoneMatch = None,
) -> Response[CollectionBody]:
    """One of the caller's collections with its movies; `304` if the client's copy is current."""
    collection = await service.core.get_collection(user, collection_uuid)
    if not_modified(request.headers.getall("if-none-match", []), collection.version):
        return not_modified_response(etag(collection.version))
    return _stored(collection)


@put(
    "/{collection_uuid:uuid}",
    security=SECURITY,
    tags=["collections"],
    response_headers=[ETAG_HEADER],
    responses=problem_responses(*_PROTECTED, *_WITH_BODY, *_LOOKUP, *_CONDITIONAL),
)
async def update_collection(
    request: Request[Any, Any, Any],
    collection_uuid: FromPath[UUID],
    data: JSONBody[CollectionUpdate],
    user: User,
    service: ServiceDep,
    if_match: IfMatch = None,
) -> Response[CollectionBody]:
    """Change the given fields of one of the caller's collections; movies replace the list.

    The answer is the collection as stored by this update.
    """
    collection = await service.core.update_collection(
        user, collection_uuid, data.to_changes(), expected_version=_if_match(request)
    )
    return _stored(collection)


@delete(
    "/{collection_uuid:uuid}",
    status_code=HTTP_200_OK,
    security=SECURITY,
    tags=["collections"],
    responses=problem_responses(*_PROTECTED, *_LOOKUP, *_CONDITIONAL),
)
async def delete_collection(
    request: Request[Any, Any, Any],
    collection_uuid: FromPath[UUID],
    user: User,
    service: ServiceDep,
    if_match: IfMatch = None,
) -> Message:
    """Delete one of the caller's collections."""
    await service.core.delete_collection(user, collection_uuid, expected_version=_if_match(request))
    return Message(f"Collection with UUID {collection_uuid} has been deleted.")


@post(
    "/{collection_uuid:uuid}/movies",
    status_code=HTTP_200_OK,
    summary="Add movies to a collection",
    security=SECURITY,
    tags=["collections"],
    response_headers=[ETAG_HEADER],
    responses=problem_responses(*_PROTECTED, *_WITH_BODY, *_LOOKUP, *_CONDITIONAL),
)
async def add_movies(
    request: Request[Any, Any, Any],
    collection_uuid: FromPath[UUID],
    data: MoviesToAddBody,
    user: User,
    service: ServiceDep,
    if_match: IfMatch = None,
) -> Response[CollectionBody]:
    """Add one movie, or several in `movies`, to one of the caller's collections: before
    the movie at `position` (from 0), or after the last one if `position` is absent.

    A movie the collection already holds stays where it is. The answer is the collection
    as stored by this change, one version higher.
    """
    try:
        collection = await service.core.add_movies(
            user,
            collection_uuid,
            data.to_movies(),
            position=data.position,
            expected_version=_if_match(request),
        )
    except ValidationError as error:
        raise data.named(error) from None
    return _stored(collection)


@patch(
    "/{collection_uuid:uuid}/movies/{movie_uuid:uuid}",
    summary="Move a movie within a collection",
    security=SECURITY,
    tags=["collections"],
    response_headers=[ETAG_HEADER],
    responses=problem_responses(*_PROTECTED, *_WITH_BODY, *_LOOKUP, *_CONDITIONAL),
)
async def move_movie(
    request: Request[Any, Any, Any],
    collection_uuid: FromPath[UUID],
    movie_uuid: FromPath[UUID],
    data: MoviePositionBody,
    user: User,
    service: ServiceDep,
    if_match: IfMatch = None,
) -> Response[CollectionBody]:
    """Move a movie of one of the caller's collections so that it stands at `position`
    (from 0), the others keeping their order.

    The answer is the collection as stored by this change, one version higher.
    """
    return _stored(
        await service.core.move_movie(
            user, collection_uuid, movie_uuid, data.position, expected_version=_if_match(request)
        )
    )


@delete(
    "/{collection_uuid:uuid}/movies/{movie_uuid:uuid}",
    status_code=HTTP_200_OK,
    summary="Remove a movie from a collection",
    security=SECURITY,
    tags=["collections"],
    response_headers=[ETAG_HEADER],
    responses=problem_responses(*_PROTECTED, *_LOOKUP, *_CONDITIONAL),
)
async def remove_movie(
    request: Request[Any, Any, Any],
    collection_uuid: FromPath[UUID],
    movie_uuid: FromPath[UUID],
    user: User,
    service: ServiceDep,
    if_match: IfMatch = None,
) -> Response[CollectionBody]:
    """Take a movie (every occurrence of it) out of one of the caller's collections.

    The answer is the collection as stored by this change, one version higher.
    """
    return _stored(
        await service.core.remove_movie(
            user, collection_uuid, movie_uuid, expected_version=_if_match(request)
        )
    )


@get(
    "/request-count",
    security=SECURITY,
    tags=["request count"],
    responses=problem_responses(*_PROTECTED),
)
async def read_request_count(user: User, service: ServiceDep) -> RequestCount:
    """How many requests the service answered since the last reset, this one included."""
    return RequestCount(await service.core.read_request_count())


@post(
    "/request-count/reset",
    status_code=HTTP_200_OK,
    security=SECURITY,
    tags=["request count"],
    responses=problem_responses(*_PROTECTED, HTTPStatus.FORBIDDEN),
)
async def reset_request_count(user: User, service: ServiceDep) -> Message:
    """Start the request count again from zero; operators only."""
    await service.core.require_operator(user)
    await service.core.reset_request_count()
    return Message("Request count reset successfully")


ROUTES: list[HTTPRouteHandler] = [
    register,
    login,
    *SESSION_ROUTES,
    list_movies,
    get_movie,
    read_request_count,
    reset_request_count,
]
"""The handlers at the root."""

COLLECTION_ROUTES: list[HTTPRouteHandler] = [
    create_collection,
    list_collections,
    get_collection,
    update_collection,
    delete_collection,
    add_movies,
    move_movie,
    remove_movie,
]
"""The handlers under ``/collections`` (and ``/collection``)."""
