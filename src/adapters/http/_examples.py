"""What the OpenAPI document says of each operation beyond its types: a summary, what
its success means, and an example request and answer (Swagger UI shows ``"string"``
without them, and a client author reads them first).

Keyed by operation id; ``_openapi`` puts them in place and refuses an operation
that has none, so a new handler cannot be left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_COLLECTION = "0b7e1a52-2f9c-4d5e-8a61-3c2f9e0d4b17"
_HOST = "https://api.example"
_TOKEN = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl"
_MOVIE = {
    "uuid": "6f1c1f9e-9b7e-4c59-9a57-5d5e0e4c1a2b",
    "title": "The Godfather",
    "description": "The aging patriarch of an organized crime dynasty hands it to his son.",
    "genres": "Crime, Drama",
}
_CREDENTIALS = {"username": "ada", "password": "correct horse battery"}
_COLLECTION_BODY = {
    "uuid": _COLLECTION,
    "title": "Weekend",
    "description": "Films for Saturday night",
    "movies": [_MOVIE],
    "version": 3,
}
_TOKENS = {
    "access_token": _TOKEN,
    "token_type": "Bearer",
    "expires_in": 900,
    "refresh_token": _TOKEN,
}
_HEALTH = {"status": "ok", "database": "ok", "counter": "ok", "catalog": "ok"}


@dataclass(frozen=True)
class OperationDoc:
    """A summary, what the success answer means, and example bodies (None: no body)."""

    summary: str
    success: str
    answer: Any
    request: Any = None


OPERATIONS = {
    "register": OperationDoc(
        "Create an account",
        "The account was made and signed in: the tokens of its first session are here,"
        " and Location names the collections it opens.",
        _TOKENS,
        _CREDENTIALS,
    ),
    "login": OperationDoc(
        "Log in",
        "A new session: its access token, valid `expires_in` seconds, and the refresh"
        " token that renews it.",
        _TOKENS,
        _CREDENTIALS,
    ),
    "list_movies": OperationDoc(
        "Browse or search the catalog",
        "One page of the catalog, or of the movies the search finds.",
        {
            "count": 45466,
            "page": 2,
            "page_size": 10,
            "pages": 4547,
            "next": f"{_HOST}/movies/?page=3",
            "previous": f"{_HOST}/movies/?page=1",
            "movies": [_MOVIE],
        },
    ),
    "create_collection": OperationDoc(
        "Create a collection",
        'The collection was stored; its ETag is `"1"` and Location is its address.',
        {"collection_uuid": _COLLECTION, "version": 1},
        {"title": "Weekend", "description": "Films for Saturday night", "movies": [_MOVIE]},
    ),
    "list_collections": OperationDoc(
        "List my collections",
        "One page of the caller's collections, newest first, with their favourite genres.",
        {
            "is_success": True,
            "data": {
                "collections": [
                    {
                        "uuid": _COLLECTION,
                        "title": "Weekend",
                        "description": "Films",
                        "movies_count": 1,
                        "version": 3,
                    },
                ],
                "favourite_genres": "Crime, Drama",
                "count": 11,
                "page": 1,
                "page_size": 10,
                "pages": 2,
                "next": f"{_HOST}/collections/?page=2",
                "previous": None,
            },
        },
    ),
    "get_collection": OperationDoc(
        "Read a collection",
        "The collection with its movies, and its ETag.",
        _COLLECTION_BODY,
    ),
    "update_collection": OperationDoc(
        "Change a collection",
        "The collection as this update stored it, with its new ETag.",
        _COLLECTION_BODY,
        {"title": "Weekend", "movies": [_MOVIE]},
    ),
    "delete_collection": OperationDoc(
        "Delete a collection",
        "The collection is gone.",
        {"message": f"Collection with UUID {_COLLECTION} has been deleted."},
    ),
    "get_movie": OperationDoc(
        "Read one movie of the catalog", "The catalog's movie with this uuid.", _MOVIE
    ),
    "add_movies": OperationDoc(
        "Add movies to a collection",
        "The collection as this change stored it, with its new ETag.",
        _COLLECTION_BODY,
        {**_MOVIE, "position": 0},
    ),
    "move_movie": OperationDoc(
        "Move a movie within a collection",
        "The collection with the movie at its new position, and its new ETag.",
        _COLLECTION_BODY,
        {"position": 0},
    ),
    "remove_movie": OperationDoc(
        "Remove a movie from a collection",
        "The collection without the movie, and its new ETag.",
        {**_COLLECTION_BODY, "movies": []},
    ),
    "refresh": OperationDoc(
        "Renew a session's tokens",
        "A new pair of tokens for the same session; the refresh token sent is spent.",
        _TOKENS,
        {"refresh_token": _TOKEN},
    ),
    "logout": OperationDoc("Sign out", "The session has ended (with `all=true`: every one).", None),
    "whoami": OperationDoc(
        "Read my account",
        "The account the access token speaks for.",
        {
            "id": "3d0f5b8e-2c1a-4f7b-9e6d-8a4c2b1e0f9d",
            "username": "ada",
            "created_at": "2026-12-07T09:30:00Z",
        },
    ),
    "change_password": OperationDoc(
        "Change my password",
        "The password is changed; every other session of the account has ended.",
        None,
        {"current_password": "correct horse battery", "new_password": "battery staple horse"},
    ),
    "delete_account": OperationDoc(
        "Delete my account",
        "The account and all its collections are erased; its username is free again.",
        None,
        {"password": "correct horse battery"},
    ),
    "read_request_count": OperationDoc(
        "Read the request count",
        "How many requests the service answered since the last reset, this one included.",
        {"requests": 1234},
    ),
    "reset_request_count": OperationDoc(
        "Reset the request count",
        "The count starts again from zero.",
        {"message": "Request count reset successfully"},
    ),
    "health": OperationDoc("Check health", "Every dependency answers.", _HEALTH),
    "ready": OperationDoc(
        "Readiness probe", "Every dependency answers: send traffic here.", _HEALTH
    ),
    "live": OperationDoc("Liveness probe", "The process answers.", {"status": "ok"}),
    "index": OperationDoc(
        "Find the docs",
        "The service's name and version, and where its documentation is.",
        {
            "service": "moviecore",
            "version": "0.1.0",
            "docs": "/schema/",
            "openapi": "/schema/openapi.json",
        },
    ),
}
"""Each operation's doc, by operation id."""
