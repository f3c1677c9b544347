"""The collection rules' state machine: the in-memory repository keeps them; a faulty one
is reported with a short example."""

import unittest
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from hypothesis import settings

from moviecore.ports import Ports
from moviecore.testing import in_memory_ports
from moviecore.testing.stateful import RULES_SETTINGS, collection_rules
from unit.faulty_adapters import CutsTextAt255


@asynccontextmanager
async def _memory_store() -> AsyncIterator[Ports]:
    yield in_memory_ports()


@asynccontextmanager
async def _store_cutting_text() -> AsyncIterator[Ports]:
    yield replace(in_memory_ports(), collections=CutsTextAt255())


TestMemoryCollectionRules = collection_rules(_memory_store).TestCase


def test_a_store_cutting_text_is_reported_in_one_step() -> None:
    """On a repository that keeps 255 characters of each text, the machine fails and reports
    one step: creating a collection with longer text."""
    repeatable = settings(RULES_SETTINGS, derandomize=True, database=None)
    machine = collection_rules(_store_cutting_text, settings=repeatable)
    result = unittest.TestResult()
    machine.TestCase("runTest").run(result)
    reports = [report for _, report in result.failures + result.errors]
    steps = [
        [line.partition("(")[0] for line in report.splitlines() if line.startswith("state.")]
        for report in reports
    ]
    assert steps == [["state.listing_and_genres_match", "state.create", "state.teardown"]]
