"""wrk, the load generator: one scenario run, and what it observed."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA_SCRIPT = Path(__file__).parent / "wrk" / "requests.lua"
_MARK = "BENCH "


@dataclass(frozen=True, slots=True)
class Request:
    """What wrk sends: a method, paths taken in turn, headers, and bodies taken in turn
    (the next body after each pass over the paths, so that repeated writes change)."""

    method: str
    paths: tuple[str, ...]
    headers: tuple[str, ...] = ()
    bodies: tuple[str, ...] = ("",)


@dataclass(frozen=True, slots=True)
class Measurement:
    """What one wrk run observed."""

    requests: int
    seconds: float
    errors: int
    """Answers of 400 or more, and socket errors."""
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        """Completed requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0


def require_wrk() -> None:
    """Install wrk with apt-get when it is missing."""
    if shutil.which("wrk") is None:
        print("bench: installing wrk with apt-get", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)


def start(
    base_url: str, request: Request, connections: int, seconds: float
) -> subprocess.Popen[str]:
    """Start wrk (one thread: it shares the cores with the server) in the background."""
    headers = [part for header in request.headers for part in ("-H", header)]
    command = [
        *("wrk", "--threads", "1", "--connections", str(connections)),
        *("--duration", f"{max(1, round(seconds))}s", "--timeout", "10s"),
        *headers,
        *("--script", str(LUA_SCRIPT), base_url, "--"),
        *(request.method, str(len(request.bodies)), *request.bodies, *request.paths),
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(process: subprocess.Popen[str]) -> Measurement:
    """Wait for a run made by ``start`` and read the line the Lua script prints."""
    output, _ = process.communicate()
    line = next((line for line in output.splitlines() if line.startswith(_MARK)), None)
    if process.returncode or line is None:
        raise RuntimeError(f"wrk failed (exit {process.returncode}):\n{output}")
    raw = json.loads(line.removeprefix(_MARK))
    socket_errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return Measurement(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        errors=raw["status"] + socket_errors,
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
    )


def measure(base_url: str, request: Request, connections: int, seconds: float) -> Measurement:
    """Run wrk once in the foreground."""
    return finish(start(base_url, request, connections, seconds))
