"""The ``moviecore catalog`` and ``fake-upstream`` commands, run as a user runs them."""

from __future__ import annotations

import csv
import json
import os
import subprocess
from collections.abc import Mapping
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import anyio.to_thread
import httpx
import pytest

from adapters import sqlite
from adapters.fake_upstream import synthetic_catalog
from adapters.settings import Settings
from fixtures.server import moviecore_command, register_user, run_server
from fixtures.upstream import FakeUpstreams, RunningUpstream, UpstreamOptions
from moviecore import Movie

MOVIES = [
    {
        "uuid": f"6f1c2a1e-0000-4000-8000-00000000000{n}",
        "title": f"Imported {n}",
        "description": f"The story of import {n}.",
        "genres": "Drama, War" if n % 2 else "Comedy",
    }
    for n in range(1, 6)
]


def moviecore(
    data_dir: Path, *arguments: str, settings: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``moviecore ARGUMENTS`` on ``data_dir`` with only ``settings`` for the catalog."""
    environment = {
        **{k: v for k, v in os.environ.items() if k != "EXTERNAL_MOVIES_API_URL"},
        "DATA_DIR": str(data_dir),
        **(settings or {}),
    }
    data_dir.mkdir(parents=True, exist_ok=True)
    # Run in the data folder so that no stray .env file is read.
    return subprocess.run(
        [*moviecore_command(), *arguments],
        env=environment,
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def sync(data_dir: Path, upstream: RunningUpstream) -> subprocess.CompletedProcess[str]:
    """Run ``moviecore catalog sync`` from ``upstream`` without blocking the event loop."""
    settings = {
        "EXTERNAL_MOVIES_API_URL": upstream.url,
        "API_USERNAME": upstream.username,
        "API_PASSWORD": upstream.password,
    }
    run = partial(moviecore, data_dir, "catalog", "sync", settings=settings)
    return await anyio.to_thread.run_sync(run)


async def stored_movies(data_dir: Path) -> list[Movie]:
    """Every movie of the local catalog in ``data_dir``, in catalog order."""
    path = Settings(jwt_secret="unused", data_dir=data_dir).sqlite_path
    async with sqlite.open_store(path) as store:
        pages = -(-await store.catalog.count() // 10)
        return [
            movie for n in range(1, pages + 1) for movie in (await store.catalog.page(n)).movies
        ]


@pytest.mark.anyio
async def test_sync_copies_every_movie_once_and_again_copies_nothing(
    fake_upstream: FakeUpstreams, tmp_path: Path
) -> None:
    """Despite 30% failing answers, a sync stores each upstream movie once; a second adds none."""
    # No hangs: each would cost a whole per-try timeout and add nothing the other failures lack.
    options = UpstreamOptions(
        movies=305, seed=3, failure_rate=0.3, failures=("error", "drop", "malformed"), latency_ms=5
    )
    upstream = await fake_upstream(options)
    expected = [Movie(m.uuid, m.title, m.description, m.genres) for m in synthetic_catalog(305, 3)]

    first = await sync(tmp_path, upstream)
    after_first = await stored_movies(tmp_path)
    second = await sync(tmp_path, upstream)

    done = "moviecore: the local catalog holds 305 movies\n"
    assert (first.returncode, first.stdout, after_first) == (0, done, expected), first.stderr
    assert (second.returncode, second.stdout, await stored_movies(tmp_path)) == (0, done, expected)


def test_sync_without_an_upstream_url_exits_2_saying_so(tmp_path: Path) -> None:
    """Without EXTERNAL_MOVIES_API_URL the sync stops at once with one line naming it."""
    result = moviecore(tmp_path, "catalog", "sync")
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        "moviecore: EXTERNAL_MOVIES_API_URL must be set to sync the catalog\n",
    )


def test_imported_json_and_csv_movies_are_listed_by_the_service(tmp_path: Path) -> None:
    """Movies imported from a JSON and a CSV file make up the catalog the service lists."""
    json_file, csv_file = tmp_path / "movies.json", tmp_path / "movies.csv"
    json_file.write_text(json.dumps({"results": MOVIES[:3]}), encoding="utf-8")
    with csv_file.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, ["title", "uuid", "genres", "description"])
        writer.writeheader()
        writer.writerows(MOVIES[3:])
    data_dir = tmp_path / "data"

    imports = [moviecore(data_dir, "catalog", "import", str(f)) for f in (json_file, csv_file)]
    with (
        contextmanager(run_server)(data_dir) as server,
        httpx.Client(base_url=server.base_url, timeout=10) as http,
    ):
        listed = http.get("/movies/", headers=register_user(http))

    assert [(r.returncode, r.stdout) for r in imports] == [
        (0, f"moviecore: imported 3 movies from {json_file}; the catalog holds 3\n"),
        (0, f"moviecore: imported 2 movies from {csv_file}; the catalog holds 5\n"),
    ]
    assert (listed.status_code, listed.json()) == (
        200,
        {"count": 5, "page": 1, "next": None, "previous": None, "movies": MOVIES},
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "bad.json",
            json.dumps([MOVIES[0], {**MOVIES[1], "uuid": "nope"}]),
            "results[1].uuid: Invalid UUID",
        ),
        (
            "bad.csv",
            "uuid,title,description,genres\n6f1c2a1e-0000-4000-8000-000000000001,,d,Drama\n",
            "row[2].title: must be 1 to 500 characters long",
        ),
    ],
    ids=["json", "csv"],
)
def test_a_bad_file_exits_1_naming_the_field(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    """A file with a bad record is refused with exit code 1 and a line naming its field."""
    bad = tmp_path / name
    bad.write_text(content, encoding="utf-8")
    result = moviecore(tmp_path / "data", "catalog", "import", str(bad))
    assert (result.returncode, result.stdout, result.stderr) == (1, "", f"moviecore: {message}\n")


def test_fake_upstream_help_exits_0(tmp_path: Path) -> None:
    """``moviecore fake-upstream --help`` describes the fake and exits 0."""
    result = moviecore(tmp_path, "fake-upstream", "--help")
    assert (
        result.returncode,
        result.stderr,
        "A fake upstream movie catalog." in result.stdout,
    ) == (
        0,
        "",
        True,
    )
