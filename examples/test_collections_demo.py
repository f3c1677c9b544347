"""The library demo runs end to end on SQLite and reports what each use case did."""

from pathlib import Path

import pytest
from collections_demo import build_ports, demo

from moviecore import MovieCore


@pytest.fixture
def anyio_backend() -> str:
    """Run the demo on asyncio, as ``python collections_demo.py`` does."""
    return "asyncio"


@pytest.mark.anyio
async def test_demo_walks_through_every_use_case(tmp_path: Path) -> None:
    """The demo prints the catalog size, the updated and listed collections, and the genres."""
    async with build_ports(tmp_path) as ports:
        lines = await demo(MovieCore(ports))
    assert lines == [
        "catalog: 4 movies, page 1 shows 4",
        "updated: 'Rainy weekend' holds Tokyo Story, Playtime",
        "listed: Late night, Rainy weekend (newest first)",
        "favourite genres: Comedy, Drama, Horror",
        "after delete: 1 collection left",
    ]
