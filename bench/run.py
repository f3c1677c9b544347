"""Run the benchmark: ``python bench/run.py [--quick] [--duration S] [--server uvicorn]``.

For each configuration (embedded SQLite with 1 worker; PostgreSQL and Redis with
1 and with 2 workers) it seeds realistic data, starts the floor app, the service
without counting and the service itself, drives each endpoint with wrk at each
connection count, and prints the results and the targets as Markdown. The same
is written to ``bench/results/latest.{json,md,png}``. With PostgreSQL and one
worker, each database scenario is also run, right after, on a twin server that
prepares statements on the server (``postgres-1w-prepared``), so the targets show
what the pooler-safe default costs; alone:
``--configurations postgres-1w --scenarios collections-few,collection,create,update``.
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
