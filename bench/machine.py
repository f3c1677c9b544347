"""A description of the machine and software a run measured, for the results' header."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path


def describe() -> dict[str, str]:
    """CPU, cores, memory, system and the versions that shape the numbers."""
    return {
        "cpu": _cpu_model(),
        "cores": str(os.cpu_count()),
        "memory": f"{_memory_gib():.0f} GiB",
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        **{name: _version(name) for name in ("litestar", "uvicorn", "granian", "uvloop")},
        "wrk": _wrk_version(),
        # Other work on the machine skews every figure; this shows how busy it was.
        "load_average_at_start": " ".join(f"{n:.1f}" for n in os.getloadavg()),
    }


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024**2
    return 0.0


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _wrk_version() -> str:
    done = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    first = (done.stdout or done.stderr).split("\n", 1)[0]
    return " ".join(first.split()[:2])  # "wrk 4.1.0-...", without the copyright
