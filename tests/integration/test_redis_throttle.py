"""The Redis login throttle as several workers share it."""

from __future__ import annotations

import asyncio

import pytest

from adapters.redis import open_throttle
from moviecore import TooManyAttempts, Unavailable
from moviecore.testing import ManualClock

ADDRESS = "192.0.2.1"


@pytest.mark.anyio
async def test_workers_share_one_tally(redis_url: str, redis_prefix: str) -> None:
    """Attempts spread over two workers lock the key on both; a success on one frees it."""
    clock = ManualClock(1_700_000_000.0)
    async with (
        open_throttle(redis_url, prefix=redis_prefix, clock=clock) as first,
        open_throttle(redis_url, prefix=redis_prefix, clock=clock) as second,
    ):
        for throttle in (first, second, first, second, first):
            await throttle.attempt(ADDRESS, "alice")
        with pytest.raises(TooManyAttempts) as on_first:
            await first.attempt(ADDRESS, "alice")
        with pytest.raises(TooManyAttempts) as on_second:
            await second.attempt(ADDRESS, "alice")
        await second.succeeded(ADDRESS, "alice")
        await first.attempt(ADDRESS, "alice")
    assert (on_first.value.retry_after, on_second.value.retry_after) == (60, 60)


@pytest.mark.anyio
async def test_simultaneous_attempts_on_two_workers_get_five_tries(
    redis_url: str, redis_prefix: str
) -> None:
    """Twenty attempts at once, half through each worker, let exactly five through."""
    async with (
        open_throttle(redis_url, prefix=redis_prefix) as first,
        open_throttle(redis_url, prefix=redis_prefix) as second,
    ):
        results = await asyncio.gather(
            *(worker.attempt(ADDRESS, "dave") for _ in range(10) for worker in (first, second)),
            return_exceptions=True,
        )
    assert (results.count(None), sum(isinstance(r, TooManyAttempts) for r in results)) == (5, 15)


@pytest.mark.anyio
async def test_unreachable_redis_is_unavailable() -> None:
    """With nothing listening at the Redis address, every throttle call fails as Unavailable."""
    async with open_throttle("redis://127.0.0.1:1/0") as throttle:
        for call in (throttle.attempt, throttle.succeeded):
            with pytest.raises(Unavailable):
                await call(ADDRESS, "carol")
