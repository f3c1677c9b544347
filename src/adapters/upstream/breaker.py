"""A circuit breaker: stop calling a dependency that keeps failing, probe it after a cool-down.

CLOSED --(failure_threshold failures in a row)--> OPEN
OPEN --(cool_down seconds pass)--> HALF_OPEN: one probe call may go out
HALF_OPEN --probe succeeds--> CLOSED;  --probe fails--> OPEN again
"""

from __future__ import annotations

import enum
import math
import time
from collections.abc import Callable


class BreakerState(enum.Enum):
    """Whether calls go out: all (closed), none (open), or one probe (half-open)."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    """Counts consecutive failures of calls and refuses calls while the dependency is down."""

    def __init__(
        self,
        *,
        failure_threshold: int = 10,
        cool_down: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1 or cool_down <= 0:
            raise ValueError("failure_threshold must be >= 1 and cool_down > 0")
        self._threshold = failure_threshold
        self._cool_down = cool_down
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probe_at: float | None = None

    @property
    def state(self) -> BreakerState:
        """The state right now; an open breaker turns half-open once the cool-down has passed."""
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at < self._cool_down:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN

    @property
    def retry_after(self) -> int:
        """Whole seconds until a call may go out again, at least 1."""
        if self._opened_at is None:
            return 1
        left = self._cool_down - (self._clock() - self._opened_at)
        return max(1, math.ceil(left))

    def allow(self) -> bool:
        """Whether a call may go out now; in half-open state this grants the single probe."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.OPEN:
            return False
        now = self._clock()
        # A probe whose caller vanished (cancelled) never reports back; after a
        # further cool-down it counts as lost and another probe may go.
        if self._probe_at is not None and now - self._probe_at < self._cool_down:
            return False
        self._probe_at = now
        return True

    def record_success(self) -> None:
        """A call succeeded: the dependency is back, close the breaker."""
        self._failures = 0
        self._opened_at = None
        self._probe_at = None

    def record_failure(self) -> None:
        """A call failed: open after enough in a row, or re-open if it was the probe."""
        if self._opened_at is not None:
            self._opened_at = self._clock()
            self._probe_at = None
            return
        self._failures += 1
        if self._failures >= self._threshold:
            self._opened_at = self._clock()
