"""A clock that tests move by hand, for every adapter that takes a ``clock``."""

from __future__ import annotations


class ManualClock:
    """Seconds that pass only when ``advance`` says so; call it as ``time.monotonic``."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        """The time the clock shows."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock ``seconds`` forward."""
        if seconds < 0:
            raise ValueError("a clock only moves forward")
        self.now += seconds
