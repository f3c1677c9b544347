"""A port's signature changes only with a CHANGELOG entry that tells implementers.

Every adapter written outside this repository implements the ports, so a changed port
breaks it. ``port_signatures.txt`` holds each port's methods as released, and the
version that added or last changed them; the test fails when the code and the snapshot
differ, and when the library part of that version's CHANGELOG section does not name
the port.

After changing a port on purpose: write its entry (BREAKING, with a migration note, or
under Deprecated when the old shape keeps working) in the library part of the version
being prepared in CHANGELOG.md, then rewrite the snapshot with
``python tests/unit/test_port_signatures.py``: it marks each port whose signature moved
as changed in ``moviecore.__version__``.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import sys
import typing
from pathlib import Path

import moviecore
import moviecore.ports

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = Path(__file__).with_name("port_signatures.txt")
CHANGELOG = ROOT / "CHANGELOG.md"
HEADER = re.compile(r"^(\w+) \((since|added in|changed in) ([\w.]+)\)$")
HOW = (
    "write a CHANGELOG.md entry naming the port in the library part of the version being"
    " prepared (BREAKING with a migration note, or Deprecated), then rewrite the snapshot"
    " with `python tests/unit/test_port_signatures.py`"
)


def _port_classes() -> dict[str, type]:
    """The ports of ``moviecore.ports``, and ``Ports``, by name."""
    values = {name: getattr(moviecore.ports, name) for name in moviecore.ports.__all__}
    return {
        name: value
        for name, value in values.items()
        if inspect.isclass(value)
        and (getattr(value, "_is_protocol", False) or value is moviecore.ports.Ports)
    }


def _lines(cls: type) -> list[str]:
    """What an implementer or a caller relies on: each method's signature, each field's type."""
    if dataclasses.is_dataclass(cls):
        return [f"{field.name}: {field.type}" for field in dataclasses.fields(cls)]
    lines = []
    for name, value in sorted(vars(cls).items()):
        if inspect.isfunction(value) and not name.startswith("_"):
            kind = "async " if inspect.iscoroutinefunction(value) else ""
            signature = str(inspect.signature(value)).replace("'", "")
            lines.append(f"{kind}def {name}{signature}")
    bases = [base.__name__ for base in cls.__bases__ if base is not typing.Protocol]
    return [f"bases: {', '.join(bases)}" for _ in bases[:1]] + lines


def current() -> dict[str, list[str]]:
    """Every port's signature lines, as the code declares them now."""
    return {name: _lines(cls) for name, cls in sorted(_port_classes().items())}


def recorded() -> dict[str, tuple[str, list[str]]]:
    """Each port of the snapshot: its header and its signature lines."""
    found: dict[str, tuple[str, list[str]]] = {}
    for block in SNAPSHOT.read_text(encoding="utf-8").strip().split("\n\n")[1:]:
        header, *body = block.strip().splitlines()
        match = HEADER.match(header)
        assert match, f"{SNAPSHOT.name}: unreadable header {header!r}"
        found[match.group(1)] = (header, [line.strip() for line in body])
    return found


def _library_part(version: str) -> str:
    """The library part of the CHANGELOG section of ``version``."""
    sections = re.split(r"^## ", CHANGELOG.read_text(encoding="utf-8"), flags=re.MULTILINE)
    (section,) = [s for s in sections if s.startswith(f"[{version}]")]
    _, _, library = section.partition("### Library")
    library, _, _ = library.partition("### Service")
    return library


def test_every_port_matches_its_snapshot() -> None:
    """The ports declare exactly the signatures of the snapshot."""
    snapshot = {name: body for name, (_, body) in recorded().items()}
    now = current()
    changed = {
        name: {"snapshot": snapshot.get(name), "code": now.get(name)}
        for name in sorted(now.keys() | snapshot.keys())
        if now.get(name) != snapshot.get(name)
    }
    assert changed == {}, f"ports changed; {HOW}"


def test_every_port_change_is_in_the_changelog() -> None:
    """The CHANGELOG's library part of the version that added or changed a port names it,
    alone or with its module (``moviecore.ports.SyncCursor``)."""
    missing = []
    for name, (header, _) in recorded().items():
        _, kind, version = HEADER.match(header).groups()  # type: ignore[union-attr]
        named = re.search(rf"`(?:[\w.]+\.)?{name}[`.(]", _library_part(version))
        if kind != "since" and not named:
            missing.append(f"{name} ({kind} {version})")
    assert missing == [], f"no CHANGELOG library entry for {missing}; {HOW}"


def test_the_version_being_prepared_heads_the_changelog() -> None:
    """The newest CHANGELOG section is the version the package declares, with a library
    part and a service part."""
    text = CHANGELOG.read_text(encoding="utf-8")
    first = re.search(r"^## \[([^\]]+)\]", text, re.MULTILINE)
    newest = text.split("\n## ")[1]
    assert (first.group(1) if first else None, "### Library" in newest) == (
        moviecore.__version__,
        True,
    )


def rewrite() -> None:
    """Write the snapshot anew, marking each port whose lines moved as changed now."""
    old = recorded() if SNAPSHOT.exists() else {}
    blocks = [SNAPSHOT.read_text(encoding="utf-8").split("\n\n")[0].strip()]
    for name, lines in current().items():
        header, body = old.get(name, (f"{name} (added in {moviecore.__version__})", lines))
        if body != lines:
            header = f"{name} (changed in {moviecore.__version__})"
        blocks.append("\n".join([header, *(f"    {line}" for line in lines)]))
    SNAPSHOT.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")


if __name__ == "__main__":
    rewrite()
    sys.exit(0)
