"""The benchmark's course: prepare the data, serve each app, drive each scenario, report."""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import instructions, loadgen, machine, report, services, targets
from .bcrypt_limit import checkpw_limit
from .loadgen import Measurement, Request
from .results import Result, Run
from .scenarios import (
    CONFIGURATIONS,
    CORES,
    JWT_SECRET,
    LIVE_CONNECTIONS,
    LOGIN_CONNECTIONS,
    SEARCHERS,
    Configuration,
    Scenario,
    Twin,
    build_scenarios,
    login_request,
)
from .seed import PASSWORD, Dataset, build_dataset, write_postgres, write_sqlite
from .servers import DB_FLOOR, FLOOR, SERVICE, UNCOUNTED, Server, start_server

BCRYPT_ROUNDS = 12
"""The service's default cost, so that logins cost what they cost in production."""


@dataclass(frozen=True, slots=True)
class Options:
    """How long and how hard to drive each scenario, and with which server."""

    duration: int
    warmup: int
    connections: tuple[int, ...]
    server: str
    configurations: tuple[str, ...]
    scenarios: tuple[str, ...] | None
    light_users: int
    access_log: bool


def _parse(argv: Sequence[str]) -> Options:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2 s runs at 64 connections only")
    parser.add_argument("--duration", type=int, default=5, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up per run")
    parser.add_argument("--connections", default="64,256", help="comma-separated counts")
    parser.add_argument("--server", choices=("uvicorn", "granian"), default="uvicorn")
    parser.add_argument(
        "--configurations",
        default=",".join(c.name for c in CONFIGURATIONS),
        help="comma-separated names (default: all): %(default)s",
    )
    parser.add_argument(
        "--scenarios",
        help="comma-separated keys (default: all): floor, floor-db-1, floor-db-2,"
        " request-count-uncounted, request-count, collections-few, collections-many,"
        " collections-most, collection, movies, movies-page-1, search, search-cold, create,"
        " update, login, live, flood (GET /request-count/ during logins) and searching"
        " (GET /health/live/ during new searches, embedded only)",
    )
    parser.add_argument("--light-users", type=int, default=2000, help="users with 0-5 lists")
    parser.add_argument("--access-log", action="store_true", help="serve with the access log on")
    args = parser.parse_args(argv)
    connections = tuple(int(n) for n in args.connections.split(","))
    return Options(
        duration=2 if args.quick else args.duration,
        warmup=1 if args.quick else args.warmup,
        connections=connections[:1] if args.quick else connections,
        server=args.server,
        configurations=tuple(args.configurations.split(",")),
        scenarios=tuple(args.scenarios.split(",")) if args.scenarios else None,
        light_users=args.light_users,
        access_log=args.access_log,
    )


def main(argv: Sequence[str]) -> int:
    """Run the benchmark and print its report; 0 whether or not targets are met."""
    started = time.monotonic()
    options = _parse(argv)
    loadgen.ensure_wrk()
    print("bench: building the data set", flush=True)
    dataset = build_dataset(light_users=options.light_users, bcrypt_rounds=BCRYPT_ROUNDS)
    run = Run(machine.describe(), _settings(options))
    chosen = [c for c in CONFIGURATIONS if c.name in options.configurations]
    with tempfile.TemporaryDirectory(prefix="moviecore-bench-") as scratch, ExitStack() as stack:
        folder = Path(scratch)
        stores = _Stores(stack, folder, dataset)
        for configuration in chosen:
            environment = stores.environment(configuration)
            _Course(run, options, configuration, environment, folder).measure(dataset)
    run.wall_seconds = time.monotonic() - started
    checks = targets.check(run, {c.name for c in chosen if c.catalog == "upstream"})
    report.write(run, checks)
    print(report.markdown(run, checks), flush=True)
    print(f"\nbench: results in {report.RESULTS}; {run.wall_seconds:.0f} s in all")
    return 0


def _settings(options: Options) -> dict[str, object]:
    return {
        "server": options.server,
        "duration": options.duration,
        "warmup": options.warmup,
        "connections": list(options.connections),
        "bcrypt_rounds": BCRYPT_ROUNDS,
        "light_users": options.light_users,
        "access_log": options.access_log,
    }


class _Stores:
    """The databases, Redis prefix and fake upstream, each set up when first needed."""

    def __init__(self, stack: ExitStack, folder: Path, dataset: Dataset) -> None:
        self._stack = stack
        self._folder = folder
        self._dataset = dataset
        self._shared: dict[str, str] | None = None

    def environment(self, configuration: Configuration) -> dict[str, str]:
        """The settings that run the service in ``configuration``, its data seeded."""
        base = {"JWT_SECRET": JWT_SECRET, "WORKERS": str(configuration.workers)}
        data_dir = self._folder / configuration.name
        data_dir.mkdir()
        base["DATA_DIR"] = str(data_dir)
        if not configuration.postgres:
            services.migrate(base, data_dir)
            print(f"bench: seeding SQLite for {configuration.name}", flush=True)
            write_sqlite(data_dir / "moviecore.sqlite3", self._dataset)
            return base
        shared = self._distributed()
        if configuration.catalog == "local":  # the catalog table, seeded with the rest
            upstream = ("EXTERNAL_MOVIES_API_URL", "API_USERNAME", "API_PASSWORD")
            shared = {key: value for key, value in shared.items() if key not in upstream}
        return {**base, **shared}

    def _distributed(self) -> dict[str, str]:
        if self._shared is None:
            url = self._stack.enter_context(services.scratch_database())
            prefix = self._stack.enter_context(services.scratch_redis_prefix())
            upstream = self._stack.enter_context(
                services.fake_upstream(self._folder / "upstream.log")
            )
            self._shared = {
                "DATABASE_URL": url,
                "REDIS_URL": services.REDIS_URL,
                "REDIS_PREFIX": prefix,
                "EXTERNAL_MOVIES_API_URL": upstream,
                "API_USERNAME": "bench",
                "API_PASSWORD": "bench",
            }
            services.migrate(self._shared | {"JWT_SECRET": JWT_SECRET}, self._folder)
            print("bench: seeding PostgreSQL", flush=True)
            write_postgres(url, self._dataset)
        return self._shared


@dataclass(frozen=True, slots=True)
class _Course:
    """One configuration's measurements: what it serves, and where the results go."""

    run: Run
    options: Options
    configuration: Configuration
    environment: dict[str, str]
    folder: Path

    def measure(self, dataset: Dataset) -> None:
        """Serve each app in turn and drive each scenario it serves."""
        scenarios = build_scenarios(dataset, self.configuration)
        every = (*scenarios, "flood") if self.configuration.only is None else tuple(scenarios)
        if "live" in scenarios:
            every = (*every, "searching")
        chosen = self.options.scenarios
        wanted = [key for key in every if chosen is None or key in chosen]
        for factory in (FLOOR, DB_FLOOR, UNCOUNTED, SERVICE):
            if factory == SERVICE and "login" in wanted:
                self.run.results.append(self._checkpw_limit(dataset))
            mine = [s for s in scenarios.values() if s.factory == factory and s.key in wanted]
            if not mine:
                continue
            if factory != SERVICE:
                with self._serving(self.configuration.name, factory, self.environment) as server:
                    self._drive_all(server, mine, [])
                continue
            twins = [t for t in self.configuration.twins if set(t.scenarios) & set(wanted)]
            with ExitStack() as servers:
                # The twins first: an embedded one copies the data before the service opens it.
                serving = [(twin, servers.enter_context(self._twin(twin))) for twin in twins]
                server = servers.enter_context(
                    self._serving(self.configuration.name, factory, self.environment)
                )
                self._drive_all(server, mine, serving)
                if "searching" in wanted:
                    self.run.results.extend(self._searching(server, scenarios))
                if "flood" in wanted:
                    self.run.results.extend(self._flood(server, scenarios["request-count"]))
                    self.run.worker_rss_mib[self.configuration.name] = server.worker_rss_mib()
            if "request-count" in wanted and self.configuration.workers == 1:
                self._count_instructions(scenarios["request-count"], twins)

    def _drive_all(
        self, server: Server, scenarios: list[Scenario], twins: list[tuple[Twin, Server]]
    ) -> None:
        """Each scenario at each connection count, on each twin that runs it right after."""
        name = self.configuration.name
        for scenario in scenarios:
            for connections in scenario.connections or self.options.connections:
                self._record(name, server, scenario, connections)
                for twin, twin_server in twins:
                    if twin.runs(scenario.key, connections):
                        self._record(name + twin.suffix, twin_server, scenario, connections)

    def _twin(self, twin: Twin) -> AbstractContextManager[Server]:
        name = self.configuration.name + twin.suffix
        return self._serving(name, SERVICE, self._twin_environment(twin), log=twin.log)

    def _twin_environment(self, twin: Twin) -> dict[str, str]:
        environment = {**self.environment, **twin.environment}
        if not self.configuration.postgres:  # one server per DATA_DIR: the twin gets a copy
            data_dir = self.folder / (self.configuration.name + twin.suffix)
            shutil.copytree(environment["DATA_DIR"], data_dir, dirs_exist_ok=True)
            environment["DATA_DIR"] = str(data_dir)
        return environment

    def _count_instructions(self, scenario: Scenario, twins: list[Twin]) -> None:
        """The scenario's instructions per request on the service and on each twin that
        runs it, one server at a time under callgrind (see ``bench/instructions.py``)."""
        if not instructions.available():
            print("bench: valgrind is missing; no instruction counts", flush=True)
            return
        named = [(self.configuration.name, self.environment)] + [
            (self.configuration.name + twin.suffix, self._twin_environment(twin))
            for twin in twins
            if scenario.key in twin.scenarios
        ]
        for name, environment in named:
            under = instructions.prefix(self.folder)
            with self._serving(name, SERVICE, environment, log=False, under=under) as server:
                counted = instructions.per_request(
                    server.process.pid, server.base_url, scenario.request, self.folder
                )
            print(f"  {name}: {scenario.label}: {counted:,.0f} instructions a request", flush=True)
            self.run.instructions[name] = counted

    def _checkpw_limit(self, dataset: Dataset) -> Result:
        """bcrypt.checkpw per second on every core, measured while no server runs."""
        measured = checkpw_limit(
            PASSWORD, dataset.password_hash, threads=CORES, seconds=self.options.duration
        )
        print(f"  bcrypt.checkpw on {CORES} threads: {measured.rps:.1f}/s", flush=True)
        label = f"bcrypt.checkpw, {CORES} threads, no HTTP"
        return Result.of(self.configuration.name, "checkpw", label, CORES, measured)

    def _record(self, name: str, server: Server, scenario: Scenario, connections: int) -> None:
        measured = _drive(server, scenario, connections, self.options)
        self.run.results.append(
            Result.of(name, scenario.key, scenario.label, connections, measured)
        )

    @contextmanager
    def _serving(
        self,
        name: str,
        factory: str,
        environment: dict[str, str],
        *,
        log: bool = True,
        under: Sequence[str] = (),
    ) -> Iterator[Server]:
        app = factory.partition(":")[0].rpartition(".")[2]
        print(f"bench: {name}: serving {app}", flush=True)
        server = start_server(
            self.options.server,
            factory,
            workers=self.configuration.workers,
            environment=environment,
            folder=self.folder,
            log_name=f"{name}-{app}.log" if log else None,
            access_log=self.options.access_log,
            under=under,
        )
        try:
            yield server
        finally:
            server.stop()

    def _beside(
        self, server: Server, load: Request, load_connections: int, probe: Request, connections: int
    ) -> tuple[Measurement, Measurement]:
        """``probe`` measured at ``connections`` while ``load`` runs beside it, at full
        strength; what each saw."""
        options = self.options
        loading = loadgen.start(
            server.base_url, load, load_connections, options.duration + options.warmup
        )
        time.sleep(options.warmup)  # let the load reach full strength first
        probed = loadgen.measure(server.base_url, probe, connections, options.duration)
        return probed, loadgen.finish(loading)

    def _flood(self, server: Server, probe: Scenario) -> list[Result]:
        """GET /request-count/ measured while the login scenario's load runs beside it."""
        connections = targets.FLOOD_CONNECTIONS
        probed, logins = self._beside(
            server, login_request(), LOGIN_CONNECTIONS, probe.request, connections
        )
        print(
            f"  login flood: {logins.rps:,.1f} logins/s; request-count p99 {probed.p99_ms:.1f} ms",
            flush=True,
        )
        name = self.configuration.name
        label = "GET /request-count/ during a login flood"
        return [
            Result.of(name, "request-count-flooded", label, connections, probed),
            Result.of(name, "login-flood", "POST /login/ (the flood)", LOGIN_CONNECTIONS, logins),
        ]

    def _searching(self, server: Server, scenarios: dict[str, Scenario]) -> list[Result]:
        """GET /health/live/ measured while SEARCHERS clients search for what no one has
        searched for yet (the search-cold scenario's requests)."""
        probed, searches = self._beside(
            server,
            scenarios["search-cold"].request,
            SEARCHERS,
            scenarios["live"].request,
            LIVE_CONNECTIONS,
        )
        print(
            f"  {SEARCHERS} clients searching: {searches.rps:,.1f} searches/s;"
            f" /health/live/ p50 {probed.p50_ms:.1f} ms, p99 {probed.p99_ms:.1f} ms",
            flush=True,
        )
        name = self.configuration.name
        label = f"GET /health/live/ during {SEARCHERS} clients' new searches"
        return [
            Result.of(name, "live-searching", label, LIVE_CONNECTIONS, probed),
            Result.of(
                name, "searching", "GET /movies/?search= (the new searches)", SEARCHERS, searches
            ),
        ]


def _drive(server: Server, scenario: Scenario, connections: int, options: Options) -> Measurement:
    if scenario.warm_up:
        loadgen.measure(server.base_url, scenario.request, connections, options.warmup)
    seconds = options.duration * scenario.runs
    measured = loadgen.measure(server.base_url, scenario.request, connections, seconds)
    print(
        f"  {scenario.label} @{connections}: {measured.rps:,.1f} req/s,"
        f" p50 {measured.p50_ms:.1f} ms, p99 {measured.p99_ms:.1f} ms,"
        f" errors {measured.http_errors}/{measured.socket_errors}",
        flush=True,
    )
    return measured
