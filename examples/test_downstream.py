"""How an outside team tests its code on moviecore, using only ``moviecore`` and its kit.

The team's own code here is ``copy_collection``, built on the core's use cases
through ``MovieCore``; its storage is checked with the shipped contract and state machine
(swap ``open_store`` for your adapter's), and its code with the strategies.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

import pytest
from hypothesis import given, settings

from moviecore import Collection, CollectionDraft, MovieCore
from moviecore.ports import CollectionRepository, Ports, UserRepository
from moviecore.testing import in_memory_ports
from moviecore.testing.contracts import CollectionRepositoryContract
from moviecore.testing.stateful import collection_rules
from moviecore.testing.strategies import collection_drafts

OWNER = UUID(int=1)


async def copy_collection(core: MovieCore, owner: UUID, uuid: UUID) -> UUID:
    """The team's feature: a new collection holding the same movies, titled as a copy."""
    original = await core.get_collection(owner, uuid)
    draft = CollectionDraft(
        f"Copy of {original.title}"[:200], original.description, original.movies
    )
    return await core.create_collection(owner, draft)


@asynccontextmanager
async def open_store() -> AsyncIterator[Ports]:
    """The team's storage; in-memory here, your own adapter's store in real life."""
    yield in_memory_ports()


class TestOurCollectionStore(CollectionRepositoryContract):
    """Our storage keeps every rule of the collection repository port."""

    @pytest.fixture
    async def store(self) -> AsyncIterator[Ports]:
        """A freshly opened store, closed after the test."""
        async with open_store() as store:
            yield store

    @pytest.fixture
    def users(self, store: Ports) -> UserRepository:
        """The store's users, where the contract creates owners."""
        return store.users

    @pytest.fixture
    def collections(self, store: Ports) -> CollectionRepository:
        """The store's collections, under test."""
        return store.collections


TestOurCollectionRules = collection_rules(open_store).TestCase


@settings(max_examples=25, deadline=None)
@given(draft=collection_drafts())
def test_a_copy_holds_the_same_movies(draft: CollectionDraft) -> None:
    """Copying any collection gives a new one with the same movies and description."""

    async def original_and_copy() -> tuple[Collection, Collection]:
        core = MovieCore(in_memory_ports())
        uuid = await core.create_collection(OWNER, draft)
        copied = await copy_collection(core, OWNER, uuid)
        return await core.get_collection(OWNER, uuid), await core.get_collection(OWNER, copied)

    original, copy = asyncio.run(original_and_copy())
    assert (copy.title, copy.description, copy.movies, copy.uuid != original.uuid) == (
        f"Copy of {original.title}"[:200],
        original.description,
        original.movies,
        True,
    )
