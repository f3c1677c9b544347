"""Public names report the module users import them from, as httpx's do."""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping


def publish(names: Iterable[str], namespace: Mapping[str, object], module: str) -> None:
    """Set ``__module__`` of each class and function among ``names`` to ``module``.

    ``help()``, reprs and tracebacks then say ``moviecore.ValidationError``, the name
    to import, rather than the private module that defines it.
    """
    for name in names:
        value = namespace[name]
        if inspect.isclass(value) or inspect.isfunction(value):
            value.__module__ = module
