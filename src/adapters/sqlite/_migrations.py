"""Versioned schema migrations of the SQLite store: ``migrations/NNNN_name.sql``, each
applied once, in order, by the rule of ``adapters.migrations``.

Each applied is recorded in ``schema_migrations``, so applying again does nothing.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator, Sequence
from functools import partial
from importlib import resources
from pathlib import Path

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
from moviecore import __version__

from ._catalog import SqliteMovieStore
from ._database import Database, open_database

_CREATE = (
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
    " name TEXT, code_version TEXT, compatible_from INTEGER, applied_at TEXT)"
)
# Columns added since the table was first made; a database from then lacks them.
_LATER_COLUMNS = {
    "name": "TEXT",
    "code_version": "TEXT",
    "compatible_from": "INTEGER",
    "applied_at": "TEXT",
}
_RECORD = (
    "INSERT INTO schema_migrations (version, name, code_version, compatible_from, applied_at)"
    " VALUES (:version, :name, :code_version, :compatible_from,"
    " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"
)


def shipped_migrations() -> list[Migration]:
    """Every migration this build ships, oldest first."""
    return shipped(resources.files("adapters.sqlite") / "migrations")


async def migrate(
    path: Path,
    *,
    migrations: Sequence[Migration] | None = None,
    code_version: str = __version__,
) -> Migrated:
    """Bring the SQLite database at ``path`` up to the newest schema, creating it if needed;
    what was applied. ``migrations`` and ``code_version`` are this build's unless given.

    Raise DamagedDatabase, naming the file, if it is damaged, and SchemaTooNew, applying
    nothing, if a newer build migrated it past what this one can run with.
    """
    async with open_database(path) as database:
        await database.verify()
        return await bring_up_to_date(database, migrations=migrations, code_version=code_version)


async def bring_up_to_date(
    database: Database,
    *,
    migrations: Sequence[Migration] | None = None,
    code_version: str = __version__,
) -> Migrated:
    """Migrate the open ``database`` as ``migrate`` does, then compute the search keys of
    movies stored before search existed."""
    work = partial(
        _apply_migrations,
        migrations=shipped_migrations() if migrations is None else migrations,
        code_version=code_version,
    )
    migrated = await database.write(work)
    await SqliteMovieStore(database).add_missing_keys()
    return migrated


async def migration_status(path: Path) -> Status:
    """The migrations the database at ``path`` records, and those it lacks; a file that
    does not exist lacks them all and is not created."""
    applied: list[Applied] = []
    if await asyncio.to_thread(path.exists):
        async with open_database(path) as database:
            applied = await database.read(_applied)
    return status(applied, shipped_migrations())


def _apply_migrations(
    connection: sqlite3.Connection, *, migrations: Sequence[Migration], code_version: str
) -> Migrated:
    """Apply, inside the caller's transaction, every migration not yet recorded."""
    connection.execute(_CREATE)
    present = {row[1] for row in connection.execute("PRAGMA table_info(schema_migrations)")}
    for column, kind in _LATER_COLUMNS.items():
        if column not in present:
            connection.execute(f"ALTER TABLE schema_migrations ADD COLUMN {column} {kind}")
    migrated = to_apply(_applied(connection), migrations, code_version)
    for migration in migrated.applied:
        # One statement at a time: executescript would commit the caller's transaction.
        for statement in _statements(migration.script):
            connection.execute(statement)
        connection.execute(_RECORD, record(migration, code_version))
    return migrated


def _applied(connection: sqlite3.Connection) -> list[Applied]:
    exists = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    if exists is None:
        return []
    cursor = connection.execute("SELECT * FROM schema_migrations")
    columns = [description[0] for description in cursor.description]
    return [Applied.from_row(dict(zip(columns, row, strict=True))) for row in cursor]


def _statements(script: str) -> Iterator[str]:
    """The statements of ``script``, split where SQLite itself sees one end."""
    start = 0
    for end, char in enumerate(script):
        # A ";" inside a string, a comment or a trigger body does not end a statement.
        if char == ";" and sqlite3.complete_statement(script[start : end + 1]):
            yield script[start : end + 1]
            start = end + 1
    if script[start:].strip():
        yield script[start:]
