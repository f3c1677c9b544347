"""Fixtures of the unit tests: a fresh set of in-memory ports for each test."""

import pytest

from moviecore.ports import Ports
from moviecore.testing import in_memory_ports


@pytest.fixture
def ports() -> Ports:
    """Every port wired to a fresh in-memory adapter, with an empty catalog."""
    return in_memory_ports()
