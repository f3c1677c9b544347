"""The services a configuration runs on: a scratch PostgreSQL database, a Redis key
prefix, and the fake upstream catalog; each made for the run and removed after it."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg
import redis
from psycopg import sql

from .servers import BIN, ROOT, free_port

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
"""A database on the server to use; the benchmark creates its own beside it."""
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
UPSTREAM_MOVIES = 1000


@contextmanager
def scratch_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped on exit."""
    name = f"moviecore_bench_{secrets.token_hex(4)}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlsplit(POSTGRES_URL)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextmanager
def scratch_redis_prefix() -> Iterator[str]:
    """A Redis key prefix of its own; every key under it is deleted on exit."""
    prefix = f"moviecore-bench-{secrets.token_hex(4)}:"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


@contextmanager
def fake_upstream(log_path: Path) -> Iterator[str]:
    """A fake upstream catalog of ``UPSTREAM_MOVIES`` movies that never fails; its URL."""
    port = free_port()
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "tools.fake_upstream", "--port", str(port)),
                *("--movies", str(UPSTREAM_MOVIES), "--username", "bench", "--password", "bench"),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    try:
        _wait_answering(f"http://127.0.0.1:{port}/_stats", process)
        yield f"http://127.0.0.1:{port}/movies/"
    finally:
        process.terminate()
        process.wait(10)


def _wait_answering(url: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError("the fake upstream exited at start")
        try:
            httpx.get(url, timeout=1).raise_for_status()
            return
        except httpx.HTTPError:
            time.sleep(0.1)  # polling while it starts
    raise RuntimeError("the fake upstream did not start")


def migrate(environment: dict[str, str], cwd: Path) -> None:
    """Run ``moviecore migrate`` with ``environment``, as an operator would."""
    subprocess.run(
        [str(BIN / "moviecore"), "migrate"],
        env={**os.environ, **environment},
        cwd=cwd,
        check=True,
        stdout=subprocess.DEVNULL,
    )
