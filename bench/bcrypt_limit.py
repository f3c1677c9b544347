"""The physical limit of a login: ``bcrypt.checkpw`` per second on every core, no HTTP.

A login is one bcrypt verification and little else, so no server can log users in
faster than the machine's cores verify passwords; the login scenario is read
against this figure, measured on the same machine just before it.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import bcrypt

from .loadgen import Measurement


def checkpw_limit(
    password: str, password_hash: str, *, threads: int, seconds: float
) -> Measurement:
    """Verify ``password`` against ``password_hash`` on ``threads`` threads at once for
    about ``seconds``; each call is a "request" of the measurement. bcrypt releases the
    GIL while it hashes, so the threads use as many cores."""
    deadline = time.perf_counter() + seconds
    secret, expected = password.encode(), password_hash.encode()

    def verify_until_deadline(_: int) -> list[float]:
        took: list[float] = []
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            bcrypt.checkpw(secret, expected)
            took.append(time.perf_counter() - started)
        return took

    with ThreadPoolExecutor(threads) as pool:
        runs = list(pool.map(verify_until_deadline, range(threads)))
    # Each thread's own rate, summed: its last call may end after the deadline.
    rate = sum(len(run) / sum(run) for run in runs if run)
    calls = sorted(took for run in runs for took in run)
    done = len(calls)
    return Measurement(
        requests=done,
        seconds=done / rate if rate else seconds,
        http_errors=0,
        socket_errors=0,
        p50_ms=_percentile(calls, 0.50) * 1000,
        p90_ms=_percentile(calls, 0.90) * 1000,
        p99_ms=_percentile(calls, 0.99) * 1000,
    )


def _percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0
