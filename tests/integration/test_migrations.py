"""Migrations an operator can deploy, on SQLite and PostgreSQL alike: each named as it is
applied, listed by ``moviecore migrate --status``, and a schema newer than the build
refused unless it declares the build compatible."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import textwrap
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from adapters import sqlite
from adapters.migrations import Applied, Migration, SchemaTooNew, shipped, to_apply
from adapters.settings import load_settings
from app import migrate_database, migration_status, open_storage, prepare_start
from cli import main
from fixtures.migrations import NEWER_VERSION, Database
from moviecore import __version__

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"
_WHEN = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC")


def _rows(listing: str) -> list[list[str]]:
    """The columns of each line of ``migrate --status``, any time shown as "<when>"."""
    return [re.split(r"\s{2,}", _WHEN.sub("<when>", line)) for line in listing.splitlines()]


async def _forget_versions(database: Database) -> None:
    """Leave ``schema_migrations`` as the first builds wrote it: each migration's number."""
    drop = [
        f"ALTER TABLE schema_migrations DROP COLUMN {column}"
        for column in ("name", "code_version", "compatible_from", "applied_at")
    ]
    if database.settings.database_url is None:
        with closing(sqlite3.connect(database.settings.sqlite_path)) as connection:
            for statement in drop:
                connection.execute(statement)
        return
    async with await psycopg.AsyncConnection.connect(database.settings.database_url) as conn:
        for statement in drop:
            await conn.execute(statement.encode())


def _logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "moviecore"]


@pytest.mark.anyio
async def test_migrate_names_each_migration_and_status_lists_them(database: Database) -> None:
    """On a new database ``--status`` lists every migration pending; ``migrate`` names each
    as it applies it, then lists them applied by this version; a second applies nothing."""
    before = await migration_status(database.settings)
    first = await migrate_database(database.settings)
    after = await migration_status(database.settings)
    again = await migrate_database(database.settings)
    names = [migration.name for migration in database.shipped]
    assert (_rows(before), first.splitlines(), _rows(after), again) == (
        [["pending", name] for name in names],
        [
            *(f"applied migration {name}" for name in names),
            f"applied {len(names)} migrations; the database is up to date",
        ],
        [["applied", name, "<when>", f"moviecore {__version__}"] for name in names],
        "nothing to apply; the database is up to date",
    )


@pytest.mark.anyio
async def test_status_shows_what_an_upgrade_will_apply(database: Database) -> None:
    """On a database an older build migrated, ``--status`` shows the migrations it applied,
    by its version, and this build's newest pending, twice alike; ``migrate`` applies
    that one alone."""
    await database.migrate_as(database.shipped[:-1], "0.0.9")
    before = await migration_status(database.settings)
    still = await migration_status(database.settings)
    migrated = await migrate_database(database.settings)
    after = await migration_status(database.settings)
    *older, newest = [migration.name for migration in database.shipped]
    applied_before = [["applied", name, "<when>", "moviecore 0.0.9"] for name in older]
    assert (_rows(before), _rows(still), migrated.splitlines(), _rows(after)) == (
        [*applied_before, ["pending", newest]],
        [*applied_before, ["pending", newest]],
        [f"applied migration {newest}", "applied 1 migration; the database is up to date"],
        [*applied_before, ["applied", newest, "<when>", f"moviecore {__version__}"]],
    )


@pytest.mark.anyio
async def test_a_database_of_the_first_builds_is_listed_and_upgraded(database: Database) -> None:
    """A database whose record holds only migration numbers lists them by name, of a version
    not recorded, and is upgraded: its pending migration applied and recorded in full."""
    await database.migrate_as(database.shipped[:-1], "0.0.9")
    await _forget_versions(database)
    before = await migration_status(database.settings)
    migrated = await migrate_database(database.settings)
    after = await migration_status(database.settings)
    *older, newest = [migration.name for migration in database.shipped]
    unrecorded = [["applied", name, "moviecore (version not recorded)"] for name in older]
    assert (_rows(before), migrated.splitlines()[0], _rows(after)) == (
        [*unrecorded, ["pending", newest]],
        f"applied migration {newest}",
        [*unrecorded, ["applied", newest, "<when>", f"moviecore {__version__}"]],
    )


@pytest.mark.anyio
async def test_the_start_logs_each_migration_it_applies(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """Preparing a start on a new database logs one line per migration applied, then one
    saying the database is up to date."""
    with caplog.at_level(logging.INFO, logger="moviecore"):
        await prepare_start(database.settings)
    names = [migration.name for migration in database.shipped]
    assert _logged(caplog) == [
        *(f"applied migration {name}" for name in names),
        f"applied {len(names)} migrations; the database is up to date",
    ]


@pytest.mark.anyio
async def test_a_newer_schema_is_refused_naming_the_version_it_needs(
    database: Database, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """After a newer build applied a migration that declares nothing, migrating (as every
    start does) stops with one line naming that migration, the version that needs it and
    what to do, and changes nothing; ``--status`` shows why."""
    newer = database.newer_build(tmp_path_factory.mktemp("newer") / "migrations", "")
    await database.migrate_as(newer, NEWER_VERSION)
    before = await migration_status(database.settings)
    with pytest.raises(SchemaTooNew) as refused:
        await migrate_database(database.settings)
    assert (str(refused.value), _rows(before)[-1], await migration_status(database.settings)) == (
        f"the database schema is newer than this build (moviecore {__version__}):"
        f" migration {newer[-1].name} needs moviecore {NEWER_VERSION} or later;"
        " deploy that version, or restore the database from a backup taken before it"
        " was migrated",
        [
            "applied",
            newer[-1].name,
            "<when>",
            f"moviecore {NEWER_VERSION}",
            "(newer than this build, which refuses to start on it)",
        ],
        before,
    )


@pytest.mark.anyio
async def test_a_newer_schema_declaring_the_build_compatible_is_served(
    database: Database,
    tmp_path_factory: pytest.TempPathFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A newer build's migration declaring this build's newest migration compatible lets it
    start, saying so in the log, and serve from the database; ``--status`` shows it."""
    declared = f"-- compatible with builds from migration {database.shipped[-1].version:04d}"
    newer = database.newer_build(tmp_path_factory.mktemp("newer") / "migrations", declared)
    await database.migrate_as(newer, NEWER_VERSION)
    with caplog.at_level(logging.INFO, logger="moviecore"):
        await prepare_start(database.settings)
    async with open_storage(database.settings) as storage:
        movies = await storage.catalog.count()
    status = _rows(await migration_status(database.settings))
    assert (_logged(caplog), movies, status[-1]) == (
        [
            f"migration {newer[-1].name} of moviecore {NEWER_VERSION} is newer than this build"
            " and declares it compatible",
            "nothing to apply; the database is up to date",
        ],
        0,
        [
            "applied",
            newer[-1].name,
            "<when>",
            f"moviecore {NEWER_VERSION}",
            "(newer than this build, which it declares compatible)",
        ],
    )


def _applied_by(migration: Migration, code_version: str) -> Applied:
    return Applied(
        version=migration.version,
        name=migration.name,
        code_version=code_version,
        compatible_from=migration.compatible_from,
        applied_at=None,
    )


def test_the_deployment_guide_example_holds(tmp_path: Path) -> None:
    """The worked example of docs/deployment.md, its migrations read from the guide: 0.2.0
    runs on the expanded schema, 0.3.0 on the contracted one, and 0.2.0 started on that
    refuses with the very line the guide quotes."""
    guide = GUIDE.read_text(encoding="utf-8")
    example = guide.split("### A worked example")[1]
    expand, contract = re.findall(r"```sql\n(.*?)```", example, re.DOTALL)
    for name, script in (("0007_movie_year", expand), ("0008_movie_year_required", contract)):
        (tmp_path / f"{name}.sql").write_text(textwrap.dedent(script), encoding="utf-8")
    older = [
        Migration(version=n, name=f"{n:04d}_older", script="", compatible_from=n)
        for n in range(1, 7)
    ]
    year, required = shipped(tmp_path)
    expanded = [*(_applied_by(m, "0.2.0") for m in older), _applied_by(year, "0.3.0")]
    contracted = [*expanded, _applied_by(required, "0.4.0")]
    with pytest.raises(SchemaTooNew) as refused:
        to_apply(contracted, older, "0.2.0")
    quoted = next(line for line in guide.splitlines() if "(moviecore 0.2.0)" in line)
    assert (
        to_apply(expanded, older, "0.2.0").ahead,
        to_apply(contracted, [*older, year], "0.3.0").ahead,
        f"moviecore: {refused.value}",
    ) == (expanded[-1:], contracted[-1:], quoted)


def test_two_migrations_of_one_number_are_refused(tmp_path: Path) -> None:
    """Two migration files numbered alike (as two branches may each add one) stop the build
    from reading its migrations, naming both, before either is applied."""
    for name in ("0007_sessions.sql", "0007_movies_by_collection.sql"):
        (tmp_path / name).write_text("CREATE TABLE t (id integer);\n", encoding="utf-8")
    expected = "two migrations numbered 0007: 0007_movies_by_collection, 0007_sessions"
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        shipped(tmp_path)


@pytest.fixture
def embedded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    """The SQLite database of the ``moviecore`` command run in ``tmp_path`` with only
    DATA_DIR set."""
    for name in ("DATABASE_URL", "REDIS_URL", "EXTERNAL_MOVIES_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return Database(
        environment={"DATA_DIR": str(tmp_path / "data")},
        settings=load_settings(),
        shipped=sqlite.shipped_migrations(),
    )


def test_the_command_lists_then_migrates_then_refuses_a_newer_schema(
    embedded: Database,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``moviecore migrate --status`` prints each migration pending and exits 0, ``migrate``
    prints each applied; on a schema a newer build left, ``migrate`` exits 2 with one line."""
    listed = (main(["migrate", "--status"]), capsys.readouterr())
    migrated = (main(["migrate"]), capsys.readouterr())
    newer = embedded.newer_build(tmp_path_factory.mktemp("newer") / "migrations", "")
    asyncio.run(embedded.migrate_as(newer, NEWER_VERSION))
    refused = (main(["migrate"]), capsys.readouterr())
    names = [migration.name for migration in embedded.shipped]
    assert [
        (code, out.out.splitlines(), len(out.err.splitlines()))
        for code, out in (listed, migrated, refused)
    ] == [
        (0, [f"moviecore: pending  {name}" for name in names], 0),
        (
            0,
            [
                *(f"moviecore: applied migration {name}" for name in names),
                f"moviecore: applied {len(names)} migrations; the database is up to date",
            ],
            0,
        ),
        (2, [], 1),
    ]
