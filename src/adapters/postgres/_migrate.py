"""Versioned schema migrations of the PostgreSQL store: ``migrations/NNNN_name.sql``, each
applied once, in order, by the rule of ``adapters.migrations``.

Applied migrations are recorded in ``schema_migrations``. A run is one transaction
that first takes a transaction-level advisory lock, so any number of processes may
migrate at once (one applies what is missing, the others wait for its commit and
then find nothing to do), and a transaction pooler may stand in between: PgBouncer
in transaction mode lends a server connection for one transaction, so a session
lock taken on one would be released on another, or never. The lock dies with the
transaction, and no lock is awaited for longer than ``lock_wait`` seconds.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.errors import LockNotAvailable

from adapters.migrations import (
    Applied,
    Migrated,
    Migration,
    Status,
    record,
    shipped,
    status,
    to_apply,
)
from moviecore import StorageUnavailable, __version__

from ._catalog import add_missing_keys
from ._faults import describe, reject_lasting
from ._pool import Connection

# Any fixed 64-bit number works; this one is "moviecor" in ASCII, unlikely to clash.
LOCK_ID = 0x6D6F7669_65636F72
LOCK_WAIT = 60.0
"""Seconds a migration waits for a lock: far longer than the migrations take."""
_MISSING_DATABASE = re.compile(r'database "(?P<name>[^"]+)" does not exist')


class MissingDatabase(Exception):
    """The URL names a database that does not exist: no waiting will make it appear."""


def shipped_migrations() -> list[Migration]:
    """Every migration this build ships, oldest first."""
    return shipped(files(__package__ or __name__).joinpath("migrations"))


async def migrate(
    url: str,
    *,
    lock_wait: float = LOCK_WAIT,
    migrations: Sequence[Migration] | None = None,
    code_version: str = __version__,
) -> Migrated:
    """Bring the database at ``url`` up to the newest schema; safe to run concurrently; what
    was applied. ``migrations`` and ``code_version`` are this build's unless given.

    Raise SchemaTooNew, applying nothing, if a newer build migrated it past what this one
    can run with; Rejected if the database refuses the credentials or the certificate,
    MissingDatabase (saying how to create it) if the URL names none that exists,
    StorageUnavailable if it cannot be reached or a lock is not granted in time.
    """
    async with _connected(url) as conn:
        try:
            async with conn.transaction():
                await conn.execute(
                    "SELECT set_config('lock_timeout', %(wait)s, true)",
                    {"wait": f"{round(lock_wait * 1000)}ms"},
                )
                await conn.execute("SELECT pg_advisory_xact_lock(%(lock)s)", {"lock": LOCK_ID})
                migrated = await _apply_missing(
                    conn,
                    shipped_migrations() if migrations is None else migrations,
                    code_version,
                )
                await add_missing_keys(conn)
        except LockNotAvailable as exc:
            raise StorageUnavailable(
                f"cannot migrate the database: a lock was not granted within {lock_wait:g} s"
                " (another migration, or a long transaction on a table it changes)"
            ) from exc
    return migrated


async def migration_status(url: str) -> Status:
    """The migrations the database at ``url`` records, and those it lacks; it is not changed.

    Raise as ``migrate`` does when the database cannot be reached or refuses.
    """
    async with _connected(url) as conn:
        return status(await _applied(conn), shipped_migrations())


@asynccontextmanager
async def _connected(url: str) -> AsyncIterator[Connection]:
    """A connection to ``url`` in autocommit mode; its failures, to connect or later,
    translated."""
    try:
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            yield conn
    except psycopg.OperationalError as exc:
        if missing := _MISSING_DATABASE.search(str(exc)):  # no waiting will make it appear
            raise MissingDatabase(_how_to_create(url, missing["name"])) from exc
        reject_lasting(exc)
        raise StorageUnavailable(f"cannot migrate: {describe(exc)}") from exc


def _how_to_create(url: str, name: str) -> str:
    """The one line saying that the database of ``url`` is missing, and the command making it."""
    parts = conninfo_to_dict(url)
    where = [("h", "host"), ("p", "port"), ("U", "user")]
    flags = [f"-{flag} {parts[key]}" for flag, key in where if parts.get(key)]
    command = " ".join(["createdb", *flags, name])
    return f'database "{name}" does not exist; create it with: {command}'


async def _apply_missing(
    conn: Connection, migrations: Sequence[Migration], code_version: str
) -> Migrated:
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version integer PRIMARY KEY,"
        " applied_at timestamptz NOT NULL DEFAULT now())"
    )
    # Columns added since the table was first made; a database from then lacks them, and
    # its rows are left NULL in them rather than given values nobody recorded. Altered
    # only then: an ALTER at every start would rewrite the catalog at every start.
    cursor = await conn.execute(
        "SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('schema_migrations')"
        " AND attname = 'compatible_from'"
    )
    if await cursor.fetchone() is None:
        await conn.execute(
            "ALTER TABLE schema_migrations"
            " ADD COLUMN IF NOT EXISTS name text,"
            " ADD COLUMN IF NOT EXISTS code_version text,"
            " ADD COLUMN IF NOT EXISTS compatible_from integer,"
            " ADD COLUMN IF NOT EXISTS applied_at timestamptz,"
            " ALTER COLUMN applied_at SET DEFAULT now()"
        )
    migrated = to_apply(await _applied(conn), migrations, code_version)
    # Every migration and its record commit together, or none does.
    for migration in migrated.applied:
        await conn.execute(migration.script.encode())
        await conn.execute(
            "INSERT INTO schema_migrations (version, name, code_version, compatible_from)"
            " VALUES (%(version)s, %(name)s, %(code_version)s, %(compatible_from)s)",
            record(migration, code_version),
        )
    return migrated


async def _applied(conn: Connection) -> list[Applied]:
    """What ``schema_migrations`` records, whichever of its columns it has yet."""
    cursor = await conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if await cursor.fetchone() != (True,):
        return []
    cursor = await conn.execute("SELECT to_jsonb(m) FROM schema_migrations AS m")
    rows: list[tuple[dict[str, Any]]] = await cursor.fetchall()
    return [Applied.from_row(row) for (row,) in rows]
