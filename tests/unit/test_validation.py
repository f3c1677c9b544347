"""Input within the limits is accepted and input outside them is refused, for any values."""

import asyncio
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from moviecore import CollectionChanges, CollectionDraft, MovieCore, ValidationError
from moviecore.testing import in_memory_ports
from moviecore.testing.strategies import (
    collection_changes,
    collection_drafts,
    invalid_collection_changes,
    invalid_collection_drafts,
    invalid_passwords,
    invalid_usernames,
    passwords,
    usernames,
)
from moviecore.use_cases import create_collection, update_collection

OWNER = UUID(int=1)
FAST = settings(max_examples=40, deadline=None)


async def _try_register(username: str, password: str) -> tuple[bool, bool]:
    """Whether registering was accepted, and whether the account then exists."""
    ports = in_memory_ports()
    try:
        await MovieCore(ports).register_for_tokens(username, password)
    except ValidationError:
        accepted = False
    else:
        accepted = True
    return accepted, await ports.users.by_username(username) is not None


@FAST
@given(username=usernames(), password=passwords())
def test_valid_credentials_register(username: str, password: str) -> None:
    """Any username and password within the limits make an account."""
    assert asyncio.run(_try_register(username, password)) == (True, True)


@FAST
@given(
    credentials=st.one_of(
        st.tuples(invalid_usernames(), passwords()),
        st.tuples(usernames(), invalid_passwords()),
    )
)
def test_invalid_credentials_make_no_account(credentials: tuple[str, str]) -> None:
    """A username or password outside the limits is refused and makes no account."""
    assert asyncio.run(_try_register(*credentials)) == (False, False)


async def _try_create(draft: CollectionDraft) -> tuple[bool, int]:
    """Whether the draft was accepted, and how many collections the owner then has."""
    ports = in_memory_ports()
    try:
        await create_collection(OWNER, draft, collections=ports.collections)
    except ValidationError:
        accepted = False
    else:
        accepted = True
    return accepted, (await ports.collections.page(OWNER, 0, 1)).count


async def _try_update(draft: CollectionDraft, changes: CollectionChanges) -> tuple[bool, bool]:
    """Whether the changes were accepted, and whether the stored collection then differs."""
    ports = in_memory_ports()
    uuid = await create_collection(OWNER, draft, collections=ports.collections)
    before = await ports.collections.get(OWNER, uuid)
    try:
        await update_collection(OWNER, uuid, changes, collections=ports.collections)
    except ValidationError:
        accepted = False
    else:
        accepted = True
    return accepted, await ports.collections.get(OWNER, uuid) != before


@FAST
@given(draft=collection_drafts(), changes=collection_changes())
def test_valid_collections_are_created_and_updated(
    draft: CollectionDraft, changes: CollectionChanges
) -> None:
    """Any draft and any changes within the limits are accepted."""
    assert (asyncio.run(_try_create(draft)), asyncio.run(_try_update(draft, changes))[0]) == (
        (True, 1),
        True,
    )


@FAST
@given(draft=invalid_collection_drafts())
def test_invalid_drafts_store_nothing(draft: CollectionDraft) -> None:
    """A draft breaking a limit is refused and stores nothing."""
    assert asyncio.run(_try_create(draft)) == (False, 0)


@FAST
@given(draft=collection_drafts(), changes=invalid_collection_changes())
def test_invalid_changes_change_nothing(draft: CollectionDraft, changes: CollectionChanges) -> None:
    """Changes breaking a limit are refused and leave the collection as it was."""
    assert asyncio.run(_try_update(draft, changes)) == (False, False)
