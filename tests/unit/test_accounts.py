"""Registering, logging in and authenticating, through the in-memory adapters."""

from uuid import UUID

import pytest

from moviecore import (
    FieldError,
    InvalidCredentials,
    InvalidToken,
    MovieCore,
    SessionRevoked,
    TooManyAttempts,
    User,
    UsernameTaken,
    ValidationError,
)
from moviecore.ports import Ports, Session
from moviecore.testing import in_memory_ports
from moviecore.use_cases import register_user

PASSWORD = "correct horse battery"


async def _register(ports: Ports, username: str = "ada", password: str = PASSWORD) -> str:
    return (await MovieCore(ports).register_for_tokens(username, password)).access_token


async def _login(
    ports: Ports, username: str = "ada", password: str = PASSWORD, address: str = "192.0.2.1"
) -> str:
    started = await MovieCore(ports).login_for_tokens(username, password, address=address)
    return started.access_token


async def _whoami(ports: Ports, token: str) -> UUID:
    return (await MovieCore(ports).authenticate(token)).user


@pytest.mark.anyio
async def test_register_returns_a_token_of_the_new_user(ports: Ports) -> None:
    """A registered user's token authenticates as that user, whose password is stored hashed."""
    token = await _register(ports, "Ada")
    user = await ports.users.by_username("ada")
    assert user is not None
    assert (await _whoami(ports, token), user.username) == (user.id, "Ada")
    assert (
        user.password_hash != PASSWORD,
        await ports.hasher.verify(PASSWORD, user.password_hash),
    ) == (True, True)


@pytest.mark.anyio
async def test_register_user_returns_the_stored_user(ports: Ports) -> None:
    """register_user returns the new user as stored, whose id a login token then names."""
    user = await register_user("Ada", PASSWORD, users=ports.users, hasher=ports.hasher)
    assert (await ports.users.by_id(user.id), await _whoami(ports, await _login(ports))) == (
        user,
        user.id,
    )


@pytest.mark.anyio
async def test_register_refuses_a_taken_name_in_any_case(ports: Ports) -> None:
    """Registering a name that differs only in case from a taken one fails."""
    await _register(ports, "ada")
    with pytest.raises(UsernameTaken):
        await _register(ports, "ADA", "another password")


@pytest.mark.anyio
async def test_register_names_every_invalid_field(ports: Ports) -> None:
    """An invalid username and password are both reported, and no account is made."""
    with pytest.raises(ValidationError) as raised:
        await _register(ports, "no spaces", "short")
    assert raised.value.errors == (
        FieldError("username", "may hold only letters, digits and @.+-_"),
        FieldError("password", "must be 8 to 72 bytes in UTF-8"),
    )
    assert await ports.users.by_username("no spaces") is None


@pytest.mark.anyio
async def test_login_in_any_case_returns_a_token(ports: Ports) -> None:
    """Logging in with the name in another case gives a token of the same user."""
    registered = await _whoami(ports, await _register(ports, "Ada"))
    assert await _whoami(ports, await _login(ports, "aDA")) == registered


@pytest.mark.anyio
@pytest.mark.parametrize(("username", "password"), [("ada", "wrong password"), ("bob", PASSWORD)])
async def test_login_fails_alike_for_wrong_name_or_password(
    ports: Ports, username: str, password: str
) -> None:
    """A wrong password and an unknown user fail with the same error and message."""
    await _register(ports)
    with pytest.raises(InvalidCredentials) as raised:
        await _login(ports, username, password)
    assert str(raised.value) == "wrong username or password"


@pytest.mark.anyio
async def test_five_failed_logins_lock_the_name(ports: Ports) -> None:
    """After five wrong passwords even the right one must wait."""
    await _register(ports)
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await _login(ports, "ada", "wrong password")
    with pytest.raises(TooManyAttempts) as raised:
        await _login(ports, "ADA")
    assert 1 <= raised.value.retry_after <= 60


@pytest.mark.anyio
async def test_a_successful_login_forgets_earlier_failures(ports: Ports) -> None:
    """Four failures, a success, then four more failures still allow a login."""
    await _register(ports)
    for attempt in range(9):
        if attempt == 4:
            await _login(ports)
            continue
        with pytest.raises(InvalidCredentials):
            await _login(ports, "ada", "wrong password")
    assert await _login(ports)


@pytest.mark.anyio
async def test_unknown_names_are_throttled_too(ports: Ports) -> None:
    """Guessing at a name nobody has is slowed down like guessing a password."""
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await _login(ports, "nobody")
    with pytest.raises(TooManyAttempts):
        await _login(ports, "nobody")


async def _guess_five_times(ports: Ports, *addresses: str) -> None:
    """Five wrong passwords for ada, from ``addresses`` in turn."""
    for attempt in range(5):
        address = addresses[attempt % len(addresses)]
        with pytest.raises(InvalidCredentials):
            await _login(ports, "ada", "wrong password", address=address)


@pytest.mark.anyio
async def test_a_guesser_locks_the_user_out_of_its_own_address_only(ports: Ports) -> None:
    """Five wrong passwords for ada from one address: ada logs in from another, not from it."""
    await _register(ports)
    await _guess_five_times(ports, "203.0.113.66")
    with pytest.raises(TooManyAttempts):
        await _login(ports, address="203.0.113.66")
    assert await _whoami(ports, await _login(ports, address="192.0.2.1"))


@pytest.mark.anyio
async def test_an_ipv6_network_of_64_bits_counts_as_one_address(ports: Ports) -> None:
    """Five failures from five addresses of one IPv6 /64 lock the sixth of it out; the
    neighbouring /64 counts apart."""
    await _register(ports)
    await _guess_five_times(ports, *(f"2001:db8:1:2::{host}" for host in range(1, 6)))
    with pytest.raises(TooManyAttempts):
        await _login(ports, address="2001:db8:1:2:ffff::9")
    assert await _whoami(ports, await _login(ports, address="2001:db8:1:3::1"))


@pytest.mark.anyio
async def test_an_ipv4_address_written_as_ipv6_is_the_same_address(ports: Ports) -> None:
    """Failures from 192.0.2.9 count for ::ffff:192.0.2.9, as a dual-stack socket names it."""
    await _register(ports)
    await _guess_five_times(ports, "192.0.2.9")
    with pytest.raises(TooManyAttempts):
        await _login(ports, address="::ffff:192.0.2.9")


@pytest.mark.anyio
@pytest.mark.parametrize("token", ["", "garbage", "00000000-0000-0000-0000-000000000001.abc"])
async def test_authenticate_refuses_bad_tokens(ports: Ports, token: str) -> None:
    """A token that was not issued here does not authenticate."""
    await _register(ports)
    with pytest.raises(InvalidToken):
        await _whoami(ports, token)


@pytest.mark.anyio
async def test_authenticate_refuses_a_token_of_no_session(ports: Ports) -> None:
    """A validly signed token whose session was never started is refused as revoked."""
    session = Session(id=UUID(int=8), user=UUID(int=7), generation=0, expires_at=4e9)
    with pytest.raises(SessionRevoked):
        await _whoami(ports, ports.tokens.issue(session).access_token)


@pytest.mark.anyio
async def test_tokens_of_another_issuer_are_refused(ports: Ports) -> None:
    """A token from another service's issuer, for a session started here, is malformed."""
    elsewhere = in_memory_ports()
    session = Session(id=UUID(int=8), user=UUID(int=3), generation=0, expires_at=4e9)
    await ports.users.add(User(id=session.user, username="ada", password_hash="hash"))
    await ports.sessions.start(session)
    with pytest.raises(InvalidToken) as raised:
        await _whoami(ports, elsewhere.tokens.issue(session).access_token)
    assert raised.value.reason == "malformed"
