"""The composition root: from the settings, the adapters behind each port, the HTTP app,
and the start of the service.

The ``moviecore`` command (``cli``) calls on it; nothing here parses arguments or
prints. Settings are read by ``adapters.settings`` without side effects; the steps
that write (the generated JWT secret, migrations) are explicit here.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    AsyncExitStack,
    ExitStack,
    asynccontextmanager,
    contextmanager,
)
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Protocol

from adapters import postgres, redis, sqlite
from adapters.caching import RecentSearches, RecentSessions
from adapters.faults import Rejected
from adapters.http import (
    Backend,
    ConnectionLimits,
    ListenError,
    RequestCounting,
    ServerConfig,
    create_http_app,
    serve_http,
)
from adapters.login_throttle import LocalLoginThrottle
from adapters.logs import configure_logs
from adapters.metrics import (
    MULTIPROC_DIR,
    Metrics,
    forget_worker,
    metrics_endpoint,
    workers_registry,
)
from adapters.migrations import Migrated
from adapters.mirror import MirroredCatalog
from adapters.movie_files import bundled_movies
from adapters.security import stored_secret
from adapters.settings import Settings, SettingsError, load_settings
from adapters.upstream import open_upstream_catalog
from moviecore import StorageUnavailable
from moviecore.ports import (
    Catalog,
    CollectionRepository,
    LoginThrottle,
    MovieStore,
    Ports,
    RequestCounter,
    SearchableCatalog,
    SessionStore,
    SyncCursor,
    UserRepository,
)
from moviecore.security import BcryptPasswordHasher, JwtTokenIssuer

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

__all__ = [
    "Settings",
    "SettingsError",
    "create_app",
    "jwt_secret",
    "load_settings",
    "migrate_database",
    "migration_status",
    "open_storage",
    "open_upstream",
    "prepare_start",
    "serve",
    "server_config",
]

STARTUP_WAIT_SECONDS = 10.0
"""How long a start waits for an unreachable database before it gives up."""

# --- Choosing adapters ------------------------------------------------------
# The one place that decides, from the settings, which adapter serves each port.


class Storage(Protocol):
    """An open database: accounts, sessions, collections and the local catalog."""

    @property
    def users(self) -> UserRepository: ...
    @property
    def sessions(self) -> SessionStore: ...
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

    PostgreSQL is migrated first, and a SQLite file checked for damage, unless
    ``migrate`` is False: the workers of ``moviecore serve`` leave that to the command,
    which does both once per start. Its pool reports to ``metrics``, if given.
    """
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        async with sqlite.open_store(settings.sqlite_path, verify=migrate) as embedded:
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


async def _migrate_when_reachable(url: str) -> Migrated:
    """Migrate, riding out a database that is briefly unreachable as the service starts."""
    deadline = time.monotonic() + STARTUP_WAIT_SECONDS
    while True:
        try:
            with _database_url_named():
                return await postgres.migrate(url)
        except StorageUnavailable:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


@contextmanager
def _database_url_named() -> Iterator[None]:
    """A database that refuses, or that does not exist, is a setting to fix: SettingsError."""
    try:
        yield
    except (Rejected, postgres.MissingDatabase) as exc:
        raise SettingsError(f"DATABASE_URL: {exc}") from exc


async def migrate_database(settings: Settings) -> str:
    """Create or upgrade the database; the lines naming each migration applied, then saying
    it is done. A damaged SQLite file stops it with SettingsError naming the file and
    the remedy; SchemaTooNew if a newer build migrated it past what this one runs with."""
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            migrated = await sqlite.migrate(settings.sqlite_path)
        except sqlite.DamagedDatabase as exc:
            raise SettingsError(f"DATA_DIR: {exc}") from exc
    else:
        migrated = await _migrate_when_reachable(settings.database_url)
    return "\n".join(migrated.lines())


async def migration_status(settings: Settings) -> str:
    """The migrations the database records and those it lacks, a line each; nothing is
    changed, not even created."""
    if settings.database_url is None:
        found = await sqlite.migration_status(settings.sqlite_path)
    else:
        with _database_url_named():
            found = await postgres.migration_status(settings.database_url)
    return "\n".join(found.lines())


def jwt_secret(settings: Settings) -> str:
    """JWT_SECRET, else the secret kept in DATA_DIR, generated there on first use."""
    if settings.jwt_secret is not None:
        return settings.jwt_secret
    try:
        return stored_secret(settings.data_dir / "jwt_secret")
    except OSError as exc:
        raise SettingsError(f"DATA_DIR {str(settings.data_dir)!r} is not writable: {exc}") from exc
    except ValueError as exc:
        raise SettingsError(str(exc)) from exc


async def prepare_start(settings: Settings) -> None:
    """Once per start, before any worker: keep a generated JWT secret if none is set, check
    Redis, migrate the storage (logging each migration applied).

    A refusal here is one line, where in each worker it would be a traceback each. A
    Redis that refuses the credentials or the certificate stops the start with
    SettingsError naming it, before the database is changed; one that cannot be
    reached is logged, and the service starts degraded until it is back. A schema
    newer than this build runs with stops it with SchemaTooNew.
    """
    jwt_secret(settings)  # made once here, so that every worker reads the same
    if settings.database_url is None:  # one line here, rather than a traceback per worker
        sqlite.refuse_if_in_use(settings.sqlite_path)
    if settings.redis_url is not None:
        try:
            await redis.check(settings.redis_url)
        except Rejected as exc:
            raise SettingsError(f"REDIS_URL: {exc}") from exc
    for line in (await migrate_database(settings)).splitlines():
        logging.getLogger("moviecore").info(line)


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
        yield LocalLoginThrottle()
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
        async with open_upstream(settings, settings.redis_url, metrics) as upstream:
            yield MirroredCatalog(upstream, storage.catalog)


def open_upstream(
    settings: Settings, redis_url: str | None, metrics: Metrics | None = None
) -> AbstractAsyncContextManager[Catalog]:
    """The upstream catalog of the settings, cached in ``redis_url`` if given."""
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
            users=storage.users,
            collections=storage.collections,
            catalog=RecentSearches(catalog),
            counter=counter,
            hasher=BcryptPasswordHasher(settings.bcrypt_rounds),
            tokens=JwtTokenIssuer(
                jwt_secret(settings),
                access_lifetime=timedelta(minutes=settings.access_token_minutes),
                refresh_lifetime=timedelta(days=settings.refresh_token_days),
            ),
            throttle=await stack.enter_async_context(open_throttle(settings)),
            sessions=RecentSessions(storage.sessions, ttl=settings.session_cache_ms / 1000),
        )
        checks = {
            "database": storage.ping,
            # a write, not a read: reads may be answered from memory for a moment
            "counter": counter.flush,
            "catalog": lambda: catalog.page(1),
        }
        yield Backend(ports, checks)


# --- The application --------------------------------------------------------


def create_app(
    settings: Settings | None = None, *, metrics: Metrics | None = None
) -> RequestCounting:
    """The HTTP service as an ASGI app; ``settings`` default to the environment's.

    Logging is set up here too (LOG_FORMAT), so that the app served by another ASGI
    server logs as ``moviecore serve`` does. With METRICS (the default), the app
    measures itself into ``metrics``, or into metrics of its own.
    """
    settings = load_settings() if settings is None else settings
    configure_logs(settings.log_format)
    if metrics is None and settings.metrics:
        metrics = Metrics()
    return create_http_app(
        lambda: open_backend(settings, metrics),
        limits=settings.limits,
        max_body_bytes=settings.max_body_bytes,
        public_url=settings.public_url,
        cors_origins=settings.cors_origins,
        trusted_proxies=settings.trusted_proxies,
        access_log=settings.access_log,
        metrics=metrics,
        operators=settings.operators,
    )


# --- Running the service -----------------------------------------------------


def serve(settings: Settings, host: str | None, port: int | None) -> int:
    """Serve the HTTP API until stopped: prepare the start once, then run the workers; the
    exit code. ListenError if the address, or the metrics', cannot be listened on."""
    # The start's one migration: the workers do not migrate. Logged, not printed, so
    # that with LOG_FORMAT=json every line the process writes is JSON.
    configure_logs(settings.log_format)
    asyncio.run(prepare_start(settings))
    config = server_config(settings, host=host, port=port)
    with _measured(settings) as (factory, on_worker_exit):
        try:
            return serve_http(factory, config, on_worker_exit)
        except ListenError as exc:
            raise ListenError(f"{exc}{_advice(exc.__cause__, 'PORT')}") from exc


def _advice(error: BaseException | None, setting: str) -> str:
    """What to do about a port that cannot be listened on, where that is plain."""
    if isinstance(error, OSError) and error.errno == errno.EADDRINUSE:
        return f"; stop what listens there, or set another {setting}"
    return ""


def server_config(
    settings: Settings, *, host: str | None = None, port: int | None = None
) -> ServerConfig:
    """How ``serve`` runs the HTTP server: address, workers, limits and timings."""
    return ServerConfig(
        host=host or settings.host,
        port=settings.port if port is None else port,
        workers=settings.workers,
        limits=ConnectionLimits(
            max_head_bytes=settings.max_head_bytes,
            head_timeout=settings.head_timeout_seconds,
            body_timeout=settings.body_timeout_seconds,
            keep_alive=settings.keep_alive_seconds,
            max_connections=settings.max_connections,
            max_uploads=settings.max_uploads,
        ),
        drain_seconds=settings.drain_seconds,
        shutdown_timeout=settings.shutdown_timeout_seconds,
    )


AppFactory = Callable[[], RequestCounting]


@contextmanager
def _measured(settings: Settings) -> Iterator[tuple[AppFactory, Callable[[int], None] | None]]:
    """The app factory each worker calls, its metrics served on METRICS_PORT meanwhile.

    One worker measures into metrics of this process. Several write theirs to a
    directory of this start's own (set before they start, so that they import
    prometheus_client with it), removed at the end: counts start from zero at each start.
    """
    if not settings.metrics:
        yield partial(create_app, settings), None
        return
    if settings.workers == 1:
        metrics = Metrics()
        with _metrics_endpoint(settings, metrics.registry):
            yield partial(create_app, settings, metrics=metrics), None
        return
    with tempfile.TemporaryDirectory(prefix="moviecore-metrics-") as directory:
        os.environ[MULTIPROC_DIR] = directory
        with _metrics_endpoint(settings, workers_registry(directory)):
            yield partial(create_app, settings), partial(forget_worker, directory)


@contextmanager
def _metrics_endpoint(settings: Settings, registry: CollectorRegistry) -> Iterator[None]:
    with ExitStack() as stack:
        host, port = settings.metrics_host, settings.metrics_port
        try:
            stack.enter_context(metrics_endpoint(host, port, registry))
        except OSError as exc:
            raise ListenError(
                f"cannot serve metrics on {host}:{port} (METRICS_PORT): {exc.strerror or exc}"
                f"{_advice(exc, 'METRICS_PORT')}"
            ) from exc
        yield
