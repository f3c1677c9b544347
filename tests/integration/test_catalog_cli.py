"""The ``moviecore catalog`` commands, run as a user runs them."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import signal
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from functools import partial
from pathlib import Path
from uuid import UUID

import anyio.to_thread
import httpx
import pytest

import cli
from adapters.settings import load_settings
from app import open_storage
from fixtures.server import moviecore_command, register_user, run_server
from fixtures.upstream import FakeUpstreams, RunningUpstream, UpstreamOptions, synthetic_movies
from moviecore import Movie
from moviecore import __version__ as moviecore_version

MOVIES = [
    {
        "uuid": f"6f1c2a1e-0000-4000-8000-00000000000{n}",
        "title": f"Imported {n}",
        "description": f"The story of import {n}.",
        "genres": "Drama, War" if n % 2 else "Comedy",
    }
    for n in range(1, 6)
]


INHERITED = ("EXTERNAL_MOVIES_API_URL", "DATABASE_URL", "REDIS_URL")
"""Settings of the test run's environment that a command here is started without."""


def moviecore(
    data_dir: Path, *arguments: str, settings: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``moviecore ARGUMENTS`` in this process, as a user would in ``data_dir`` with
    only ``settings`` for the catalog and the storage: its exit code and what it wrote.

    Started as a process, each command spent about a second importing what this process
    holds already; test_help_and_version runs the installed script itself.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, redirect_stdout(out), redirect_stderr(err):
        environment = _environment(data_dir, settings or {})
        for name in os.environ.keys() - environment.keys():
            patch.delenv(name)
        for name, value in environment.items():
            patch.setenv(name, value)
        patch.chdir(data_dir)  # so that no stray .env file is read
        code = cli.main(arguments)
    return subprocess.CompletedProcess(
        ["moviecore", *arguments], code, out.getvalue(), err.getvalue()
    )


def _environment(data_dir: Path, settings: Mapping[str, str]) -> dict[str, str]:
    """The environment a ``moviecore`` command runs with, in this process or in its own:
    this run's without INHERITED, with ``DATA_DIR`` and ``settings``."""
    return {
        **{k: v for k, v in os.environ.items() if k not in INHERITED},
        "DATA_DIR": str(data_dir),
        **settings,
    }


def installed_moviecore(data_dir: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run the installed ``moviecore ARGUMENTS`` script in ``data_dir``."""
    return subprocess.run(
        [*moviecore_command(), *arguments],
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def sync_settings(upstream: RunningUpstream, storage: Mapping[str, str]) -> dict[str, str]:
    """The settings of a sync from ``upstream`` into the ``storage`` setup."""
    return {
        **storage,
        "EXTERNAL_MOVIES_API_URL": upstream.url,
        "API_USERNAME": upstream.username,
        "API_PASSWORD": upstream.password,
    }


async def sync(
    data_dir: Path, upstream: RunningUpstream, storage: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run ``moviecore catalog sync`` from ``upstream`` without blocking the event loop."""
    settings = sync_settings(upstream, storage)
    run = partial(moviecore, data_dir, "catalog", "sync", settings=settings)
    return await anyio.to_thread.run_sync(run)


async def stored_movies(data_dir: Path, storage: Mapping[str, str]) -> list[Movie]:
    """Every movie of the local catalog in ``data_dir`` or ``storage``, in catalog order."""
    settings = load_settings({"DATA_DIR": str(data_dir), **storage}, env_file=data_dir / ".env")
    async with open_storage(settings) as opened:
        pages = -(-await opened.catalog.count() // 10)
        return [
            movie for n in range(1, pages + 1) for movie in (await opened.catalog.page(n)).movies
        ]


@pytest.mark.anyio
async def test_sync_copies_every_movie_once_and_again_reads_the_last_page(
    fake_upstream: FakeUpstreams, storage: dict[str, str], tmp_path: Path
) -> None:
    """Despite 30% failing answers, a sync stores each upstream movie once; a second reads the
    last page only, for movies added since."""
    # No hangs: each would cost a whole per-try timeout and add nothing the other failures lack.
    options = UpstreamOptions(
        movies=305, seed=3, failure_rate=0.3, failures=("error", "drop", "malformed"), latency_ms=5
    )
    upstream = await fake_upstream(options)

    first = await sync(tmp_path, upstream, storage)
    after_first = await stored_movies(tmp_path, storage)
    second = await sync(tmp_path, upstream, storage)

    assert (first.returncode, first.stdout, after_first) == (
        0,
        "moviecore: copied 305 movies from pages 1 to 31; the local catalog holds 305 movies\n",
        synthetic_movies(305, 3),
    ), first.stderr
    assert (second.returncode, second.stdout, await stored_movies(tmp_path, storage)) == (
        0,
        "moviecore: copied 5 movies from pages 31 to 31; the local catalog holds 305 movies\n",
        synthetic_movies(305, 3),
    )


@pytest.mark.anyio
async def test_sync_after_an_import_copies_every_upstream_page(
    fake_upstream: FakeUpstreams, storage: dict[str, str], tmp_path: Path
) -> None:
    """Movies imported first do not make the sync skip any upstream page."""
    upstream = await fake_upstream(UpstreamOptions(movies=25, seed=4))
    imported = tmp_path / "movies.json"
    imported.write_text(json.dumps(MOVIES), encoding="utf-8")

    run = partial(moviecore, tmp_path, "catalog", "import", str(imported), settings=storage)
    await anyio.to_thread.run_sync(run)
    result = await sync(tmp_path, upstream, storage)

    assert (result.returncode, result.stdout) == (
        0,
        "moviecore: copied 25 movies from pages 1 to 3; the local catalog holds 30 movies\n",
    )
    movies = [
        Movie(
            uuid=UUID(m["uuid"]), title=m["title"], description=m["description"], genres=m["genres"]
        )
        for m in MOVIES
    ]
    assert await stored_movies(tmp_path, storage) == [*movies, *synthetic_movies(25, 4)]


@pytest.mark.anyio
async def test_a_page_that_cannot_be_read_is_passed_over_and_named(
    fake_upstream: FakeUpstreams, storage: dict[str, str], tmp_path: Path
) -> None:
    """A page the upstream always answers with HTML does not stop the sync: every other page
    is copied, and the closing line names the page passed over."""
    upstream = await fake_upstream(UpstreamOptions(movies=45, seed=6, quirks=("2=html",)))

    result = await sync(tmp_path, upstream, storage)

    expected = synthetic_movies(45, 6)
    assert (result.returncode, result.stdout, await stored_movies(tmp_path, storage)) == (
        0,
        "moviecore: copied 35 movies from pages 1 to 5; pages that cannot be read, passed"
        " over: 2; the local catalog holds 35 movies\n",
        expected[:10] + expected[20:],
    ), result.stderr


@contextmanager
def sigint_as_in_a_terminal() -> Iterator[None]:
    """Commands started in the block get SIGINT at its default, as a shell gives a command
    it runs in a terminal's foreground, however this test run was started: a background job
    of a shell inherits SIGINT ignored, and a command started from it would too (which
    ``moviecore`` respects, as Python does: it is how a shell keeps a terminal's Ctrl-C from
    its background jobs). A handler, unlike an ignored signal, is not inherited."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


PROGRESS = re.compile(r"moviecore: page (\d+) of 20, \d+ movies/s, about .+ left\n")


@pytest.mark.anyio
async def test_ctrl_c_stops_a_sync_with_one_line_and_the_next_run_resumes(
    fake_upstream: FakeUpstreams, storage: dict[str, str], tmp_path: Path
) -> None:
    """SIGINT during a sync says after which page it stopped and exits 130; the next run
    starts on the page after it and finishes the copy."""
    upstream = await fake_upstream(UpstreamOptions(movies=200, seed=5, latency_ms=100))
    with sigint_as_in_a_terminal():
        process = await asyncio.create_subprocess_exec(
            *moviecore_command(),
            "catalog",
            "sync",
            env=_environment(tmp_path, sync_settings(upstream, storage)),
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    assert process.stderr is not None
    # Progress, not the clock, says when the sync is under way.
    lines = [(await process.stderr.readline()).decode()]
    process.send_signal(signal.SIGINT)
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    stdout = out.decode()
    lines += err.decode().splitlines(keepends=True)
    done = [int(match[1]) for line in lines if (match := PROGRESS.fullmatch(line))]
    resumed = await sync(tmp_path, upstream, storage)

    assert (process.returncode, stdout, lines[-1], len(done) == len(lines) - 1) == (
        130,
        "",
        f"moviecore: stopped after page {done[-1]}; run the same command to resume\n",
        True,
    )
    assert (resumed.returncode, resumed.stdout) == (
        0,
        f"moviecore: copied {200 - 10 * done[-1]} movies from pages {done[-1] + 1} to 20;"
        " the local catalog holds 200 movies\n",
    )
    assert await stored_movies(tmp_path, storage) == synthetic_movies(200, 5)


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
        (
            0,
            f"moviecore: {json_file}: 3 movies added, 0 replaced, 0 rejected;"
            " the catalog holds 3 movies\n",
        ),
        (
            0,
            f"moviecore: {csv_file}: 2 movies added, 0 replaced, 0 rejected;"
            " the catalog holds 5 movies\n",
        ),
    ]
    assert (listed.status_code, listed.json()) == (
        200,
        {
            "count": 5,
            "page": 1,
            "page_size": 10,
            "pages": 1,
            "next": None,
            "previous": None,
            "movies": MOVIES,
        },
    )


@pytest.mark.parametrize(
    ("name", "content", "rejected"),
    [
        (
            "bad.json",
            json.dumps([MOVIES[0], {**MOVIES[1], "uuid": "nope", "title": ""}]),
            "results[1]: uuid: Invalid UUID; title: is empty",
        ),
        (
            "bad.csv",
            "uuid,title,description,genres\n"
            f"{MOVIES[0]['uuid']},{MOVIES[0]['title']},{MOVIES[0]['description']},Drama\n"
            "6f1c2a1e-0000-4000-8000-000000000009,,d,Drama\n",
            "line 3: title: is empty",
        ),
    ],
    ids=["json", "csv"],
)
def test_records_that_cannot_be_served_are_rejected_and_named(
    tmp_path: Path, name: str, content: str, rejected: str
) -> None:
    """A record the catalog could not serve is named on stderr with its line or index and
    every error; the rest is imported, and the summary counts one movie as "1 movie"."""
    bad = tmp_path / name
    bad.write_text(content, encoding="utf-8")
    result = moviecore(tmp_path / "data", "catalog", "import", str(bad))
    assert (result.returncode, result.stdout, result.stderr.splitlines()[0]) == (
        0,
        f"moviecore: {bad}: 1 movie added, 0 replaced, 1 rejected; the catalog holds 1 movie\n",
        f"moviecore: rejected {bad} {rejected}",
    )


def test_importing_again_replaces_the_movies_it_holds(tmp_path: Path) -> None:
    """A second import of the same file reports every movie as replaced, none added."""
    source = tmp_path / "movies.json"
    source.write_text(json.dumps(MOVIES), encoding="utf-8")
    runs = [moviecore(tmp_path / "data", "catalog", "import", str(source)) for _ in "12"]
    holds = "0 rejected; the catalog holds 5 movies\n"
    assert [run.stdout for run in runs] == [
        f"moviecore: {source}: 5 movies added, 0 replaced, {holds}",
        f"moviecore: {source}: 0 movies added, 5 replaced, {holds}",
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"count": 1}', "is not valid JSON in the catalog format: Object missing required field"),
        ("[]x", "is not valid JSON in the catalog format: JSON is malformed"),
    ],
)
def test_a_file_that_is_no_catalog_exits_1_naming_it(
    tmp_path: Path, content: str, reason: str
) -> None:
    """A file that is not JSON in the catalog format is refused whole, exit code 1, with one
    line naming the file."""
    bad = tmp_path / "movies.json"
    bad.write_text(content, encoding="utf-8")
    result = moviecore(tmp_path / "data", "catalog", "import", str(bad))
    assert (result.returncode, result.stdout, result.stderr.count("\n")) == (1, "", 1)
    assert result.stderr.startswith(f"moviecore: {bad}: {reason}"), result.stderr


def test_a_csv_header_without_a_column_names_the_file_and_the_column(tmp_path: Path) -> None:
    """A CSV file whose header lacks a column is refused with one line naming both."""
    bad = tmp_path / "movies.csv"
    bad.write_text("uuid,title\n", encoding="utf-8")
    result = moviecore(tmp_path / "data", "catalog", "import", str(bad))
    assert (result.returncode, result.stderr) == (
        1,
        f"moviecore: {bad}: header lacks the columns: description, genres\n",
    )


@pytest.mark.parametrize(
    ("arguments", "shown"),
    [
        (["--version"], f"moviecore {moviecore_version}\n"),
        (["--help"], "catalog"),
        (["serve", "--help"], "port to listen on (default: PORT, else 8000)"),
        (["migrate", "--help"], "usage: moviecore migrate"),
        (["catalog", "--help"], "import"),
        (["catalog", "import", "--help"], "\n  uuid,title,description,genres\n"),
        (["catalog", "sync", "--help"], "usage: moviecore catalog sync"),
    ],
)
def test_help_and_version_exit_0_showing_what_a_user_needs(
    tmp_path: Path, arguments: list[str], shown: str
) -> None:
    """``--version`` and each command's ``--help`` answer on stdout with exit code 0: the
    version, the defaults of every option, the CSV header an import expects."""
    result = installed_moviecore(tmp_path, *arguments)
    assert (result.returncode, result.stderr, shown in result.stdout) == (0, "", True), (
        result.stdout
    )
