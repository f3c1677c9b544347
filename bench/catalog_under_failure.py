"""The movie catalog while its upstream fails: 1000 reads, cold cache then warm.

    python -m bench.catalog_under_failure [--failure-rate 0.3] [--latency-ms 200]

Starts a fake upstream whose answers take ``--latency-ms`` and fail at
``--failure-rate`` in every way it knows (5xx, hangs, dropped connections,
malformed bodies), and ``moviecore serve`` in front of it on the embedded
storage in a temporary DATA_DIR, both on free ports. Then ``--clients`` clients
read ``GET /movies/`` pages 1 to 10 in turn, ``--requests`` reads in all: once
with the page cache empty (the server is waited for on ``/health/live/``, which
reads no catalog), once again with it warm. Prints, for each
run, the non-200 answers, the upstream calls it caused and the latencies.
Both processes and the folder are removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx

from . import servers

PAGES = 10
USERNAME, PASSWORD = "bench-user", "bench-secret"
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
    upstream_port, service_port = servers.free_port(), servers.free_port()
    upstream, service = (f"http://127.0.0.1:{port}" for port in (upstream_port, service_port))
    fake = [sys.executable, "-m", "tools.fake_upstream", "--port", str(upstream_port)]
    fake += ["--username", USERNAME, "--password", PASSWORD, "--seed", "1"]
    fake += ["--failure-rate", str(args.failure_rate), "--latency-ms", str(args.latency_ms)]
    # The embedded default, whatever storage this shell may be configured for.
    inherited = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    with (
        tempfile.TemporaryDirectory(prefix="moviecore-catalog-bench-") as folder,
        ExitStack() as stack,
    ):
        data_dir, upstream_dir = Path(folder), Path(folder) / "upstream"
        upstream_dir.mkdir()
        settings = {
            "DATA_DIR": folder,
            "EXTERNAL_MOVIES_API_URL": f"{upstream}/movies/",
            "API_USERNAME": USERNAME,
            "API_PASSWORD": PASSWORD,
        }
        stack.enter_context(
            servers.running(
                fake,
                upstream_port,
                environment=inherited,
                folder=upstream_dir,
                ready_path="/_stats",
            )
        )
        stack.enter_context(
            servers.running(
                servers.service(service_port),
                service_port,
                environment={**inherited, **settings},
                folder=data_dir,
                ready_path="/health/live/",
            )
        )
        runs = asyncio.run(measure(service, upstream, args.requests, args.clients))
    print(
        f"upstream: {args.failure_rate:.0%} of answers failing, {args.latency_ms:.0f} ms each; "
        f"{args.clients} clients reading pages 1-{PAGES} in turn\n"
    )
    print(table(runs))


if __name__ == "__main__":
    main()
