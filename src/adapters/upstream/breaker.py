"""A circuit breaker: stop calling a dependency that keeps failing, probe it after a cool-down.

CLOSED --(failure_threshold failures in a row, or one asking to wait)--> OPEN
OPEN --(cool_down seconds pass, or the wait asked for)--> HALF_OPEN: one probe call may go out
HALF_OPEN --probe succeeds--> CLOSED;  --probe fails--> OPEN again

Ours, not a library's: pybreaker, aiobreaker and circuitbreaker read the system clock
(no clock to inject, so the tests would wait on the wall clock) and none can hold the
circuit open for the time an upstream's 429 asks for; this is 90 lines.
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
        self._reopen_at: float | None = None
        self._probe_at: float | None = None

    @property
    def state(self) -> BreakerState:
        """The state right now; an open breaker turns half-open once its wait has passed."""
        if self._reopen_at is None:
            return BreakerState.CLOSED
        if self._clock() < self._reopen_at:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN

    @property
    def retry_after(self) -> int:
        """Whole seconds until a call may go out again, at least 1."""
        if self._reopen_at is None:
            return 1
        return max(1, math.ceil(self._reopen_at - self._clock()))

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
        self._reopen_at = None
        self._probe_at = None

    def record_failure(self, wait: float = 0.0) -> None:
        """A call failed: open after enough in a row, or re-open if it was the probe.

        A dependency that asks for ``wait`` seconds (a 429's Retry-After) is left
        alone that long at least, whatever the count.
        """
        now = self._clock()
        self._failures += 1
        if self._reopen_at is not None or self._failures >= self._threshold:
            self._reopen_at = now + self._cool_down
            self._probe_at = None
        if wait > 0:
            self._reopen_at = max(self._reopen_at or now, now + wait)
            self._probe_at = None
