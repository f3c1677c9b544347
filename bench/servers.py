"""The ASGI servers under test: one command line per server, started and stopped as processes.

Every app measured (the service, the service without counting, the floors) is
served with the same command line but for its factory, so differences between
them are the app's alone.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from adapters.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STARTUP_SECONDS = 180.0  # under callgrind, a start takes 15-60 s

SERVICE = "app:create_app"
UNCOUNTED = "bench.uncounted:create_uncounted_app"
FLOOR = "bench.floor:create_floor_app"
DB_FLOOR = "bench.dbfloor:create_db_floor_app"
HEALTH_PATHS = {FLOOR: "/floor/", DB_FLOOR: "/floor/db-1/"}
"""Where each app answers 200 once it is ready; the service's is /health/."""


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def server_command(
    server: str, factory: str, port: int, workers: int, *, access_log: bool = False
) -> list[str]:
    """The command line that serves ``factory`` with ``server`` (uvicorn or granian).

    uvloop and uvicorn's own httptools protocol with the service's default limits (the
    service's own server is not an ASGI server uvicorn can load), no access log.
    """
    if server == "uvicorn":
        defaults = Settings()
        return [
            str(BIN / "uvicorn"),
            factory,
            "--factory",
            "--host=127.0.0.1",
            f"--port={port}",
            f"--workers={workers}",
            "--lifespan=on",
            "--loop=uvloop",
            "--http=httptools",
            f"--h11-max-incomplete-event-size={defaults.max_head_bytes}",
            f"--timeout-keep-alive={defaults.keep_alive_seconds}",
            f"--limit-concurrency={defaults.max_connections}",
            "--access-log" if access_log else "--no-access-log",
        ]
    if server == "granian":
        return [
            str(BIN / "granian"),
            "--interface=asgi",
            "--factory",
            "--host=127.0.0.1",
            f"--port={port}",
            f"--workers={workers}",
            "--access-log" if access_log else "--no-access-log",
            factory,
        ]
    raise ValueError(f"unknown server {server!r}: uvicorn or granian")


@dataclass
class Server:
    """One running server process, its URL and its log file."""

    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def worker_rss_mib(self) -> list[float]:
        """Resident memory of each worker process, in MiB.

        Workers are the server's child processes when it has any (multi-process
        mode), else the server process itself. Side processes such as multiprocessing's
        resource tracker hold no app and are left out by their size.
        """
        children = _children(self.process.pid)
        sizes = [_rss_mib(pid) for pid in children] or [_rss_mib(self.process.pid)]
        return [size for size in sizes if size > _SIDE_PROCESS_MIB] or sizes

    def stop(self) -> None:
        """Stop gracefully with SIGTERM; kill if it has not stopped within 15 s."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


_SIDE_PROCESS_MIB = 30.0


def start_server(
    server: str,
    factory: str,
    *,
    workers: int,
    environment: Mapping[str, str],
    folder: Path,
    log_name: str | None,
    access_log: bool = True,
    under: Sequence[str] = (),
) -> Server:
    """Start serving ``factory`` in ``folder`` and return once it answers 200 on its
    health path; its output goes to ``folder/log_name``, or nowhere if that is None.
    ``under`` is a command the server runs inside, such as a profiler's."""
    port = free_port()
    python_path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))
    log_path = Path(os.devnull) if log_name is None else folder / log_name
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [*under, *server_command(server, factory, port, workers, access_log=access_log)],
            env={**os.environ, **environment, "PYTHONPATH": python_path},
            cwd=folder,  # no stray .env file is read from here
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    running = Server(process, f"http://127.0.0.1:{port}", log_path)
    _wait_healthy(running, HEALTH_PATHS.get(factory, "/health/"))
    return running


def _wait_healthy(server: Server, health_path: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{server.log_path.read_text()[-3000:]}")
        try:
            if httpx.get(server.base_url + health_path, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # polling while the server starts
    server.stop()
    raise RuntimeError(f"the server did not start:\n{server.log_path.read_text()[-3000:]}")


def _children(pid: int) -> list[int]:
    try:
        listed = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in listed]


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
