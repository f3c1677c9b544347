"""Versioned schema migrations: ``migrations/NNNN_name.sql``, each applied once, in order.

Applied versions are recorded in ``schema_migrations``. The whole run holds a
session-level advisory lock, so any number of workers may call ``migrate`` at the
same start-up: one applies what is missing, the others wait and then find nothing to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files

import psycopg
from psycopg.conninfo import conninfo_to_dict

from adapters.settings import SettingsError
from moviecore import StorageUnavailable

from ._catalog import add_missing_keys
from ._pool import Connection

# Any fixed 64-bit number works; this one is "moviecor" in ASCII, unlikely to clash.
_LOCK_ID = 0x6D6F7669_65636F72
_FILE_NAME = re.compile(r"(\d{4})_\w+\.sql")
_MISSING_DATABASE = re.compile(r'database "(?P<name>[^"]+)" does not exist')


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


async def migrate(url: str) -> None:
    """Bring the database at ``url`` up to the newest schema; safe to run concurrently."""
    try:
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            await conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_ID,))
            try:
                await _apply_missing(conn)
                await add_missing_keys(conn)
            finally:
                await conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_ID,))
    except psycopg.OperationalError as exc:
        if missing := _MISSING_DATABASE.search(str(exc)):  # no waiting will make it appear
            raise SettingsError(_how_to_create(url, missing["name"])) from exc
        raise StorageUnavailable(f"cannot migrate the database: {exc}") from exc


def _how_to_create(url: str, name: str) -> str:
    """The one line saying that the database of ``url`` is missing, and the command making it."""
    parts = conninfo_to_dict(url)
    where = [("h", "host"), ("p", "port"), ("U", "user")]
    flags = [f"-{flag} {parts[key]}" for flag, key in where if parts.get(key)]
    command = " ".join(["createdb", *flags, name])
    return f'DATABASE_URL names database "{name}", which does not exist; create it with: {command}'


async def _apply_missing(conn: Connection) -> None:
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version integer PRIMARY KEY,"
        " applied_at timestamptz NOT NULL DEFAULT now())"
    )
    cursor = await conn.execute("SELECT version FROM schema_migrations")
    applied = {row[0] for row in await cursor.fetchall()}
    for migration in migrations():
        if migration.version in applied:
            continue
        # A migration and its record commit together, or neither does.
        async with conn.transaction():
            await conn.execute(migration.script)
            await conn.execute(
                "INSERT INTO schema_migrations (version) VALUES (%s)", (migration.version,)
            )
