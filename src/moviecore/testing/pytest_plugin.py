"""The kit's pytest plugin: a failing contract case shows the values that differ.

pytest rewrites ``assert`` statements, so that a failure prints both sides, only
in test files and in modules registered before their first import. The kit's
asserts live in its own modules: pytest loads this plugin (the ``pytest11`` entry
point of the ``moviecore`` distribution) before any test file, and it registers
them. Where plugins are not loaded automatically (``PYTEST_DISABLE_PLUGIN_AUTOLOAD``),
load it with ``-p moviecore.testing.pytest_plugin``.
"""

import pytest

__all__ = ["ASSERTING_MODULES", "pytest_assertrepr_compare"]

ASSERTING_MODULES = (
    "moviecore.testing._edit_contracts",
    "moviecore.testing._account_contracts",
    "moviecore.testing._catalog_contracts",
    "moviecore.testing._search_contracts",
    "moviecore.testing._storage_contracts",
    "moviecore.testing._sync_contracts",
    "moviecore.testing.contracts",
    "moviecore.testing.stateful",
)
"""Every module of the kit that holds ``assert`` statements."""

pytest.register_assert_rewrite(*ASSERTING_MODULES)

_LONG = 80
"""Texts longer than this have their first difference shown: pytest cuts long diffs short."""
_AROUND = 30


def pytest_assertrepr_compare(op: str, left: object, right: object) -> list[str] | None:
    """For two long texts, or two values with long reprs that pytest cannot take apart
    (not a container, not a dataclass), the first character that differs, in context."""
    if (
        op != "=="
        or isinstance(left, list | tuple | dict | set)
        or hasattr(left, "__dataclass_fields__")
    ):
        return None
    first, second = (
        (left, right)
        if isinstance(left, str) and isinstance(right, str)
        else (repr(left), repr(right))
    )
    if max(len(first), len(second)) <= _LONG or first == second:
        return None
    at = next(
        (n for n, (a, b) in enumerate(zip(first, second, strict=False)) if a != b),
        min(len(first), len(second)),
    )
    start = max(0, at - _AROUND)
    return [
        f"texts of {len(first)} and {len(second)} characters differ",
        f"first difference at character {at}:",
        f"  left:  ...{first[start : at + _AROUND]!r}",
        f"  right: ...{second[start : at + _AROUND]!r}",
    ]
