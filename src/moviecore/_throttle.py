"""The rule of login throttling, which every LoginThrottle adapter keeps.

Failures are counted per (client address, username) and per client address across
usernames, each in a fixed window from its first attempt. The first tally keeps one
address from guessing one user's password without locking the user out anywhere
else; the second slows one address trying a password on many usernames (spraying).
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass

from ._errors import TooManyAttempts


@dataclass(frozen=True, slots=True)
class AttemptWindow:
    """The login attempts counted for one key since its window ``started``."""

    started: float
    attempts: int


@dataclass(frozen=True, slots=True)
class LoginRule:
    """How many attempts without a success go through per ``window`` seconds: ``per_user``
    for one username from one address, ``per_address`` for one address in all."""

    per_user: int = 5
    per_address: int = 20
    window: float = 60.0

    def __post_init__(self) -> None:
        if self.per_user < 1 or self.per_address < 1 or self.window <= 0:
            raise ValueError("per_user and per_address must be 1 or more and window positive")

    def current(self, window: AttemptWindow | None, now: float) -> AttemptWindow | None:
        """``window`` if it is still running at ``now``, else None: the key starts fresh."""
        if window is None or now >= window.started + self.window:
            return None
        return window

    def count(
        self, now: float, user: AttemptWindow | None, address: AttemptWindow | None
    ) -> tuple[AttemptWindow, AttemptWindow]:
        """The windows of the user's and the address's keys with one more attempt.

        Raises:
            TooManyAttempts: either key has used up its tries; nothing is counted, and
                ``retry_after`` is when both are free again.
        """
        windows = (self.current(user, now), self.current(address, now))
        waits = [
            window.started + self.window - now
            for window, most in zip(windows, (self.per_user, self.per_address), strict=True)
            if window is not None and window.attempts >= most
        ]
        if waits:
            raise TooManyAttempts(retry_after=max(1, math.ceil(max(waits))))
        user_window, address_window = (_plus_one(window, now) for window in windows)
        return user_window, address_window

    def given_back(self, address: AttemptWindow | None, now: float) -> AttemptWindow | None:
        """The address's window after one of its users logged in: that attempt is no failure.

        Only the one attempt is returned, so that logging in to an account of one's own
        does not reset the tally of an address spraying the others.
        """
        address = self.current(address, now)
        if address is None or address.attempts == 0:
            return address
        return AttemptWindow(started=address.started, attempts=address.attempts - 1)


def throttled_address(address: str) -> str:
    """The part of a client address the throttle counts: an IPv6 address's /64 network,
    which one subscriber usually holds whole; an IPv4 address, mapped or not, as itself."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _plus_one(window: AttemptWindow | None, now: float) -> AttemptWindow:
    if window is None:
        return AttemptWindow(started=now, attempts=1)
    return AttemptWindow(started=window.started, attempts=window.attempts + 1)
