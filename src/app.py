"""The composition root: settings, adapters, the HTTP app and the moviecore command.

    moviecore serve [--host HOST] [--port PORT]   run the HTTP service
    moviecore migrate                             create or upgrade the database
    moviecore catalog import FILE                 add movies (JSON or CSV) to the local catalog
    moviecore catalog sync                        copy the whole upstream into the local catalog,
                                                  resuming where the last run stopped
    moviecore fake-upstream [OPTIONS]             serve a fake upstream catalog (tests, demos)

Settings come from the environment, then from a ``.env`` file in the working
directory for names the environment leaves unset. A bad setting stops the
command with one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import (
    AbstractAsyncContextManager,
    AsyncExitStack,
    asynccontextmanager,
    contextmanager,
)
from functools import partial
from pathlib import Path
from typing import Protocol, TextIO, cast

import uvicorn

from adapters import fake_upstream, postgres, redis, sqlite
from adapters.caching import RecentSearches, RecentUsers
from adapters.faults import Rejected
from adapters.http import Backend, GuardedHttpToolsProtocol, RequestCounting, create_http_app
from adapters.logs import configure_logs, log_config
from adapters.metrics import MULTIPROC_DIR, Metrics
from adapters.mirror import MirroredCatalog
from adapters.movie_files import MovieFile, bundled_movies, read_movies
from adapters.security import BcryptPasswordHasher, JwtTokenIssuer
from adapters.settings import Settings, SettingsError, load_settings
from adapters.upstream import SyncCursor, SyncProgress, open_upstream_catalog, sync_catalog
from moviecore import (
    Catalog,
    CollectionRepository,
    LoginThrottle,
    MovieCoreError,
    MovieStore,
    Ports,
    RequestCounter,
    SearchableCatalog,
    StorageUnavailable,
    UserRepository,
    ValidationError,
    __version__,
)
from moviecore.testing import MemoryLoginThrottle

__all__ = ["Settings", "SettingsError", "create_app", "load_settings", "main"]

IMPORT_BATCH = 1000
"""Movies stored per transaction by ``catalog import``: 45,466 take a few seconds."""

STARTUP_WAIT_SECONDS = 10.0
"""How long a start waits for an unreachable database before it gives up."""
UP_TO_DATE = "the database is up to date"

# --- Choosing adapters ------------------------------------------------------
# The one place that decides, from the settings, which adapter serves each port.


class Storage(Protocol):
    """An open database: accounts, collections and the local catalog."""

    @property
    def users(self) -> UserRepository: ...
    @property
    def collections(self) -> CollectionRepository: ...
    @property
    def catalog(self) -> MovieStore: ...
    @property
    def sync_cursor(self) -> SyncCursor: ...
    async def ping(self) -> None:
        """Return if the database answers; raise StorageUnavailable otherwise."""


class StoredCounter(RequestCounter, Protocol):
    """A request counter that keeps its count in a store it can be told to write to now."""

    async def flush(self) -> None:
        """Write the counts made so far to the store; raise Unavailable if it cannot."""


@asynccontextmanager
async def open_storage(
    settings: Settings, *, migrate: bool = True, metrics: Metrics | None = None
) -> AsyncIterator[Storage]:
    """The database the settings name, open while the block runs.

    PostgreSQL is migrated first unless ``migrate`` is False: the workers of
    ``moviecore serve`` leave that to the command, which migrates once per start.
    Its pool reports to ``metrics``, if given.
    """
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        async with sqlite.open_store(settings.sqlite_path) as embedded:
            yield embedded
    else:
        if migrate:
            await _migrate_when_reachable(settings.database_url)
        async with postgres.open_store(
            settings.database_url,
            max_size=settings.database_pool_size,
            prepare=settings.database_prepare,
            metrics=metrics,
        ) as shared:
            yield shared


async def _migrate_when_reachable(url: str) -> None:
    """Migrate, riding out a database that is briefly unreachable as the service starts."""
    deadline = time.monotonic() + STARTUP_WAIT_SECONDS
    while True:
        try:
            return await postgres.migrate(url)
        except Rejected as exc:
            raise SettingsError(f"DATABASE_URL: {exc}") from exc
        except StorageUnavailable:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


async def _prepare_start(settings: Settings) -> str:
    """Once per start, before any worker: open (and migrate) the storage, check Redis.

    A refusal here is one line, where in each worker it would be a traceback each. A
    Redis that refuses the credentials or the certificate stops the start with
    SettingsError naming it; one that cannot be reached is logged, and the service
    starts degraded until it is back.
    """
    message = await _migrate(settings)
    if settings.redis_url is not None:
        try:
            await redis.check(settings.redis_url)
        except Rejected as exc:
            raise SettingsError(f"REDIS_URL: {exc}") from exc
    return message


@asynccontextmanager
async def open_counter(settings: Settings, storage: Storage) -> AsyncIterator[StoredCounter]:
    """Redis when configured, shared by every worker; else the embedded store's count file."""
    if settings.redis_url is not None:
        key = f"{settings.redis_prefix}requests"
        async with redis.open_counter(settings.redis_url, key=key) as counter:
            yield counter
    elif isinstance(storage, sqlite.SqliteStore):
        async with sqlite.open_counter(storage) as counter:
            yield counter
    else:  # load_settings refuses a shared database without Redis
        raise SettingsError("REDIS_URL is required when DATABASE_URL is set")


@asynccontextmanager
async def open_throttle(settings: Settings) -> AsyncIterator[LoginThrottle]:
    """Failed logins remembered in Redis for every worker, or in this one process."""
    if settings.redis_url is None:
        yield MemoryLoginThrottle()
    else:
        prefix = f"{settings.redis_prefix}login-attempts:"
        async with redis.open_throttle(settings.redis_url, prefix=prefix) as throttle:
            yield throttle


@asynccontextmanager
async def open_catalog(
    settings: Settings, storage: Storage, metrics: Metrics | None = None
) -> AsyncIterator[SearchableCatalog]:
    """The upstream catalog behind its cache when configured, searched through its local
    copy; else the local catalog. The upstream and its caches report to ``metrics``."""
    if settings.external_movies_api_url is None:
        if await storage.catalog.count() == 0:
            await storage.catalog.put(bundled_movies(settings.limits))
        yield storage.catalog
    else:
        async with _open_upstream(settings, settings.redis_url, metrics) as upstream:
            yield MirroredCatalog(upstream, storage.catalog)


def _open_upstream(
    settings: Settings, redis_url: str | None, metrics: Metrics | None = None
) -> AbstractAsyncContextManager[Catalog]:
    return open_upstream_catalog(
        settings.external_movies_api_url or "",
        settings.api_username or "",
        settings.api_password or "",
        redis_url=redis_url,
        key_prefix=f"{settings.redis_prefix}catalog:",
        limits=settings.limits,
        metrics=metrics,
    )


@asynccontextmanager
async def open_backend(
    settings: Settings, metrics: Metrics | None = None
) -> AsyncIterator[Backend]:
    """Every port the service needs, open for as long as the context lasts; those that
    measure something report to ``metrics``."""
    async with AsyncExitStack() as stack:
        storage = await stack.enter_async_context(
            open_storage(settings, migrate=False, metrics=metrics)
        )
        counter = await stack.enter_async_context(open_counter(settings, storage))
        catalog = await stack.enter_async_context(open_catalog(settings, storage, metrics))
        ports = Ports(
            users=RecentUsers(storage.users),
            collections=storage.collections,
            catalog=RecentSearches(catalog),
            counter=counter,
            hasher=BcryptPasswordHasher(settings.bcrypt_rounds),
            tokens=JwtTokenIssuer(settings.jwt_secret),
            throttle=await stack.enter_async_context(open_throttle(settings)),
        )
        checks = {
            "database": storage.ping,
            # a write, not a read: reads may be answered from memory for a moment
            "counter": counter.flush,
            "catalog": lambda: catalog.page(1),
        }
        yield Backend(ports, checks)


# --- The application --------------------------------------------------------


def create_app(settings: Settings | None = None) -> RequestCounting:
    """The HTTP service as an ASGI app; ``settings`` default to the environment's.

    Logging is set up here too (LOG_FORMAT), so that a server started on its own
    (``uvicorn app:create_app --factory``) logs as ``moviecore serve`` does. With
    METRICS (the default), the app measures itself and serves ``GET /metrics``.
    """
    settings = load_settings() if settings is None else settings
    configure_logs(settings.log_format)
    metrics = Metrics() if settings.metrics else None
    return create_http_app(
        lambda: open_backend(settings, metrics),
        limits=settings.limits,
        max_body_bytes=settings.max_body_bytes,
        public_url=settings.public_url,
        cors_origins=settings.cors_origins,
        access_log=settings.access_log,
        metrics=metrics,
    )


# --- The command line -------------------------------------------------------


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
    commands.add_parser(
        "migrate", help="create or upgrade the database (default: SQLite in DATA_DIR, ./data)"
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
    commands.add_parser(
        "fake-upstream", help="serve a fake upstream catalog (its own --help)", add_help=False
    )
    return parser


def _serve(settings: Settings, host: str | None, port: int | None) -> None:
    # The start's one migration: the workers do not migrate. Logged, not printed, so
    # that with LOG_FORMAT=json every line the process writes is JSON.
    configure_logs(settings.log_format)
    logging.getLogger("moviecore").info(asyncio.run(_prepare_start(settings)))
    # Each worker builds its own app from the same environment, hence the factory.
    # uvloop and httptools (uvicorn[standard]): faster, and uvloop sets TCP_NODELAY on
    # every connection, which asyncio's own loop skips on uvicorn's multi-worker socket.
    # The protocol applies the head limit (uvicorn's h11 option) and the head deadline.
    protocol = partial(GuardedHttpToolsProtocol, head_timeout=settings.head_timeout_seconds)
    with _shared_metrics(settings):
        uvicorn.run(
            "app:create_app",
            factory=True,
            host=host or settings.host,
            port=settings.port if port is None else port,
            workers=settings.workers,
            lifespan="on",
            loop="uvloop",
            http=cast(type[asyncio.Protocol], protocol),
            h11_max_incomplete_event_size=settings.max_head_bytes,
            timeout_keep_alive=settings.keep_alive_seconds,
            limit_concurrency=settings.max_connections,
            access_log=False,  # the service logs each request itself, with its id and user
            log_config=log_config(settings.log_format),
        )


@contextmanager
def _shared_metrics(settings: Settings) -> Iterator[None]:
    """With several workers, a directory of this start's own where every worker writes
    its metrics, removed at the end: counts start from zero at each start.

    Set before uvicorn starts the workers, which import prometheus_client afresh and so
    see it; one worker keeps its metrics in memory, as a process started on its own does.
    """
    if not settings.metrics or settings.workers == 1:
        yield
        return
    with tempfile.TemporaryDirectory(prefix="moviecore-metrics-") as directory:
        os.environ[MULTIPROC_DIR] = directory
        yield


async def _migrate(settings: Settings) -> str:
    async with open_storage(settings):
        return UP_TO_DATE


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
    async with open_storage(settings) as storage, _open_upstream(settings, None) as upstream:
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


def _run(arguments: argparse.Namespace, settings: Settings) -> str | None:
    if arguments.command == "serve":
        _serve(settings, arguments.host, arguments.port)
        return None
    if arguments.command == "migrate":
        return asyncio.run(_migrate(settings))
    if arguments.action == "import":
        return asyncio.run(_import_catalog(settings, arguments.file))
    return _sync(settings)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the moviecore command; the exit code is 2 for bad settings, 1 for failures,
    130 for a sync stopped with Ctrl-C."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["fake-upstream"]:  # a tool of its own, with its own options
        fake_upstream.main(argv[1:])
        return 0
    arguments = _parser().parse_args(argv)
    try:
        message = _run(arguments, load_settings())
    except SettingsError as exc:
        print(f"moviecore: {exc}", file=sys.stderr)
        return 2
    except SyncStopped as exc:
        print(f"moviecore: {exc}", file=sys.stderr)
        return 130
    except (OSError, ValueError, MovieCoreError) as exc:
        print(f"moviecore: {exc}", file=sys.stderr)
        return 1
    if message:
        print(f"moviecore: {message}")
    return 0
