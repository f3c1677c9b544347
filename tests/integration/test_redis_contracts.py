"""The Redis adapters pass the same contract suites as every other adapter of their ports."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.redis import RedisLoginThrottle, RedisRequestCounter, open_counter, open_throttle
from moviecore.testing import ManualClock
from moviecore.testing.contracts import LoginThrottleContract, RequestCounterContract


class TestRedisRequestCounter(RequestCounterContract):
    """The request counter shared through Redis."""

    @pytest.fixture
    async def counter(
        self, redis_url: str, redis_prefix: str
    ) -> AsyncIterator[RedisRequestCounter]:
        """A counter on a key no other test uses."""
        async with open_counter(redis_url, key=f"{redis_prefix}requests") as opened:
            yield opened


class TestRedisLoginThrottle(LoginThrottleContract):
    """Login throttling shared through Redis."""

    @pytest.fixture
    async def throttle(
        self, redis_url: str, redis_prefix: str, clock: ManualClock
    ) -> AsyncIterator[RedisLoginThrottle]:
        """A throttle whose keys no other test uses, on the contract's clock."""
        prefix = f"{redis_prefix}login:"
        async with open_throttle(redis_url, prefix=prefix, clock=clock) as opened:
            yield opened
