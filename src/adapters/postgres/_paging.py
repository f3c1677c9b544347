"""A page and the totals it belongs to, read in one statement.

A page query joins the totals to the page's rows (``LEFT JOIN (...) ON true``), so
the first columns of every row are the totals, and an empty page is one row whose
other columns are NULL: one round trip and one snapshot for all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def split_totals(
    rows: Sequence[tuple[Any, ...]], width: int
) -> tuple[list[tuple[Any, ...]], tuple[Any, ...]]:
    """The page's rows without the first ``width`` columns, and those columns, the totals
    (all None if there are no rows)."""
    totals = tuple(rows[0][:width]) if rows else (None,) * width
    return [row[width:] for row in rows if row[width] is not None], totals
