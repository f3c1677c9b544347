"""How an update changes a stored collection: one rule that every adapter applies.

Adapters call these inside their own transaction, on the state they have locked,
so that the read, the check and the write of an update are one unit.
"""

from __future__ import annotations

from dataclasses import replace

from ._entities import Collection, CollectionChanges
from ._errors import VersionMismatch


def check_version(current: int, expected: int | None) -> None:
    """Raise VersionMismatch unless ``expected`` is None or the ``current`` version."""
    if expected is not None and expected != current:
        raise VersionMismatch(expected=expected, current=current)


def apply_changes(current: Collection, changes: CollectionChanges) -> Collection:
    """``current`` with the given fields changed and its version one higher."""
    return replace(
        current,
        title=current.title if changes.title is None else changes.title,
        description=current.description if changes.description is None else changes.description,
        movies=current.movies if changes.movies is None else tuple(changes.movies),
        version=current.version + 1,
    )
