"""The locks agree with the dependencies the project declares.

requirements/run.txt (what serves) and requirements/dev.txt (what tests) are made
by ``make lock`` from pyproject.toml and service/pyproject.toml, with the build
tools their .in files name. Each must pin every distribution those need, directly
or through another, at a version they allow, and nothing else; this environment,
installed from dev.txt, must hold exactly those versions. A dependency added,
dropped or raised without ``make lock`` fails here.
"""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
CORE = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SERVICE = tomllib.loads((ROOT / "service" / "pyproject.toml").read_text(encoding="utf-8"))
LOCAL = {canonicalize_name(each["project"]["name"]): each for each in (CORE, SERVICE)}
"""The two distributions of this tree, installed from it rather than from the lock."""
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", re.MULTILINE)
LOCKS = {"run": (), "dev": ("dev",)}
"""Each lock, and the extras of the service it holds besides its dependencies."""


def _pins(lock: str) -> dict[str, Version]:
    text = (ROOT / "requirements" / f"{lock}.txt").read_text(encoding="utf-8")
    return {canonicalize_name(name): Version(version) for name, version in PIN.findall(text)}


def _build_tools(lock: str) -> list[Requirement]:
    """What the lock's source names besides the two distributions: their build's needs."""
    lines = (ROOT / "requirements" / f"{lock}.in").read_text(encoding="utf-8").splitlines()
    return [Requirement(line) for line in lines if line and not line.startswith(("#", "-"))]


def _applies(requirement: Requirement, extras: Iterable[str]) -> bool:
    """Whether ``requirement`` holds here, for a distribution asked for with ``extras``."""
    marker = requirement.marker
    return marker is None or any(marker.evaluate({"extra": extra}) for extra in ("", *extras))


def _declared(project: dict[str, Any], extras: Iterable[str]) -> list[Requirement]:
    """The requirements a pyproject declares for ``extras``, and its build backend's (the
    service lists its dependencies for its build hook, which adds the core's pin)."""
    table = project["project"]
    hook = project.get("tool", {}).get("hatch", {}).get("metadata", {}).get("hooks", {})
    listed = table.get("dependencies", hook.get("custom", {}).get("dependencies", []))
    texts = [*listed, *project["build-system"]["requires"]]
    texts += [text for extra in extras for text in table["optional-dependencies"][extra]]
    return [Requirement(text) for text in texts]


def _needed(roots: list[Requirement], pins: dict[str, Version]) -> tuple[set[str], list[str]]:
    """Every distribution ``roots`` need, following installed metadata; and each fault:
    a requirement the lock leaves out or pins outside its range, or an installed
    version other than the pin."""
    needed: set[str] = set()
    followed: set[tuple[str, frozenset[str]]] = set()
    faults: list[str] = []
    pending: list[tuple[Requirement, Iterable[str]]] = [(each, ()) for each in roots]
    while pending:
        requirement, extras = pending.pop()
        name = canonicalize_name(requirement.name)
        if not _applies(requirement, extras) or (name, frozenset(requirement.extras)) in followed:
            continue
        followed.add((name, frozenset(requirement.extras)))
        if name in LOCAL:
            pending += [(each, ()) for each in _declared(LOCAL[name], requirement.extras)]
        elif name not in pins:
            faults.append(f"{requirement} is not locked")
        else:
            needed.add(name)
            faults += _faults(requirement, pins[name])
            pending += [(each, requirement.extras) for each in _requires(name)]
    return needed, faults


def _requires(name: str) -> list[Requirement]:
    """The requirements of the installed distribution ``name`` (none if it is missing)."""
    try:
        return [Requirement(text) for text in importlib.metadata.requires(name) or []]
    except importlib.metadata.PackageNotFoundError:
        return []


def _faults(requirement: Requirement, pin: Version) -> list[str]:
    """What is wrong with the lock's ``pin`` for ``requirement``, and with what is installed."""
    faults = []
    if not requirement.specifier.contains(pin, prereleases=True):
        faults.append(f"{requirement} does not allow the locked {pin}")
    try:
        installed = Version(importlib.metadata.version(requirement.name))
    except importlib.metadata.PackageNotFoundError:
        return [*faults, f"{requirement.name} is locked but not installed"]
    if installed != pin:
        faults.append(f"{requirement.name} {installed} is installed, {pin} is locked")
    return faults


@pytest.mark.parametrize(("lock", "extras"), LOCKS.items())
def test_the_lock_pins_exactly_what_the_declarations_need(lock: str, extras: tuple[str]) -> None:
    """Every requirement of the service (and of its extras) and of theirs is locked, in
    range and installed at its pin; the lock holds nothing that none of them needs."""
    pins = _pins(lock)
    needed, faults = _needed([*_declared(SERVICE, extras), *_build_tools(lock)], pins)
    assert (faults, sorted(set(pins) - needed)) == ([], [])


def test_what_serves_is_what_was_tested() -> None:
    """The serving lock takes the development lock's versions, without its tools."""
    serving, testing = _pins("run"), _pins("dev")
    assert ({name: testing.get(name) for name in serving}, "pytest" in serving) == (serving, False)
