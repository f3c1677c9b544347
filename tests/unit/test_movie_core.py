"""MovieCore, the use cases wired once to a set of ports, and the old names it replaces."""

import inspect
import warnings
from uuid import uuid4

import pytest

import moviecore
from moviecore import (
    CollectionChanges,
    CollectionDraft,
    Limits,
    Movie,
    MovieCore,
    NotAllowed,
    SessionRevoked,
    ValidationError,
)
from moviecore import use_cases as functions
from moviecore.ports import Ports

PASSWORD = "correct horse battery"
ADDRESS = "192.0.2.1"


@pytest.fixture
def core(ports: Ports) -> MovieCore:
    """The use cases over fresh in-memory ports."""
    return MovieCore(ports)


def _parameters(function: object, dropped: set[str]) -> list[str]:
    return [name for name in inspect.signature(function).parameters if name not in dropped]  # type: ignore[arg-type]


def test_every_use_case_is_a_method_taking_the_same_values() -> None:
    """Each function of moviecore.use_cases is a method of MovieCore by the same name, taking
    the same values but the ports, the limits and the operators, which the core holds."""
    ports = {"self", "limits", "operators", *Ports.__dataclass_fields__}
    shapes = {
        name: (
            _parameters(getattr(functions, name), ports),
            _parameters(getattr(MovieCore, name, None) or (lambda: None), ports),
        )
        for name in functions.__all__
    }
    assert {name: shape for name, shape in shapes.items() if shape[0] != shape[1]} == {}


@pytest.mark.anyio
async def test_accounts_return_what_their_names_say(core: MovieCore) -> None:
    """``*_user`` gives the User and starts no session, ``*_for_tokens`` the tokens of a new
    session naming that user."""
    ada = await core.register_user("ada", PASSWORD)
    logged_in = await core.login_user("ADA", PASSWORD, address=ADDRESS)
    tokens = await core.login_for_tokens("ada", PASSWORD, address=ADDRESS)
    grace = await core.register_for_tokens("grace", PASSWORD)
    seen = {
        "login_user": logged_in,
        "login_for_tokens": await core.whoami((await core.authenticate(tokens.access_token)).user),
        "register_for_tokens": await core.whoami(
            (await core.authenticate(grace.access_token)).user
        ),
    }
    assert {name: user.username for name, user in seen.items()} == {
        "login_user": "ada",
        "login_for_tokens": "ada",
        "register_for_tokens": "grace",
    }
    assert logged_in == ada


@pytest.mark.anyio
async def test_a_collection_lives_through_the_core(core: MovieCore) -> None:
    """A collection is created, edited, listed, read and deleted with the ports given once."""
    owner, heat = uuid4(), Movie(uuid4(), "Heat", "", "Crime")
    uuid = await core.create_collection(owner, CollectionDraft("Rainy Sunday"))
    await core.update_collection(owner, uuid, CollectionChanges(title="Sunny"), expected_version=1)
    added = await core.add_movies(owner, uuid, [heat], expected_version=2)
    listed = await core.list_collections(owner, movie=heat.uuid)
    got = await core.get_collection(owner, uuid)
    await core.delete_collection(owner, uuid, expected_version=3)
    after = await core.list_collections(owner)
    assert {
        "stored": got,
        "listed with the movie": listed.count,
        "left": after.count,
    } == {"stored": added, "listed with the movie": 1, "left": 0}


@pytest.mark.anyio
async def test_the_core_keeps_its_limits(ports: Ports) -> None:
    """A title within the default limits but beyond the core's own is refused, naming it."""
    core = MovieCore(ports, limits=Limits(title_max=5))
    with pytest.raises(ValidationError) as raised:
        await core.create_collection(uuid4(), CollectionDraft("Rainy Sunday"))
    assert [error.field for error in raised.value.errors] == ["title"]


@pytest.mark.anyio
async def test_the_core_keeps_its_operators(ports: Ports) -> None:
    """The usernames the core names operators pass require_operator; others do not."""
    core = MovieCore(ports, operators=("Ada",))
    ada = await core.register_user("ada", PASSWORD)
    bob = await core.register_user("bob", PASSWORD)
    await core.require_operator(ada.id)
    with pytest.raises(NotAllowed):
        await core.require_operator(bob.id)


@pytest.mark.anyio
async def test_a_session_ends_through_the_core(core: MovieCore) -> None:
    """Signing out through the core ends the session its access token named."""
    tokens = await core.register_for_tokens("ada", PASSWORD)
    await core.logout(await core.authenticate(tokens.access_token))
    with pytest.raises(SessionRevoked):
        await core.authenticate(tokens.access_token)


@pytest.mark.parametrize(
    ("old", "home", "new"),
    [
        ("register", "moviecore.use_cases", "register_for_tokens"),
        ("login", "moviecore.use_cases", "login_for_tokens"),
        ("create_collection", "moviecore.use_cases", "create_collection"),
        ("Ports", "moviecore.ports", "Ports"),
        ("apply_changes", "moviecore.ports", "apply_changes"),
        ("sync_catalog", "moviecore.sync", "sync_catalog"),
    ],
)
def test_an_old_name_warns_and_gives_the_new(old: str, home: str, new: str) -> None:
    """A name of 0.1 that moved or was renamed is still there, warning where it went."""
    module = __import__(home, fromlist=[new])
    with pytest.warns(DeprecationWarning, match=rf"moviecore\.{old} is deprecated .*{home}"):
        value = getattr(moviecore, old)
    assert value is getattr(module, new)


def test_an_old_private_name_warns_that_it_is_private() -> None:
    """A search internal that was public in 0.1 still imports, warning that it is private."""
    with pytest.warns(DeprecationWarning, match="no longer public"):
        from moviecore import rank  # type: ignore[attr-defined]  # noqa: F401


def test_a_name_moviecore_never_had_is_an_attribute_error() -> None:
    """Only the old names warn; a typo is an AttributeError, as in any module."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError, match="no attribute 'logn'"):
            moviecore.logn  # type: ignore[attr-defined]  # noqa: B018
