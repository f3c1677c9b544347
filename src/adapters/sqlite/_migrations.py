"""Versioned schema migrations: numbered SQL files applied once each, in order.

A migration is ``migrations/NNNN_name.sql``; its version is NNNN. The versions
applied are recorded in ``schema_migrations``, so applying again does nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from ._database import open_database

_SCRIPTS = resources.files("adapters.sqlite") / "migrations"


async def migrate(path: Path) -> None:
    """Bring the SQLite database at ``path`` up to the newest schema, creating it if needed."""
    async with open_database(path) as database:
        await database.write(apply_migrations)


def apply_migrations(connection: sqlite3.Connection) -> None:
    """Apply, inside the caller's transaction, every migration not yet recorded."""
    connection.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")
    applied = {
        version for (version,) in connection.execute("SELECT version FROM schema_migrations")
    }
    for version, script in _migrations():
        if version in applied:
            continue
        # One statement at a time: executescript would commit the caller's transaction.
        for statement in _statements(script):
            connection.execute(statement)
        connection.execute("INSERT INTO schema_migrations (version) VALUES (?)", (version,))


def _migrations() -> list[tuple[int, str]]:
    """Every migration shipped, as (version, script), oldest first."""
    return sorted(
        (int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8"))
        for entry in _SCRIPTS.iterdir()
        if entry.name.endswith(".sql")
    )


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
