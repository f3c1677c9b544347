"""The benchmark's data, stored the way users store theirs: a catalog of 45,000 movies
imported with ``moviecore catalog import``, then users and their collections of 20 movies
created over the service's own API."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from adapters.movie_files import write_csv
from moviecore import Movie
from tools.fake_upstream import synthetic_catalog

from .servers import BIN

CATALOG_SIZE = 45_000
MOVIES_PER_COLLECTION = 20
HEAVY_USERS = {"few": 10, "many": 1_000}
"""The users whose listings are compared, by name, and how many collections each has."""
PASSWORD = "bench-password"


@dataclass(frozen=True, slots=True)
class Dataset:
    """What the scenarios address: each user's token and collections, and the catalog."""

    tokens: Mapping[str, str]
    collections: Mapping[str, tuple[str, ...]]
    movies: tuple[Movie, ...]


def import_catalog(folder: Path, environment: Mapping[str, str]) -> tuple[Movie, ...]:
    """Write the synthetic catalog as CSV and import it with the ``moviecore`` command."""
    movies = tuple(
        Movie(uuid=m.uuid, title=m.title, description=m.description or "", genres=m.genres or "")
        for m in synthetic_catalog(CATALOG_SIZE, seed=7)
    )
    file = folder / "catalog.csv"
    write_csv(file, movies)
    command = [str(BIN / "moviecore"), "catalog", "import", str(file)]
    subprocess.run(command, env=environment, cwd=folder, check=True, capture_output=True)
    return movies


def collection_body(movies: tuple[Movie, ...], number: int) -> dict[str, object]:
    """The ``number``-th collection: 20 consecutive catalog movies."""
    start = number * MOVIES_PER_COLLECTION % (len(movies) - MOVIES_PER_COLLECTION)
    chosen = movies[start : start + MOVIES_PER_COLLECTION]
    return {
        "title": f"Collection {number}",
        "description": "Seeded for the benchmark.",
        "movies": [_fields(movie) for movie in chosen],
    }


def _fields(movie: Movie) -> dict[str, str]:
    return {
        "uuid": str(movie.uuid),
        "title": movie.title,
        "description": movie.description,
        "genres": movie.genres,
    }


def seed(base_url: str, movies: tuple[Movie, ...]) -> Dataset:
    """Register the users (the heavy ones and a writer) and create their collections."""
    return asyncio.run(_seed(base_url, movies))


async def _seed(base_url: str, movies: tuple[Movie, ...]) -> Dataset:
    sizes = {**HEAVY_USERS, "writer": 10}
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        tokens = {name: await _register(client, name) for name in sizes}
        created = {
            name: await _create_all(client, tokens[name], movies, count)
            for name, count in sizes.items()
        }
    return Dataset(tokens=tokens, collections=created, movies=movies)


def register(base_url: str, name: str) -> str:
    """A new user's access token."""

    async def registered() -> str:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
            return await _register(client, name)

    return asyncio.run(registered())


async def _register(client: httpx.AsyncClient, name: str) -> str:
    body = {"username": f"bench-{name}", "password": PASSWORD}
    answer = await client.post("/register/", json=body)
    answer.raise_for_status()
    return str(answer.json()["access_token"])


async def _create_all(
    client: httpx.AsyncClient, token: str, movies: tuple[Movie, ...], count: int
) -> tuple[str, ...]:
    headers = {"Authorization": f"Bearer {token}"}
    limit = asyncio.Semaphore(16)

    async def create(number: int) -> str:
        async with limit:
            body = collection_body(movies, number)
            answer = await client.post("/collections/", json=body, headers=headers)
            answer.raise_for_status()
            return str(answer.json()["collection_uuid"])

    return tuple(await asyncio.gather(*(create(number) for number in range(count))))
