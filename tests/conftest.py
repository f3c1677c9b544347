"""Fixtures shared by every test: async tests run on asyncio through anyio's plugin."""

import pytest

pytest_plugins = [
    "fixtures.services",
    "fixtures.tls",
    "fixtures.server",
    "fixtures.in_process",
    "fixtures.upstream",
    "fixtures.dependencies",
    "fixtures.pooler",
    "fixtures.migrations",
]


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    """Run every async test on asyncio, the loop the service itself runs on."""
    return "asyncio"
