"""Run the benchmark: ``python bench/run.py [--quick] [--duration S] [--server uvicorn]``.

For each configuration (embedded SQLite with 1 worker; PostgreSQL and Redis with
1 and with 2 workers, the catalog from the cached upstream; the same with the
local catalog, only its pages) it seeds realistic data, starts the floor app, on
PostgreSQL the database floors (one and two ``SELECT 1`` through the service's
pool), the service without counting and the service itself, drives each endpoint
with wrk at each connection count, and prints the results and the targets as
Markdown. Logins are read against ``bcrypt.checkpw`` per second on every core,
measured just before the service starts. Twins of the service, each with one
setting changed, run chosen scenarios right after the service does: statements
prepared on the server (``postgres-1w-prepared``), the JSON access log
(``-json-log``) and metrics off (``-metrics-off``). The same is written to
``bench/results/latest.{json,md,png}``. A subset alone:
``--configurations postgres-1w --scenarios floor-db-1,collections-few,create``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    """Run as a script: put the project's root on the path so ``bench`` imports."""
    sys.path.insert(0, str(ROOT))
    from bench.orchestra import main as orchestrate

    return orchestrate(sys.argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
