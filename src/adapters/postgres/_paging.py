"""A page and the total it belongs to, read in one statement.

A page query joins the total to the page's rows (``LEFT JOIN (...) ON true``), so
the first column of every row is the total, and an empty page is one row whose
other columns are NULL: one round trip and one snapshot for both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def split_total(rows: Sequence[tuple[Any, ...]]) -> tuple[list[tuple[Any, ...]], int]:
    """The page's rows without the total column, and the total (0 if there are no rows)."""
    total = int(rows[0][0]) if rows else 0
    return [row[1:] for row in rows if row[1] is not None], total
