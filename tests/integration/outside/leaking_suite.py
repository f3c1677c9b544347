"""The same adapters with sqlite3's errors left untranslated: the fault hook must fail them."""

from __future__ import annotations

import sqlite3

import pytest
from sqlite_adapters import LeakingCollections
from sqlite_suite import TestFaults as Faults  # renamed, so that it is not collected here too


class TestLeakingFaults(Faults):
    """The fault contract, on collections that let sqlite3's errors out."""

    @pytest.fixture
    def collections(self, connection: sqlite3.Connection) -> LeakingCollections:
        """Collections without the translation of errors."""
        return LeakingCollections(connection)
