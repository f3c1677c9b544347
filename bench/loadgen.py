"""wrk, the load generator: installing it when missing, running one scenario, reading its result."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA_SCRIPT = Path(__file__).parent / "wrk" / "requests.lua"
_MARK = "BENCH "
# wrk's own time-out per request; beyond it a request counts as a socket time-out.
_REQUEST_TIMEOUT = "10s"


@dataclass(frozen=True, slots=True)
class Request:
    """What wrk sends: a method, paths taken in turn, headers, and bodies taken in turn.

    The next body is used after each pass over the paths, so writes repeated on
    one path alternate between the bodies instead of writing the same thing again.
    """

    method: str
    paths: tuple[str, ...]
    headers: tuple[str, ...] = ()
    bodies: tuple[str, ...] = ("",)


@dataclass(frozen=True, slots=True)
class Measurement:
    """What one wrk run observed."""

    requests: int
    seconds: float
    http_errors: int
    """Answers with a status of 400 or more (wrk's count; no path measured redirects)."""
    socket_errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        """Completed requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0


def ensure_wrk() -> str:
    """The wrk executable, installed with apt-get first if it is not on PATH."""
    found = shutil.which("wrk")
    if found is None:
        print("bench: wrk is missing; installing it with apt-get", flush=True)
        if subprocess.run(["apt-get", "install", "-y", "wrk"], check=False).returncode:
            # A machine whose package lists were never fetched needs them first.
            subprocess.run(["apt-get", "update"], check=True)
            subprocess.run(["apt-get", "install", "-y", "wrk"], check=True)
        found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk is not installed and apt-get could not install it")
    return found


def command(base_url: str, request: Request, connections: int, seconds: float) -> list[str]:
    """The wrk command line for ``request`` at ``connections`` for ``seconds``."""
    headers = [part for header in request.headers for part in ("-H", header)]
    return [
        "wrk",
        "--threads",
        "1",  # one thread: wrk shares the cores with the server, and one is enough
        "--connections",
        str(connections),
        "--duration",
        f"{max(1, round(seconds))}s",
        "--timeout",
        _REQUEST_TIMEOUT,
        *headers,
        "--script",
        str(LUA_SCRIPT),
        base_url,
        "--",
        request.method,
        str(len(request.bodies)),
        *request.bodies,
        *request.paths,
    ]


def start(
    base_url: str, request: Request, connections: int, seconds: float
) -> subprocess.Popen[str]:
    """Start wrk in the background; read its result with ``finish``."""
    return subprocess.Popen(
        command(base_url, request, connections, seconds),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> Measurement:
    """Wait for a wrk run started with ``start`` and parse what it printed."""
    output, _ = process.communicate()
    line = next((line for line in output.splitlines() if line.startswith(_MARK)), None)
    if process.returncode or line is None:
        raise RuntimeError(f"wrk failed (exit {process.returncode}):\n{output}")
    raw = json.loads(line.removeprefix(_MARK))
    return Measurement(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        http_errors=raw["status"],
        socket_errors=raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
    )


def measure(base_url: str, request: Request, connections: int, seconds: float) -> Measurement:
    """Run wrk once in the foreground."""
    return finish(start(base_url, request, connections, seconds))
