"""Two machines of one deployment, two workers each, over real HTTP: exact counts, whole writes.

Two ``moviecore serve`` processes stand for two machines: each runs two worker
processes, and both share one PostgreSQL database and one Redis key prefix, fresh
for each test, so that a test knows every request its machines count. Requests are
fired at both at once from many clients.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from fixtures.server import (
    ServerProcess,
    distributed_environment,
    operator_auth,
    read_count,
    register_user,
    run_server,
)
from fixtures.services import fresh_redis_prefix, migrated_database
from moviecore import Movie
from moviecore._genres import favourite_genres
from moviecore.ports import count_genres

CLIENTS = 16
FIRED = 400
WRITERS = 20
GENRES = ["Drama", "Comedy", "War", "Horror", "Sci-Fi", "Western"]

Machines = tuple[ServerProcess, ServerProcess]


@dataclass(frozen=True)
class Shot:
    """One request to fire, and the status it must be answered with."""

    method: str
    path: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: object = None


@pytest.fixture
def machines(tmp_path: Path) -> Iterator[Machines]:
    """Two servers of two workers each, sharing a fresh database and a fresh Redis prefix.

    Their count starts at 2: each start's health check.
    """
    serve = contextmanager(run_server)
    with migrated_database() as database_url, fresh_redis_prefix() as prefix, ExitStack() as stack:
        environment = distributed_environment(database_url, prefix, workers=2)
        first = stack.enter_context(serve(tmp_path / "machine-a", environment))
        second = stack.enter_context(serve(tmp_path / "machine-b", environment))
        yield first, second


@pytest.fixture
def on_first(machines: Machines) -> Iterator[httpx.Client]:
    """A client of the first machine: one connection, so always the same worker."""
    with httpx.Client(base_url=machines[0].base_url, timeout=10) as http:
        yield http


@pytest.fixture
def on_second(machines: Machines) -> Iterator[httpx.Client]:
    """A client of the second machine: one connection, so always the same worker."""
    with httpx.Client(base_url=machines[1].base_url, timeout=10) as http:
        yield http


@pytest.fixture
def auth(on_first: httpx.Client) -> dict[str, str]:
    """The Authorization header of a new user, valid on both machines."""
    return register_user(on_first)


def _movie(n: int, i: int) -> dict[str, str]:
    """The i-th movie of writer n, with two genres that overlap other writers'."""
    genres = f"{GENRES[n % len(GENRES)]}, {GENRES[(n + i) % len(GENRES)]}"
    return {
        "uuid": str(uuid.uuid4()),
        "title": f"Film {n}.{i}",
        "description": "",
        "genres": genres,
    }


def _state(n: int) -> dict[str, object]:
    """A complete collection state of writer n: 0 to 5 movies, genres of its own mix."""
    movies = [_movie(n, i) for i in range(n % 6)]
    return {"title": f"Version {n}", "description": f"Written by client {n}", "movies": movies}


def _as_movies(movies: object) -> list[Movie]:
    assert isinstance(movies, list)
    return [Movie(uuid.UUID(m["uuid"]), m["title"], m["description"], m["genres"]) for m in movies]


def _create(http: httpx.Client, auth: dict[str, str], body: dict[str, object]) -> str:
    response = http.post("/collections/", headers=auth, json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["collection_uuid"])


def _reset(http: httpx.Client, auth: dict[str, str]) -> None:
    """Start a new count, right after a read on ``http`` saw every count made so far arrive.

    The only counts not in Redis are then the reading worker's own, which the reset, sent
    to that same worker, drops: no count from before can land after it.
    """
    response = http.post("/request-count/reset/", headers=operator_auth(http))
    assert response.status_code == 200, response.text


async def _fire(shots: Sequence[Shot], machines: Machines, clients: int) -> list[httpx.Response]:
    """Send every shot, ``clients`` at a time, to the machines in turn; answers in shot order."""
    answers: list[httpx.Response | None] = [None] * len(shots)
    # Shared by every client: each takes the next shot as soon as it is free.
    pending = iter(enumerate(shots))

    async def client() -> None:
        async with httpx.AsyncClient(timeout=30) as http:
            for index, shot in pending:
                url = machines[index % len(machines)].base_url + shot.path
                answers[index] = await http.request(
                    shot.method, url, headers=shot.headers, json=shot.body
                )

    async with asyncio.TaskGroup() as group:
        for _ in range(clients):
            group.create_task(client())
    return [answer for answer in answers if answer is not None]


def _mixed_shots(auth: dict[str, str], target: str) -> list[Shot]:
    """FIRED requests cycling through successes and failures made on purpose."""
    kinds = [
        Shot("GET", "/movies/", 200, auth),
        Shot("POST", "/collections/", 201, auth, {"title": "Fired", "movies": [_movie(0, 1)]}),
        Shot("GET", "/collections/", 200, auth),
        Shot("GET", f"/collections/{target}/", 200, auth),
        Shot("PUT", f"/collections/{target}/", 200, auth, {"description": "Changed"}),
        Shot("GET", "/collections/", 401),
        Shot("GET", f"/collections/{uuid.uuid4()}/", 404, auth),
        Shot("POST", "/collections/", 400, auth, {"title": ""}),
        Shot("GET", "/no-such-path/", 404),
        Shot("DELETE", "/movies/", 405, auth),
    ]
    return list(itertools.islice(itertools.cycle(kinds), FIRED))


@pytest.mark.anyio
async def test_requests_to_every_worker_of_both_machines_are_counted_exactly(
    machines: Machines, on_first: httpx.Client, on_second: httpx.Client, auth: dict[str, str]
) -> None:
    """After 400 requests at once to both machines, the count read is exactly 400 plus the read."""
    target = _create(on_first, auth, {"title": "Target"})
    shots = _mixed_shots(auth, target)
    # the starts' health checks, the registration, the creation and the read
    arrived = read_count(on_first, auth, 5)
    _reset(on_first, auth)
    answers = await _fire(shots, machines, CLIENTS)
    count = read_count(on_second, auth, FIRED + 1)
    figures = f"requests fired: {len(answers)}, count read: {count} (expected {FIRED + 1})"
    print(figures)
    assert ([a.status_code for a in answers], arrived, count) == (
        [shot.status for shot in shots],
        5,
        FIRED + 1,
    ), figures


@pytest.mark.anyio
async def test_simultaneous_puts_leave_one_submitted_state_whole(
    machines: Machines, auth: dict[str, str]
) -> None:
    """After 20 simultaneous PUTs to both machines, the collection is one of them, whole, and
    each PUT stored its own version."""
    with httpx.Client(base_url=machines[0].base_url, timeout=10) as http:
        bystander_movies = [_movie(1, i) for i in range(3)]
        _create(http, auth, {"title": "Bystander", "movies": bystander_movies})
        target = _create(http, auth, {"title": "Target", "movies": [_movie(2, 0), _movie(2, 1)]})
    states = [_state(n) for n in range(WRITERS)]
    shots = [Shot("PUT", f"/collections/{target}/", 200, auth, state) for state in states]
    answers = await _fire(shots, machines, WRITERS)
    with httpx.Client(base_url=machines[1].base_url, timeout=10) as http:
        final = http.get(f"/collections/{target}/", headers=auth).json()
        listed = http.get("/collections/", headers=auth).json()["data"]["favourite_genres"]
    submitted = [{"uuid": target, **state} for state in states]
    expected_genres = favourite_genres(
        count_genres(_as_movies(final["movies"])) + count_genres(_as_movies(bystander_movies))
    )
    bodies = [a.json() for a in answers]
    versions = sorted(body.pop("version") for body in bodies)
    final_version = final.pop("version")
    assert ([a.status_code for a in answers], bodies, versions) == (
        [200] * WRITERS,
        submitted,
        list(range(2, WRITERS + 2)),
    )
    assert (final in submitted, final_version, listed) == (True, WRITERS + 1, expected_genres)


def test_counts_and_resets_made_on_one_machine_show_on_the_other(
    machines: Machines, on_first: httpx.Client, on_second: httpx.Client, auth: dict[str, str]
) -> None:
    """Requests and resets made on one machine are seen in the other machine's count."""
    first, second = machines
    arrived = read_count(on_first, auth, 4)  # the starts' health checks, registration, read
    _reset(on_first, auth)
    for _ in range(10):  # each on a connection of its own, so on either worker
        httpx.get(f"{first.base_url}/health/", timeout=10)
    seen_by_second = read_count(on_second, auth, 11)
    _reset(on_second, auth)
    for _ in range(5):
        httpx.get(f"{second.base_url}/no-such-path/", timeout=10)
    seen_by_first = read_count(on_first, auth, 6)
    assert (arrived, seen_by_second, seen_by_first) == (4, 11, 6)
