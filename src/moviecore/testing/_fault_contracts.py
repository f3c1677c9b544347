"""The storage fault contract: a broken storage shows as StorageUnavailable, whatever broke.

Callers catch ``MovieCoreError``s only; an adapter letting its driver's error out
(``sqlite3.OperationalError``, ``psycopg.OperationalError``) turns an outage into a
crash, and one returning an answer hides it. Each case breaks the storage under the
adapters, with the ``break_storage`` fixture the adapter's suite provides, then makes
one call of a port.
"""

from __future__ import annotations

import sysconfig
import traceback
from collections.abc import Awaitable, Callable
from uuid import uuid4

import pytest

from moviecore import CollectionChanges, StorageUnavailable
from moviecore.ports import CollectionRepository, UserRepository

from ._contract_base import Contract, collection, user

BreakStorage = Callable[[], Awaitable[None]]
"""Breaks the storage under the adapters under test, so that every later call fails."""

_OWNER = uuid4()
# Each call is made only once the storage is broken: a coroutine made before would
# never be awaited if an earlier call failed.
_CALLS: dict[str, Callable[[UserRepository, CollectionRepository], Awaitable[object]]] = {
    "users.add(user)": lambda users, _: users.add(user()),
    "users.by_username(name)": lambda users, _: users.by_username("ada"),
    "users.by_id(id)": lambda users, _: users.by_id(uuid4()),
    "users.change_password(id, hash)": lambda users, _: users.change_password(uuid4(), "h"),
    "users.set_operator(name, True)": lambda users, _: users.set_operator("ada", True),
    "users.remove(id)": lambda users, _: users.remove(uuid4()),
    "collections.add(collection)": lambda _, c: c.add(collection(_OWNER, "Broken")),
    "collections.get(owner, uuid)": lambda _, c: c.get(_OWNER, uuid4()),
    "collections.page(owner, 0, 10)": lambda _, c: c.page(_OWNER, 0, 10),
    "collections.update(owner, uuid, changes)": lambda _, c: c.update(
        _OWNER, uuid4(), CollectionChanges(title="x")
    ),
    "collections.remove(owner, uuid)": lambda _, c: c.remove(_OWNER, uuid4()),
    "collections.remove_all(owner)": lambda _, c: c.remove_all(_OWNER),
}


class StorageFaultContract(Contract):
    """Every call of the users and collections ports, on broken storage, raises
    StorageUnavailable: no driver error leaks, and no call pretends to succeed.

    Provide ``users`` and ``collections`` (they may be of different stores) and
    ``break_storage``: an async callable that breaks what is underneath them for
    good (closes the connection, overwrites the database file, terminates the
    database's sessions and refuses new ones), as an outage would.
    """

    @pytest.mark.anyio
    @pytest.mark.parametrize("call", list(_CALLS))
    async def test_broken_storage_is_unavailable(
        self,
        users: UserRepository,
        collections: CollectionRepository,
        break_storage: BreakStorage,
        call: str,
    ) -> None:
        """The call raises StorageUnavailable once the storage is broken."""
        await break_storage()
        try:
            result = await _CALLS[call](users, collections)
        except StorageUnavailable:
            return
        except Exception as exc:  # the adapter's bug, named in the report
            leaked = exc
        else:
            pytest.fail(
                f"{call} on broken storage returned {result!r}"
                " instead of raising StorageUnavailable",
                pytrace=False,
            )
        # Failed outside the except block: the report is the leak alone, not its chain.
        pytest.fail(
            f"{call} on broken storage raised {type(leaked).__module__}."
            f"{type(leaked).__name__} ({leaked}) at {_where(leaked)} instead of"
            " StorageUnavailable: translate the driver's errors, raise"
            " StorageUnavailable(...) from exc",
            pytrace=False,
        )


def _where(error: BaseException) -> str:
    """The file and line of the adapter's code the error came out of: the last frame of
    its traceback outside the standard library's and the driver's own modules."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [frame for frame in frames if not _is_library(frame.filename)] or frames
    return f"{ours[-1].filename}:{ours[-1].lineno}"


def _is_library(filename: str) -> bool:
    return any(filename.startswith(path) for path in _LIBRARY_PATHS)


_LIBRARY_PATHS = tuple(
    {sysconfig.get_path(name) for name in ("stdlib", "platstdlib", "purelib", "platlib")}
)
