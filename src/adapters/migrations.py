"""Versioned schema migrations: the rule both SQL stores follow, written once.

A migration is a file ``migrations/NNNN_name.sql`` of a store's package, applied
once each, in order. The database records each one applied in
``schema_migrations``: its number and name, the version of the code that applied
it, and the oldest migration a build must ship to run on the schema it leaves.

A migration that builds older than it can run on (an *expand* step, see
docs/deployment.md) says so in a comment line of its own::

    -- compatible with builds from migration 0006

Without that line only the builds that ship a migration run on its schema. A
build that finds in the database a migration it does not ship refuses to start
(``SchemaTooNew``, naming the version that applied it) unless that migration
declares the build compatible. Migration numbers decide, not version strings:
the author of a migration knows which migrations the code it runs with ships.

The stores share this module, which imports the standard library only, as they
share ``adapters.faults``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib.resources.abc import Traversable

_FILE_NAME = re.compile(r"(\d{4})_\w+\.sql")
_COMPATIBLE = re.compile(r"^-- compatible with builds from migration (\d{4})$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema change a build ships: its number, name and SQL script, and the oldest
    migration a build must ship to run on the schema after it."""

    version: int
    name: str
    script: str
    compatible_from: int


@dataclass(frozen=True, slots=True)
class Applied:
    """One migration the database records as applied, with the version of the code that
    applied it (None if recorded before versions were) and when (ISO 8601, or None)."""

    version: int
    name: str
    code_version: str | None
    compatible_from: int
    applied_at: str | None

    @classmethod
    def from_row(cls, row: Mapping[str, object]) -> Applied:
        """The record of a ``schema_migrations`` row as a mapping of its columns; rows
        written before a column existed lack it, or hold NULL."""
        version = int(str(row["version"]))
        compatible = row.get("compatible_from")
        return cls(
            version=version,
            name=str(row.get("name") or f"{version:04d}"),
            code_version=_text(row.get("code_version")),
            compatible_from=version if compatible is None else int(str(compatible)),
            applied_at=_text(row.get("applied_at")),
        )

    @property
    def when(self) -> str:
        """When it was applied, in UTC to the second, or "" if not recorded."""
        if self.applied_at is None:
            return ""
        moment = datetime.fromisoformat(self.applied_at).astimezone(UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


class SchemaTooNew(Exception):
    """The database holds a migration this build does not ship and cannot run with; the
    message says which, the version that needs it, and what to do."""


@dataclass(frozen=True, slots=True)
class Migrated:
    """What a run of the migrations did: the migrations it applied, and those the database
    holds from a newer build that declare this one compatible."""

    applied: list[Migration]
    ahead: list[Applied]

    def lines(self) -> list[str]:
        """What an operator reads: each migration applied, each from a newer build, the end."""
        done = [f"applied migration {migration.name}" for migration in self.applied]
        newer = [
            f"migration {row.name} of {_build(row)} is newer than this build and declares it"
            " compatible"
            for row in self.ahead
        ]
        count = len(self.applied)
        applied = f"applied {count} migration{'s' * (count != 1)}" if count else "nothing to apply"
        return [*done, *newer, f"{applied}; the database is up to date"]


@dataclass(frozen=True, slots=True)
class Status:
    """The migrations a database records (those of newer builds included), and the
    migrations this build ships that it does not."""

    applied: list[Applied]
    pending: list[Migration]
    newest_shipped: int

    def lines(self) -> list[str]:
        """One line a migration, applied ones first: its state, name, when and by which
        version; one this build does not ship says whether the build runs with it."""
        names = [row.name for row in self.applied] + [m.name for m in self.pending]
        width = max(map(len, names), default=0)
        rows = [
            f"applied  {row.name:{width}}  {row.when:23}  {_build(row)}{self._ahead(row)}"
            for row in self.applied
        ]
        return [*rows, *(f"pending  {migration.name}" for migration in self.pending)]

    def _ahead(self, row: Applied) -> str:
        if row.version <= self.newest_shipped:
            return ""
        if row.compatible_from <= self.newest_shipped:
            return "  (newer than this build, which it declares compatible)"
        return "  (newer than this build, which refuses to start on it)"


def shipped(folder: Traversable) -> list[Migration]:
    """Every migration in ``folder``, oldest first.

    Raise ValueError if two share a number: the database records numbers, so one of
    them would pass for applied when the other is.
    """
    found: list[Migration] = []
    for entry in folder.iterdir():
        if match := _FILE_NAME.fullmatch(entry.name):
            script = entry.read_text(encoding="utf-8")
            version = int(match[1])
            declared = _COMPATIBLE.search(script)
            found.append(
                Migration(
                    version=version,
                    name=entry.name.removesuffix(".sql"),
                    script=script,
                    compatible_from=int(declared[1]) if declared else version,
                )
            )
    found.sort(key=lambda migration: migration.version)
    for first, second in itertools.pairwise(found):
        if first.version == second.version:
            raise ValueError(
                f"two migrations numbered {first.version:04d}: {first.name}, {second.name}"
            )
    return found


def record(migration: Migration, code_version: str) -> dict[str, object]:
    """The named parameters of the ``schema_migrations`` row recording ``migration``."""
    return {
        "version": migration.version,
        "name": migration.name,
        "code_version": code_version,
        "compatible_from": migration.compatible_from,
    }


def to_apply(
    applied: Iterable[Applied], migrations: Sequence[Migration], code_version: str
) -> Migrated:
    """The migrations still to apply, and those from newer builds that this one may run with.

    Raise SchemaTooNew if the database holds a migration not among ``migrations`` that
    does not declare the newest of them compatible.
    """
    done = list(applied)
    known = {migration.version for migration in migrations}
    newest = max(known, default=0)
    ahead = [row for row in done if row.version not in known]
    for row in ahead:
        if row.compatible_from > newest:
            raise SchemaTooNew(_too_new(row, code_version))
    recorded = {row.version for row in done}
    pending = [migration for migration in migrations if migration.version not in recorded]
    return Migrated(applied=pending, ahead=ahead)


def status(applied: Iterable[Applied], migrations: Sequence[Migration]) -> Status:
    """The database's record beside the migrations this build ships, names filled in for
    rows recorded before names were."""
    names = {migration.version: migration.name for migration in migrations}
    rows = sorted(applied, key=lambda row: row.version)
    recorded = {row.version for row in rows}
    return Status(
        applied=[replace(row, name=names.get(row.version, row.name)) for row in rows],
        pending=[migration for migration in migrations if migration.version not in recorded],
        newest_shipped=max(names, default=0),
    )


def _too_new(row: Applied, code_version: str) -> str:
    return (
        f"the database schema is newer than this build (moviecore {code_version}):"
        f" migration {row.name} needs {_build(row)} or later; deploy that version,"
        " or restore the database from a backup taken before it was migrated"
    )


def _build(row: Applied) -> str:
    return f"moviecore {row.code_version or '(version not recorded)'}"


def _text(value: object) -> str | None:
    return None if value is None else str(value)
