"""The movie catalog while its upstream fails: 1000 reads, cold cache then warm.

    python bench/catalog_under_failure.py [--failure-rate 0.3] [--latency-ms 200]

Starts a fake upstream whose answers take ``--latency-ms`` and fail at
``--failure-rate`` in every way it knows (5xx, hangs, dropped connections,
malformed bodies), and ``moviecore serve`` in front of it on the embedded
storage in a temporary DATA_DIR, both on free ports. Then ``--clients`` clients
read ``GET /movies/`` pages 1 to 10 in turn, ``--requests`` reads in all: once
with the page cache empty (the server is only waited for by connecting, so
nothing reads the catalog before), once again with it warm. Prints, for each
run, the non-200 answers, the upstream calls it caused and the latencies.
Both processes and the folder are removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PAGES = 10
USERNAME, PASSWORD = "bench-user", "bench-secret"
STARTUP_SECONDS = 30.0
# Longer than the service's own upstream deadline: the service always answers first.
CLIENT_TIMEOUT = 30.0


@dataclass(frozen=True)
class Run:
    """What one load run observed."""

    name: str
    statuses: list[int]
    latencies_ms: list[float]
    upstream_hits: int

    def row(self) -> tuple[str, ...]:
        """The table row: requests, non-200 answers, upstream hits, p50 and p99 latency."""
        p99 = statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[98]
        return (
            self.name,
            str(len(self.statuses)),
            str(sum(status != httpx.codes.OK for status in self.statuses)),
            str(self.upstream_hits),
            f"{statistics.median(self.latencies_ms):.1f}",
            f"{p99:.1f}",
        )


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running(
    command: Sequence[str], environment: Mapping[str, str], port: int, log: Path
) -> Iterator[None]:
    """Run ``command`` until the block ends, from the moment it accepts connections on ``port``."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, env=environment, cwd=log.parent, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_listening(process, port, log)
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_listening(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{log.stem} exited:\n{log.read_text(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            time.sleep(0.05)  # polling while it starts
        else:
            return
    raise RuntimeError(f"{log.stem} did not listen within {STARTUP_SECONDS} s")


async def upstream_hits(upstream: str) -> int:
    """Catalog requests the fake upstream has received so far."""
    async with httpx.AsyncClient() as http:
        hits: int = (await http.get(f"{upstream}/_stats")).json()["hits"]
        return hits


async def load(
    http: httpx.AsyncClient, requests: int, clients: int
) -> tuple[list[int], list[float]]:
    """``requests`` reads of pages 1..10 in turn by ``clients`` clients; statuses and ms each."""
    paths = iter(f"/movies/?page={n % PAGES + 1}" for n in range(requests))
    statuses: list[int] = []
    latencies: list[float] = []

    async def client() -> None:
        for path in paths:
            started = time.perf_counter()
            response = await http.get(path)
            latencies.append((time.perf_counter() - started) * 1000)
            statuses.append(response.status_code)

    await asyncio.gather(*(client() for _ in range(clients)))
    return statuses, latencies


async def measure(service: str, upstream: str, requests: int, clients: int) -> list[Run]:
    """A cold run then a warm run, as one user of the service."""
    async with httpx.AsyncClient(base_url=service, timeout=CLIENT_TIMEOUT) as http:
        account = {"username": USERNAME, "password": PASSWORD}
        token = (await http.post("/register/", json=account)).json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"
        runs = []
        for name in ("cold", "warm"):
            hits = await upstream_hits(upstream)
            statuses, latencies = await load(http, requests, clients)
            runs.append(Run(name, statuses, latencies, await upstream_hits(upstream) - hits))
        return runs


def table(runs: Sequence[Run]) -> str:
    """The runs as a plain-text table."""
    header = ("run", "requests", "non-200", "upstream hits", "p50 ms", "p99 ms")
    rows = [header, *(run.row() for run in runs)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    return "\n".join(
        "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--failure-rate", type=float, default=0.3)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20)
    return parser


def main() -> None:
    """Start both processes, run the load twice and print the table."""
    args = _parser().parse_args()
    upstream_port, service_port = free_port(), free_port()
    upstream, service = (f"http://127.0.0.1:{port}" for port in (upstream_port, service_port))
    fake = [sys.executable, "-m", "tools.fake_upstream", "--port", str(upstream_port)]
    fake += ["--username", USERNAME, "--password", PASSWORD, "--seed", "1"]
    fake += ["--failure-rate", str(args.failure_rate), "--latency-ms", str(args.latency_ms)]
    serve = [str(Path(sysconfig.get_path("scripts")) / "moviecore"), "serve"]
    # The embedded default, whatever storage this shell may be configured for.
    inherited = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    with (
        tempfile.TemporaryDirectory(prefix="moviecore-catalog-bench-") as folder,
        ExitStack() as stack,
    ):
        data_dir = Path(folder)
        settings = {
            "DATA_DIR": folder,
            "PORT": str(service_port),
            "EXTERNAL_MOVIES_API_URL": f"{upstream}/movies/",
            "API_USERNAME": USERNAME,
            "API_PASSWORD": PASSWORD,
        }
        tools = {**inherited, "PYTHONPATH": str(ROOT)}  # where the fake is: the clone's root
        stack.enter_context(running(fake, tools, upstream_port, data_dir / "fake-upstream.log"))
        stack.enter_context(
            running(serve, {**inherited, **settings}, service_port, data_dir / "moviecore.log")
        )
        runs = asyncio.run(measure(service, upstream, args.requests, args.clients))
    print(
        f"upstream: {args.failure_rate:.0%} of answers failing, {args.latency_ms:.0f} ms each; "
        f"{args.clients} clients reading pages 1-{PAGES} in turn\n"
    )
    print(table(runs))


if __name__ == "__main__":
    main()
