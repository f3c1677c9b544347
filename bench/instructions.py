"""Instructions a worker runs per request, counted by callgrind.

A setting that costs a few percent, such as the JSON access line, is lost in the
throughput noise of a shared machine: here the same service, started twice and
driven in alternate rounds, differed by a median of 27%. Instruction counts do not
move with the neighbours' load, so they are the figure the cost targets are judged
on; throughput twins are still measured and shown beside them.

The server runs under ``valgrind --tool=callgrind`` (about 50 times slower), is
warmed up, has its counters zeroed, answers exactly ``REQUESTS`` requests over
``CONNECTIONS`` connections, and dumps its count. What its background tasks (pool
checks, timers) ran meanwhile is taken off: they ran 730,000 instructions a second
when idle on PostgreSQL, enough to move a count by 3% from one run to the next.
Only one-worker configurations are counted: the worker is then the process
callgrind follows.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from pathlib import Path

import httpx

from .load import Request

CONNECTIONS = 32
REQUESTS = 64 * CONNECTIONS
WARM_UP = 8 * CONNECTIONS
IDLE_SECONDS = 10.0
_DUMP_SECONDS = 60.0


def available() -> bool:
    """Whether valgrind and its callgrind_control are installed."""
    return shutil.which("valgrind") is not None and shutil.which("callgrind_control") is not None


def prefix(folder: Path) -> list[str]:
    """The command that runs a server under callgrind, its counts written in ``folder``."""
    return ["valgrind", "--tool=callgrind", f"--callgrind-out-file={folder}/callgrind.out.%p"]


def per_request(pid: int, base_url: str, request: Request, folder: Path) -> float:
    """Instructions per request of the server process ``pid``, which runs under ``prefix``."""
    asyncio.run(_drive(base_url, request, WARM_UP))
    _control("--zero", pid)
    started = time.monotonic()
    asyncio.run(_drive(base_url, request, REQUESTS))
    driven = time.monotonic() - started
    _control("--dump", pid)  # a dump zeroes the counters too
    time.sleep(IDLE_SECONDS)  # the background's own rate, with no request
    _control("--dump", pid)
    busy = _dumped_total(folder / f"callgrind.out.{pid}.1")
    idle_rate = _dumped_total(folder / f"callgrind.out.{pid}.2") / IDLE_SECONDS
    return (busy - idle_rate * driven) / REQUESTS


def _control(command: str, pid: int) -> None:
    subprocess.run(["callgrind_control", command, str(pid)], check=True, capture_output=True)


async def _drive(base_url: str, request: Request, total: int) -> None:
    headers = dict(header.split(": ", 1) for header in request.headers)
    limits = httpx.Limits(max_connections=CONNECTIONS)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits) as client:

        async def one_connection(count: int) -> None:
            for _ in range(count):
                answer = await client.request(request.method, request.paths[0], timeout=60)
                answer.raise_for_status()

        await asyncio.gather(*(one_connection(total // CONNECTIONS) for _ in range(CONNECTIONS)))


def _dumped_total(path: Path) -> int:
    deadline = time.monotonic() + _DUMP_SECONDS
    while time.monotonic() < deadline:
        if path.exists():
            for line in path.read_text().splitlines():
                if line.startswith(("summary:", "totals:")):
                    return int(line.split()[1])
        time.sleep(0.2)  # callgrind writes the dump on its own schedule
    raise RuntimeError(f"callgrind wrote no count to {path}")
