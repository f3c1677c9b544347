"""Warnings that repeat, written once every few seconds, the repeats in between counted.

While PostgreSQL was down for 20 s under a client reading every 50 ms, a service
of two workers wrote 65 warnings (the pool's connection and reconnection
attempts, each failed request), most of them the same words again. The logging configuration
(``adapters.logs``) puts this filter on its handler, so that a warning is
written at once, the same warning again within ``every`` seconds is only
counted, and the next one written says how many were held back. The same outage
then wrote 9.

The same warning is the same logger and the same words once its arguments are
put in: a warning that says something new (another page left out movies,
another fault) is always written. Errors, and anything below a warning, always
pass.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable

REPEAT_EVERY = 10.0
"""Seconds between two lines of the same warning."""

MAX_SEEN = 1000
"""Warnings remembered at most; the one seen longest ago is forgotten first."""


class RepeatedWarnings(logging.Filter):
    """Holds back a warning written less than ``every`` seconds ago, and counts it."""

    def __init__(
        self,
        every: float = REPEAT_EVERY,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_seen: int = MAX_SEEN,
    ) -> None:
        super().__init__()
        self._every = every
        self._clock = clock
        self._max_seen = max_seen
        # Per warning: when it was last written, and how many times held back since.
        self._seen: dict[tuple[str, str], tuple[float, int]] = {}
        # Handlers filter outside their own lock, and any thread may log.
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        """Whether to write ``record``; one written after others were held back counts them."""
        if not logging.WARNING <= record.levelno < logging.ERROR:
            return True
        warning = (record.name, record.getMessage())
        now = self._clock()
        with self._lock:
            written_at, held = self._seen.pop(warning, (-math.inf, 0))
            if now - written_at < self._every:
                self._seen[warning] = (written_at, held + 1)
                return False
            if len(self._seen) >= self._max_seen:
                del self._seen[next(iter(self._seen))]
            self._seen[warning] = (now, 0)
        if held:
            since = now - written_at
            record.msg = f"{warning[1]} ({held} more like it in the {since:.0f} s before)"
            record.args = None
        return True
