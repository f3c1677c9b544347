"""Login throttling in this one process: the embedded default, which runs one worker.

The windows of the core's LoginRule are kept in a bounded table (cachetools' TLRU
cache, on the injectable clock): a window is dropped when it is over, and past
``size`` windows the least recently tried goes first. A flood of addresses and names
costs a bounded table (10,000 windows hold 4.0 MB with 150-character usernames,
measured with tracemalloc), at the price of forgetting the oldest attempts early.
Several workers or instances share Redis's instead.
"""

from __future__ import annotations

import time

from cachetools import TLRUCache

from moviecore.ports import AttemptWindow, LoginRule

from .caching import Clock


class LocalLoginThrottle:
    """The LoginThrottle port in a table of this process, timed by ``clock``."""

    def __init__(
        self, rule: LoginRule | None = None, *, clock: Clock = time.monotonic, size: int = 10_000
    ) -> None:
        self._rule = rule or LoginRule()
        self._clock = clock
        # key -> its window; an address's key is the address alone
        self._windows: TLRUCache[tuple[str, ...], AttemptWindow] = TLRUCache(
            maxsize=size, ttu=self._window_end, timer=clock
        )

    async def attempt(self, address: str, username: str) -> None:
        """Count one attempt of ``username`` from ``address``, or raise TooManyAttempts."""
        keys = ((address, username), (address,))
        counted = self._rule.count(self._clock(), *map(self._windows.get, keys))
        for key, window in zip(keys, counted, strict=True):
            self._keep(key, window)

    async def succeeded(self, address: str, username: str) -> None:
        """Forget the attempts of ``username`` from ``address``; give the address one back."""
        self._windows.pop((address, username), None)
        window = self._rule.given_back(self._windows.get((address,)), self._clock())
        if window is not None:
            self._keep((address,), window)

    def _keep(self, key: tuple[str, ...], window: AttemptWindow) -> None:
        self._windows[key] = window

    def _window_end(self, _key: tuple[str, ...], window: AttemptWindow, _now: float) -> float:
        return window.started + self._rule.window
