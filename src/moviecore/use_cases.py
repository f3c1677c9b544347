"""The use cases as functions, each taking as keyword arguments the ports it needs.

``moviecore.MovieCore`` has each of them as a method on ports given once; these are
for code that wires the ports one call at a time. Each docstring lists the errors the
use case raises (``help(moviecore.use_cases.update_collection)``).
"""

from ._accounts import (
    confirm_password,
    login_for_tokens,
    login_user,
    register_for_tokens,
    register_user,
)
from ._catalog import get_movie, list_movies, search_movies
from ._collection_movies import add_movies, move_movie, remove_movie
from ._collections import (
    create_collection,
    delete_collection,
    get_collection,
    list_collections,
    update_collection,
)
from ._counter import read_request_count, reset_request_count
from ._public import publish
from ._sessions import (
    authenticate,
    change_password,
    delete_account,
    logout,
    refresh,
    require_operator,
    whoami,
)

__all__ = [
    "add_movies",
    "authenticate",
    "change_password",
    "confirm_password",
    "create_collection",
    "delete_account",
    "delete_collection",
    "get_collection",
    "get_movie",
    "list_collections",
    "list_movies",
    "login_for_tokens",
    "login_user",
    "logout",
    "move_movie",
    "read_request_count",
    "refresh",
    "register_for_tokens",
    "register_user",
    "remove_movie",
    "require_operator",
    "reset_request_count",
    "search_movies",
    "update_collection",
    "whoami",
]

publish(__all__, globals(), __name__)
