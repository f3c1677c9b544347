"""Versioned schema migrations: ``migrations/NNNN_name.sql``, each applied once, in order.

Applied versions are recorded in ``schema_migrations``. A run is one transaction
that first takes a transaction-level advisory lock, so any number of processes may
migrate at once (one applies what is missing, the others wait for its commit and
then find nothing to do), and a transaction pooler may stand in between: PgBouncer
in transaction mode lends a server connection for one transaction, so a session
lock taken on one would be released on another, or never. The lock dies with the
transaction, and no lock is awaited for longer than ``lock_wait`` seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.errors import LockNotAvailable

from moviecore import StorageUnavailable

from ._catalog import add_missing_keys
from ._faults import describe, reject_lasting
from ._pool import Connection

# Any fixed 64-bit number works; this one is "moviecor" in ASCII, unlikely to clash.
LOCK_ID = 0x6D6F7669_65636F72
LOCK_WAIT = 60.0
"""Seconds a migration waits for a lock: far longer than the migrations take."""
_FILE_NAME = re.compile(r"(\d{4})_\w+\.sql")
_MISSING_DATABASE = re.compile(r'database "(?P<name>[^"]+)" does not exist')


class MissingDatabase(Exception):
    """The URL names a database that does not exist: no waiting will make it appear."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema change: its version number and its SQL script."""

    version: int
    script: bytes


def migrations() -> list[Migration]:
    """Every migration shipped with the package, oldest first."""
    folder = files(__package__ or __name__).joinpath("migrations")
    found = [
        Migration(int(match[1]), entry.read_bytes())
        for entry in folder.iterdir()
        if (match := _FILE_NAME.fullmatch(entry.name))
    ]
    return sorted(found, key=lambda migration: migration.version)


async def migrate(url: str, *, lock_wait: float = LOCK_WAIT) -> None:
    """Bring the database at ``url`` up to the newest schema; safe to run concurrently.

    Raise Rejected if the database refuses the credentials or the certificate,
    MissingDatabase (saying how to create it) if the URL names none that exists,
    StorageUnavailable if it cannot be reached or a lock is not granted in time.
    """
    try:
        async with (
            await psycopg.AsyncConnection.connect(url, autocommit=True) as conn,
            conn.transaction(),
        ):
            await conn.execute(
                "SELECT set_config('lock_timeout', %(wait)s, true)",
                {"wait": f"{round(lock_wait * 1000)}ms"},
            )
            await conn.execute("SELECT pg_advisory_xact_lock(%(lock)s)", {"lock": LOCK_ID})
            await _apply_missing(conn)
            await add_missing_keys(conn)
    except LockNotAvailable as exc:
        raise StorageUnavailable(
            f"cannot migrate the database: a lock was not granted within {lock_wait:g} s"
            " (another migration, or a long transaction on a table it changes)"
        ) from exc
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


async def _apply_missing(conn: Connection) -> None:
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version integer PRIMARY KEY,"
        " applied_at timestamptz NOT NULL DEFAULT now())"
    )
    cursor = await conn.execute("SELECT version FROM schema_migrations")
    applied = {row[0] for row in await cursor.fetchall()}
    # Every migration and its record commit together, or none does.
    for migration in migrations():
        if migration.version not in applied:
            await conn.execute(migration.script)
            await conn.execute(
                "INSERT INTO schema_migrations (version) VALUES (%(version)s)",
                {"version": migration.version},
            )
