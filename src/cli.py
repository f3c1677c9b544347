"""The ``moviecore`` command: its arguments, and what the catalog commands print.

    moviecore serve [--host HOST] [--port PORT]   run the HTTP service
    moviecore migrate [--status]                  create or upgrade the database, naming each
                                                  migration applied; or list those applied
                                                  and pending, changing nothing
    moviecore catalog import FILE                 add movies (JSON or CSV) to the local catalog
    moviecore catalog sync                        copy the whole upstream into the local catalog,
                                                  resuming where the last run stopped
    moviecore users grant-operator NAME           let the account NAME reset the request count
    moviecore users revoke-operator NAME          take that back

Settings come from the environment, then from a ``.env`` file in the working
directory for names the environment leaves unset. A bad setting, or a database
schema newer than this build runs with, stops the command with one line on stderr
and exit code 2. What each command opens is the
composition root's (``app``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from adapters.http import ListenError
from adapters.migrations import SchemaTooNew
from adapters.movie_files import MovieFile, read_movies
from adapters.settings import Settings, SettingsError, load_settings
from app import migrate_database, migration_status, open_storage, open_upstream, serve
from moviecore import MovieCoreError, ValidationError, __version__
from moviecore.sync import SyncProgress, sync_catalog

__all__ = ["main"]

IMPORT_BATCH = 1000
"""Movies stored per transaction by ``catalog import``: 45,466 take a few seconds."""


_IMPORT_HELP = """\
Add the movies of FILE to the local catalog; a movie whose uuid is stored already
is replaced. A .json file holds a list of records
  [{"uuid": ..., "title": ..., "description": ..., "genres": ...}, ...]
or an object with that list under "results" (the upstream's page format). A .csv
file starts with the header line
  uuid,title,description,genres
(columns in any order), then one movie a row. Text is cut to the limits; a record
that cannot be served is rejected, named by its line (CSV) or index (JSON) with
every error, and the others are imported. Reports movies added, replaced and
rejected."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="moviecore",
        description="Movie collections service. Settings come from the environment and a"
        " .env file in the working directory (see the README).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="run the HTTP service (WORKERS processes, default 1)")
    serve.add_argument("--host", help="address to listen on (default: HOST, else 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default: PORT, else 8000)")
    migrate = commands.add_parser(
        "migrate", help="create or upgrade the database (default: SQLite in DATA_DIR, ./data)"
    )
    migrate.add_argument(
        "--status",
        action="store_true",
        help="list the migrations applied and pending instead, changing nothing",
    )
    catalog = commands.add_parser("catalog", help="manage the local movie catalog")
    actions = catalog.add_subparsers(dest="action", required=True, metavar="ACTION")
    load = actions.add_parser(
        "import",
        help="add the movies of a JSON or CSV file",
        description=_IMPORT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    load.add_argument("file", type=Path, metavar="FILE", help="a .json or .csv file")
    actions.add_parser(
        "sync", help="copy the upstream (EXTERNAL_MOVIES_API_URL) into the local catalog, resumably"
    )
    users = commands.add_parser("users", help="manage the accounts' roles")
    roles = users.add_subparsers(dest="action", required=True, metavar="ACTION")
    for action, what in (("grant-operator", "make"), ("revoke-operator", "no longer make")):
        role = roles.add_parser(
            action,
            help=f"{what} the account NAME an operator, who may reset the request count"
            " (the database the settings name)",
        )
        role.add_argument("name", metavar="NAME", help="the account's username, in any case")
    return parser


class RefusedFile(ValueError):
    """A file the command cannot use as a whole; the message names it and says why."""


def _movies(count: int) -> str:
    return f"{count} movie" if count == 1 else f"{count} movies"


def _read_movie_file(settings: Settings, file: Path) -> MovieFile:
    """The movies of ``file``, its rejected records reported on stderr."""
    try:
        read = read_movies(file, settings.limits)
    except ValidationError as exc:
        reasons = [f"{e.field} {e.message}".removeprefix("file ") for e in exc.errors]
        raise RefusedFile(f"{file}: {'; '.join(reasons)}") from exc
    for record in read.rejected:
        errors = "; ".join(
            f"{e.field}: {e.message}" if e.field else e.message for e in record.errors
        )
        print(f"moviecore: rejected {file} {record.where}: {errors}", file=sys.stderr)
    if unnamed := read.rejected_count - len(read.rejected):
        print(f"moviecore: and {unnamed} more rejected records", file=sys.stderr)
    return read


async def _import_catalog(settings: Settings, file: Path) -> str:
    read = _read_movie_file(settings, file)
    async with open_storage(settings) as storage:
        movies = read.movies
        before = await storage.catalog.count()
        # A transaction per batch: progress shows, and a run cut short keeps what it
        # stored (running it again replaces those movies in place, by uuid).
        for start in range(0, len(movies), IMPORT_BATCH):
            await storage.catalog.put(movies[start : start + IMPORT_BATCH])
            done = min(start + IMPORT_BATCH, len(movies))
            print(f"\rmoviecore: {done} of {len(movies)} movies stored", end="", file=sys.stderr)
        total = await storage.catalog.count()
    print(file=sys.stderr)
    added = total - before  # put replaces by uuid: the others were stored already
    return (
        f"{file}: {_movies(added)} added, {len(movies) - added} replaced,"
        f" {read.rejected_count} rejected; the catalog holds {_movies(total)}"
    )


class SyncStopped(Exception):
    """The user stopped a sync; the message says where, and how to resume."""


class _SyncReport:
    """A sync's progress on stderr, one line a page (rewritten in place on a terminal)."""

    def __init__(self, stream: TextIO) -> None:
        self.last_page: int | None = None
        self._stream = stream
        self._terminal = stream.isatty()

    def __call__(self, progress: SyncProgress) -> None:
        self.last_page = progress.page
        line = (
            f"moviecore: page {progress.page} of {progress.pages},"
            f" {progress.movies_per_second:.0f} movies/s,"
            f" about {_duration(progress.seconds_left)} left"
        )
        if self._terminal:
            print(f"\r{line}\x1b[K", end="", file=self._stream, flush=True)
        else:
            print(line, file=self._stream, flush=True)

    def end_line(self) -> None:
        """End a line rewritten in place, so that what follows starts on its own."""
        if self._terminal and self.last_page is not None:
            print(file=self._stream)

    def stopped(self) -> SyncStopped:
        """The error saying where the sync stopped."""
        self.end_line()
        page = self.last_page
        where = "before its first page" if page is None else f"after page {page}"
        return SyncStopped(f"stopped {where}; run the same command to resume")


def _duration(seconds: float) -> str:
    minutes, second = divmod(round(seconds), 60)
    hours, minute = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minute} min"
    return f"{minute} min {second} s" if minute else f"{second} s"


async def _sync_catalog(settings: Settings, report: _SyncReport) -> str:
    url = settings.external_movies_api_url
    if url is None:
        raise SettingsError("EXTERNAL_MOVIES_API_URL must be set to sync the catalog")
    # no Redis cache here: thousands of pages read once would only crowd it
    async with open_storage(settings) as storage, open_upstream(settings, None) as upstream:
        done = await sync_catalog(
            upstream, storage.catalog, storage.sync_cursor, source_name=url, progress=report
        )
        total = await storage.catalog.count()
    report.end_line()
    missed = f"; {_movies(done.missed)} could not be copied (see the log)" if done.missed else ""
    skipped = ", ".join(str(page) for page in done.skipped)
    passed_over = f"; pages that cannot be read, passed over: {skipped}" if skipped else ""
    return (
        f"copied {_movies(done.movies)} from pages {done.first_page} to {done.last_page}"
        f"{missed}{passed_over}; the local catalog holds {_movies(total)}"
    )


def _sync(settings: Settings) -> str:
    report = _SyncReport(sys.stderr)
    try:
        return asyncio.run(_sync_catalog(settings, report))
    except KeyboardInterrupt:
        raise report.stopped() from None


async def _set_operator(settings: Settings, name: str, operator: bool) -> str:
    async with open_storage(settings) as storage:
        user = await storage.users.set_operator(name, operator)
    if user is None:
        raise UnknownAccount(f"no account is named {name!r}")
    return f"{user.username} is {'now' if operator else 'no longer'} an operator"


class UnknownAccount(ValueError):
    """No account has the username the command was given."""


def _run(arguments: argparse.Namespace, settings: Settings) -> str | int:
    if arguments.command == "serve":
        return serve(settings, arguments.host, arguments.port)
    if arguments.command == "migrate":
        if arguments.status:
            return asyncio.run(migration_status(settings))
        return asyncio.run(migrate_database(settings))
    if arguments.command == "users":
        grant = arguments.action == "grant-operator"
        return asyncio.run(_set_operator(settings, arguments.name, grant))
    if arguments.action == "import":
        return asyncio.run(_import_catalog(settings, arguments.file))
    return _sync(settings)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the moviecore command; the exit code is 2 for bad settings or a schema newer than
    this build runs with, 1 for failures, 130 for a sync stopped with Ctrl-C."""
    arguments = _parser().parse_args(argv)
    try:
        outcome = _run(arguments, load_settings())
    except (SettingsError, SchemaTooNew) as exc:
        print(f"moviecore: {exc}", file=sys.stderr)
        return 2
    except SyncStopped as exc:
        print(f"moviecore: {exc}", file=sys.stderr)
        return 130
    except (OSError, ValueError, MovieCoreError, ListenError) as exc:
        print(f"moviecore: {exc}", file=sys.stderr)
        return 1
    if isinstance(outcome, int):  # what serving ended with
        return outcome
    for line in outcome.splitlines():
        print(f"moviecore: {line}")
    return 0
