"""Names of moviecore 0.1 that moved or were renamed, kept working for a deprecation period.

Each use warns with a ``DeprecationWarning`` naming where the name went, as the
compatibility policy of the library guide promises; they go in ``REMOVED_IN``.
They are hidden from type checkers, so that mypy reports every use left.
"""

from __future__ import annotations

import importlib
import warnings

REMOVED_IN = "0.3.0"

# The modules the names of the top level went to, each keeping its name there.
_MOVED_TO = ("moviecore.use_cases", "moviecore.ports", "moviecore.sync")

# Old name: (the module holding what replaces it, the replacement's name there).
RENAMED: dict[str, tuple[str, str]] = {
    "register": ("moviecore.use_cases", "register_for_tokens"),
    "login": ("moviecore.use_cases", "login_for_tokens"),
}

# Old names that are no longer public: where the value lives now, and what to do instead.
_RANKING = "it is no longer public; SearchableCatalog.search's docstring states the ranking"
_PRIVATE: dict[str, tuple[str, str]] = {
    "Rank": ("moviecore._search", _RANKING),
    "rank": ("moviecore._search", _RANKING),
    "search_words": ("moviecore._search", "use moviecore.ports.MovieQuery.of(text).words"),
    "genre_needle": ("moviecore._search", "use moviecore.ports.MovieQuery.genre_needle"),
    "favourite_genres": ("moviecore._genres", "it is no longer public; read a CollectionsPage's"),
}


def _home(name: str) -> str | None:
    """The public module that holds ``name`` now, if one does."""
    for module in _MOVED_TO:
        if name in importlib.import_module(module).__all__:
            return module
    return None


def moved(name: str) -> object:
    """What the old top-level ``name`` stood for, with a DeprecationWarning saying what to
    use instead; AttributeError for a name moviecore never had."""
    home = _home(name)
    if name in RENAMED:
        home, new = RENAMED[name]
        value, advice = getattr(importlib.import_module(home), new), f"use {home}.{new}"
    elif home is not None:
        value = getattr(importlib.import_module(home), name)
        advice = f"import it from {home}"
        if home == "moviecore.use_cases":
            advice += f", or call MovieCore.{name}"
    elif name in _PRIVATE:
        module, instead = _PRIVATE[name]
        value, advice = getattr(importlib.import_module(module), name), instead
    else:
        raise AttributeError(f"module 'moviecore' has no attribute {name!r}")
    warnings.warn(
        f"moviecore.{name} is deprecated and goes in {REMOVED_IN}: {advice}",
        DeprecationWarning,
        stacklevel=3,
    )
    return value
