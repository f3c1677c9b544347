"""The Redis login throttle as several workers share it, and its fixed window."""

from __future__ import annotations

import pytest

from adapters.redis import open_throttle
from moviecore import TooManyAttempts, Unavailable
from moviecore.testing import ManualClock


@pytest.mark.anyio
async def test_workers_share_one_tally(redis_url: str, redis_prefix: str) -> None:
    """Failures spread over two workers lock the key on both; a success on one frees it."""
    clock = ManualClock(1_700_000_000.0)
    async with (
        open_throttle(redis_url, prefix=redis_prefix, clock=clock) as first,
        open_throttle(redis_url, prefix=redis_prefix, clock=clock) as second,
    ):
        for throttle in (first, second, first, second, first):
            await throttle.failed("alice")
        with pytest.raises(TooManyAttempts) as on_first:
            await first.check("alice")
        with pytest.raises(TooManyAttempts) as on_second:
            await second.check("alice")
        await second.succeeded("alice")
        await first.check("alice")
    assert (on_first.value.retry_after, on_second.value.retry_after) == (60, 60)


@pytest.mark.anyio
async def test_window_runs_from_the_first_failure(redis_url: str, redis_prefix: str) -> None:
    """Later failures do not extend the window: the key is free once it ends."""
    clock = ManualClock(1_700_000_000.0)
    async with open_throttle(redis_url, prefix=redis_prefix, clock=clock) as throttle:
        await throttle.failed("bob")
        clock.advance(30)
        for _ in range(4):
            await throttle.failed("bob")
        with pytest.raises(TooManyAttempts) as locked:
            await throttle.check("bob")
        # The window's end counted from the first failure, long before it would end
        # if the last failures had restarted it.
        clock.advance(30)
        await throttle.check("bob")
    assert locked.value.retry_after == 30


@pytest.mark.anyio
async def test_unreachable_redis_is_unavailable() -> None:
    """With nothing listening at the Redis address, every throttle call fails as Unavailable."""
    async with open_throttle("redis://127.0.0.1:1/0") as throttle:
        for call in (throttle.check, throttle.failed, throttle.succeeded):
            with pytest.raises(Unavailable):
                await call("carol")
