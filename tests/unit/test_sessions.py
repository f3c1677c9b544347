"""Sessions through the in-memory adapters: refresh with rotation and reuse detection,
signing out, changing the password, deleting the account, and the operator role."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

import pytest

from moviecore import (
    CollectionDraft,
    InvalidCredentials,
    Movie,
    MovieCore,
    NotAllowed,
    RefreshTokenReused,
    SessionRevoked,
    SignedIn,
    TokenExpired,
    Tokens,
    ValidationError,
    WrongPassword,
)
from moviecore.ports import Ports
from moviecore.testing import FakeTokenIssuer, ManualClock, MemorySessionStore, in_memory_ports
from moviecore.use_cases import (
    change_password,
    create_collection,
    delete_account,
    list_collections,
    logout,
    require_operator,
    whoami,
)

PASSWORD = "correct horse battery"
HEAT_UUID = UUID("4bd21b3c-7a4b-4c4c-8fb1-52bbbd1a0d0b")


@pytest.fixture
def clock() -> ManualClock:
    """The time every token and session is measured by."""
    return ManualClock(1_800_000_000.0)


@pytest.fixture
def ports(clock: ManualClock) -> Ports:
    """In-memory ports whose tokens and sessions read ``clock``."""
    return replace(
        in_memory_ports(),
        tokens=FakeTokenIssuer(clock=clock),
        sessions=MemorySessionStore(clock=clock),
    )


async def _register(ports: Ports, name: str = "ada") -> Tokens:
    return await MovieCore(ports).register_for_tokens(name, PASSWORD)


async def _login(ports: Ports, name: str = "ada", password: str = PASSWORD) -> Tokens:
    return await MovieCore(ports).login_for_tokens(name, password, address="192.0.2.1")


async def _auth(ports: Ports, tokens: Tokens) -> SignedIn:
    return await MovieCore(ports).authenticate(tokens.access_token)


async def _refresh(ports: Ports, tokens: Tokens) -> Tokens:
    return await MovieCore(ports).refresh(tokens.refresh_token)


async def _reason(ports: Ports, tokens: Tokens) -> str | None:
    """Why the access token is refused, or None if it is accepted."""
    try:
        await _auth(ports, tokens)
    except SessionRevoked as refused:
        return refused.reason
    except TokenExpired as refused:
        return refused.reason
    return None


@pytest.mark.anyio
async def test_a_refresh_gives_a_working_pair_and_keeps_the_session(ports: Ports) -> None:
    """The new access token speaks for the same user and session; the old one still works
    until it expires (only the refresh token is spent)."""
    first = await _register(ports)
    second = await _refresh(ports, first)
    assert (await _auth(ports, second), await _reason(ports, first)) == (
        await _auth(ports, first),
        None,
    )


@pytest.mark.anyio
async def test_a_spent_refresh_token_ends_its_session(ports: Ports) -> None:
    """Presenting a refresh token again after rotation is reuse: the whole session ends,
    the newest tokens included, and a later refresh says it was revoked."""
    first = await _register(ports)
    other = await _login(ports)
    second = await _refresh(ports, first)
    with pytest.raises(RefreshTokenReused):
        await _refresh(ports, first)
    with pytest.raises(SessionRevoked) as later:
        await _refresh(ports, second)
    assert (
        await _reason(ports, second),
        later.value.reason,
        await _reason(ports, other),
    ) == ("revoked", "revoked", None)


@pytest.mark.anyio
async def test_tokens_expire_and_a_refresh_renews_them(ports: Ports, clock: ManualClock) -> None:
    """Sixteen minutes on, the access token is expired; refreshing gives one that works;
    fifteen days on, the refresh token is expired too."""
    first = await _register(ports)
    clock.advance(16 * 60)
    expired = await _reason(ports, first)
    second = await _refresh(ports, first)
    renewed = await _reason(ports, second)
    clock.advance(15 * 86_400)
    with pytest.raises(TokenExpired):
        await _refresh(ports, second)
    assert (expired, renewed, first.expires_in) == ("expired", None, 900)


@pytest.mark.anyio
async def test_logout_ends_this_session_and_everywhere_ends_all(ports: Ports) -> None:
    """Signing out ends only the session signed out of; everywhere ends every one."""
    here, there, elsewhere = await _register(ports), await _login(ports), await _login(ports)
    await logout(await _auth(ports, here), sessions=ports.sessions)
    after_one = [await _reason(ports, t) for t in (here, there, elsewhere)]
    await logout(await _auth(ports, there), sessions=ports.sessions, everywhere=True)
    after_all = [await _reason(ports, t) for t in (here, there, elsewhere)]
    assert (after_one, after_all) == (["revoked", None, None], ["revoked"] * 3)


async def _change(ports: Ports, tokens: Tokens, current: str, new: str) -> None:
    await change_password(
        await _auth(ports, tokens),
        current,
        new,
        address="192.0.2.1",
        users=ports.users,
        hasher=ports.hasher,
        sessions=ports.sessions,
        throttle=ports.throttle,
    )


@pytest.mark.anyio
async def test_a_password_change_ends_every_other_session(ports: Ports) -> None:
    """The changer's session goes on; the others end; only the new password logs in."""
    mine, other = await _register(ports), await _login(ports)
    await _change(ports, mine, PASSWORD, "a new password")
    reasons = [await _reason(ports, mine), await _reason(ports, other)]
    new_login = await _login(ports, password="a new password")
    with pytest.raises(InvalidCredentials):
        await _login(ports)
    assert (reasons, await _reason(ports, new_login)) == ([None, "revoked"], None)


@pytest.mark.anyio
async def test_a_password_change_needs_the_current_password_and_a_valid_new_one(
    ports: Ports,
) -> None:
    """A wrong current password and a too-short new one are refused, changing nothing."""
    mine, other = await _register(ports), await _login(ports)
    with pytest.raises(WrongPassword):
        await _change(ports, mine, "not my password", "a new password")
    with pytest.raises(ValidationError) as short:
        await _change(ports, mine, PASSWORD, "short")
    assert ([str(e.field) for e in short.value.errors], await _reason(ports, other)) == (
        ["new_password"],
        None,
    )


async def _delete(ports: Ports, tokens: Tokens, password: str = PASSWORD) -> None:
    await delete_account(
        await _auth(ports, tokens),
        password,
        address="192.0.2.1",
        users=ports.users,
        collections=ports.collections,
        hasher=ports.hasher,
        sessions=ports.sessions,
        throttle=ports.throttle,
    )


@pytest.mark.anyio
async def test_a_deleted_account_is_erased_and_its_name_free(ports: Ports) -> None:
    """Its sessions end, its collections go, its name registers anew with nothing in it,
    and another user's collections and genres stay as they were."""
    heat = Movie(uuid=HEAT_UUID, title="Heat", description="", genres="Crime")
    ada, bob = await _register(ports, "ada"), await _register(ports, "bob")
    for tokens in (ada, bob):
        user = (await _auth(ports, tokens)).user
        draft = CollectionDraft(title="Mine", movies=(heat,))
        await create_collection(user, draft, collections=ports.collections)
    bob_user = (await _auth(ports, bob)).user
    before = await list_collections(bob_user, 1, collections=ports.collections)
    with pytest.raises(WrongPassword):
        await _delete(ports, ada, "not my password")
    await _delete(ports, ada)
    again = await _register(ports, "ADA")
    fresh = await list_collections(
        (await _auth(ports, again)).user, 1, collections=ports.collections
    )
    assert (
        await _reason(ports, ada),
        (fresh.count, fresh.favourite_genres),
        await list_collections(bob_user, 1, collections=ports.collections),
    ) == ("revoked", (0, ""), before)


@pytest.mark.anyio
async def test_whoami_names_the_account(ports: Ports) -> None:
    """The signed-in user's account comes back as registered."""
    signed_in = await _auth(ports, await _register(ports, "Ada"))
    me = await whoami(signed_in.user, users=ports.users)
    assert (me.id, me.username, me == await ports.users.by_username("ada")) == (
        signed_in.user,
        "Ada",
        True,
    )


@pytest.mark.anyio
async def test_operators_are_granted_in_the_store_or_named(ports: Ports) -> None:
    """A plain user is refused; one granted the role, or named in any case, is let through."""
    ada = (await _auth(ports, await _register(ports, "ada"))).user
    bob = (await _auth(ports, await _register(ports, "bob"))).user
    with pytest.raises(NotAllowed):
        await require_operator(ada, users=ports.users)
    await ports.users.set_operator("ADA", True)
    await require_operator(ada, users=ports.users)
    await require_operator(bob, users=ports.users, operators=["BOB"])
