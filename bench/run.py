"""The benchmark (``make bench``): the service as users run it, against floors measured in
the same run. ``python -m bench.run --help`` lists the options.

Each configuration (the embedded default; PostgreSQL + Redis with one and two workers)
gets a fresh data directory or database, the catalog imported with ``moviecore catalog
import``, users and collections created over the API; then wrk drives each scenario at
64 connections against the framework floor (a bare Litestar app on the same server).
Logins are set against ``bcrypt.checkpw`` per second on every core; ``/health/live/``'s
p99 during new searches against its p99 idle. On the embedded default, instructions per
``GET /request-count/`` (callgrind, which shared machines cannot disturb) weigh what
throughput cannot: our server against plain uvicorn, the JSON access line, the metrics,
and the session check read afresh on every request.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import bcrypt
import psycopg

from . import instructions, load, scenarios, seed, servers

CONFIGURATIONS = ("embedded", "postgres-1w", "postgres-2w")
CONNECTIONS = 64
POSTGRES_ADMIN = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TWINS = {
    "service": ({}, servers.service),
    "uvicorn": ({}, servers.uvicorn),
    "json-log": ({"LOG_FORMAT": "json", "ACCESS_LOG": "true"}, servers.service),
    "metrics-off": ({"METRICS": "false"}, servers.service),
    "sessions-uncached": ({"SESSION_CACHE_MS": "0"}, servers.service),
}
"""What instructions are counted on: the service, and twins with one thing changed."""


def main(argv: list[str]) -> int:
    """Run the chosen configurations and print the tables."""
    options = _parser().parse_args(argv)
    load.require_wrk()
    lines = ["| configuration | scenario | req/s | x floor | p50 ms | p99 ms | errors |"]
    lines.append("|---|---|--:|--:|--:|--:|--:|")
    for name in options.configurations.split(","):
        lines += _configuration(name, options.seconds)
    if instructions.available() and not options.no_instructions:
        lines += ["", "| GET /request-count/ on | instructions | x service |", "|---|--:|--:|"]
        lines += _instructions()
    report = "\n".join(lines)
    print(report)
    (servers.ROOT / "bench" / "results").mkdir(exist_ok=True)
    (servers.ROOT / "bench" / "results" / "latest.md").write_text(report + "\n")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configurations", default=",".join(CONFIGURATIONS))
    parser.add_argument("--seconds", type=float, default=10.0, help="per scenario")
    parser.add_argument("--no-instructions", action="store_true", help="skip callgrind")
    return parser


def _configuration(name: str, seconds: float) -> list[str]:
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        environment = stack.enter_context(_environment(name, folder))
        servers.migrate(environment, folder)
        movies = seed.import_catalog(folder, environment)
        port, floor_port = servers.free_port(), servers.free_port()
        stack.enter_context(
            servers.running(
                servers.floor(floor_port),
                floor_port,
                environment=environment,
                folder=folder,
                ready_path="/floor/",
            )
        )
        stack.enter_context(
            servers.running(servers.service(port), port, environment=environment, folder=folder)
        )
        url, floor_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{floor_port}"
        data = seed.seed(url, movies)
        floor = _measure(floor_url, load.Request("GET", ("/floor/",)), CONNECTIONS, seconds)
        rows = [_row(name, "floor", floor, floor.rps)]
        for scenario, build in scenarios.SCENARIOS.items():
            rows.append(
                _row(name, scenario, _measure(url, build(data), CONNECTIONS, seconds), floor.rps)
            )
        rows += _logins(name, url, seconds)
        rows += _live_during_searches(name, url, data, seconds)
        return rows


@contextmanager
def _environment(name: str, folder: Path) -> Iterator[Mapping[str, str]]:
    common = {
        "DATA_DIR": str(folder),
        "METRICS_PORT": str(servers.free_port()),
        "DRAIN_SECONDS": "0",
        "WORKERS": "2" if name.endswith("-2w") else "1",
    }
    if name == "embedded":
        yield {**os.environ, **common}
        return
    database = f"moviecore_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
        try:
            url = POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{database}"
            prefix = f"{database}:"
            yield {
                **os.environ,
                **common,
                "DATABASE_URL": url,
                "REDIS_URL": REDIS_URL,
                "REDIS_PREFIX": prefix,
            }
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _measure(url: str, request: load.Request, connections: int, seconds: float) -> load.Measurement:
    load.measure(url, request, connections, 1.0)  # warm-up: caches, pools, JIT-free paths
    return load.measure(url, request, connections, seconds)


def _row(name: str, scenario: str, measured: load.Measurement, floor_rps: float) -> str:
    share = f"{measured.rps / floor_rps:.2f}" if floor_rps else ""
    return (
        f"| {name} | {scenario} | {measured.rps:,.0f} | {share} | {measured.p50_ms:.1f} "
        f"| {measured.p99_ms:.1f} | {measured.errors} |"
    )


def _logins(name: str, url: str, seconds: float) -> list[str]:
    """Logins per second against bcrypt.checkpw per second on every core, measured just
    before: a login is one such check, so that is its physical limit."""
    limit = _checkpw_per_second(seed.PASSWORD, scenarios.LOGIN_CONNECTIONS // 2, seconds)
    logins = load.measure(url, scenarios.login(), scenarios.LOGIN_CONNECTIONS, seconds)
    return [_row(name, "login (x = of bcrypt.checkpw)", logins, limit)]


def _checkpw_per_second(password: str, threads: int, seconds: float) -> float:
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt())
    deadline = time.monotonic() + seconds

    def checks(_: int) -> int:
        done = 0
        while time.monotonic() < deadline:
            bcrypt.checkpw(password.encode(), hashed)
            done += 1
        return done

    with ThreadPoolExecutor(threads) as pool:  # bcrypt releases the GIL: one core each
        return sum(pool.map(checks, range(threads))) / seconds


def _live_during_searches(name: str, url: str, data: seed.Dataset, seconds: float) -> list[str]:
    """/health/live/ on one connection, idle, then while 8 clients search afresh."""
    idle = load.measure(url, scenarios.live(), 1, seconds)
    searching = load.start(url, scenarios.search_new(data), scenarios.SEARCHERS, seconds + 2)
    time.sleep(1.0)  # the searches under way before the probe is timed
    busy = load.measure(url, scenarios.live(), 1, seconds)
    load.finish(searching)
    ratio = busy.p99_ms / idle.p99_ms if idle.p99_ms else 0.0
    return [
        _row(name, "live (idle)", idle, 0.0),
        _row(name, f"live (8 searching; p99 x{ratio:.1f} idle)", busy, 0.0),
    ]


def _instructions() -> list[str]:
    """Instructions per GET /request-count/ on the embedded default, one worker."""
    counted: dict[str, float] = {}
    for twin, (changes, command) in TWINS.items():
        with ExitStack() as stack:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
            environment = {**stack.enter_context(_environment("embedded", folder)), **changes}
            servers.migrate(environment, folder)
            port = servers.free_port()
            process = stack.enter_context(
                servers.running(
                    command(port),
                    port,
                    environment=environment,
                    folder=folder,
                    under=instructions.prefix(folder),
                )
            )
            url = f"http://127.0.0.1:{port}"
            token = seed.register(url, "counter")
            request = load.Request("GET", ("/request-count/",), (f"Authorization: Bearer {token}",))
            counted[twin] = instructions.per_request(process.pid, url, request, folder)
    return [
        f"| {twin} | {count:,.0f} | {count / counted['service']:.3f} |"
        for twin, count in counted.items()
    ]


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
