"""The in-memory collection repository follows the collection rules in any order of use."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from moviecore import Ports
from moviecore.testing import in_memory_ports
from moviecore.testing.stateful import collection_rules


@asynccontextmanager
async def _memory_store() -> AsyncIterator[Ports]:
    yield in_memory_ports()


TestMemoryCollectionRules = collection_rules(_memory_store).TestCase
