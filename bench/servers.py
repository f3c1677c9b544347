"""The processes measured: the service as ``moviecore serve`` runs it, the same app under
plain uvicorn, and the framework floor; each started on a free port and stopped after."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STARTUP_SECONDS = 180.0  # under callgrind a start takes 15 to 60 s


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def migrate(environment: Mapping[str, str], folder: Path) -> None:
    """Migrate the configuration's database, as ``make run`` does."""
    command = [str(BIN / "moviecore"), "migrate"]
    subprocess.run(command, env=environment, cwd=folder, check=True, capture_output=True)


def service(port: int) -> list[str]:
    """The service, as a user starts it."""
    return [
        sys.executable,
        str(BIN / "moviecore"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]


def uvicorn(port: int) -> list[str]:
    """The same app under plain uvicorn (uvloop and httptools), to weigh our server."""
    return [
        *(sys.executable, str(BIN / "uvicorn"), "app:create_app", "--factory"),
        *("--host", "127.0.0.1"),
        *("--port", str(port), "--loop", "uvloop", "--http", "httptools", "--no-access-log"),
    ]


def floor(port: int) -> list[str]:
    """The bare Litestar app on the service's server."""
    return [sys.executable, "-m", "bench.floor", str(port)]


@contextmanager
def running(
    command: Sequence[str],
    port: int,
    *,
    environment: Mapping[str, str],
    folder: Path,
    ready_path: str = "/health/",
    under: Sequence[str] = (),
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``command`` (inside ``under``, a profiler's command) in ``folder`` until it
    answers 200 on ``ready_path``; stop it with SIGTERM on exit."""
    with (folder / "server.log").open("ab") as log:
        process = subprocess.Popen(
            [*under, *command],
            env={**environment, "PYTHONPATH": str(ROOT)},
            cwd=folder,  # no stray .env file is read from here
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_ready(process, f"http://127.0.0.1:{port}{ready_path}")
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} in time")
