"""The circuit breaker: calls stop reaching a failing upstream and resume once it is back."""

from __future__ import annotations

from dataclasses import replace

import pytest

from adapters.upstream import BreakerState, CircuitBreaker
from fixtures.upstream import FakeUpstreams, UpstreamOptions
from moviecore import CatalogUnavailable
from moviecore.testing import ManualClock


@pytest.mark.anyio
async def test_the_breaker_stops_calls_and_recovers(fake_upstream: FakeUpstreams) -> None:
    """After 3 failures no call reaches the upstream; after the cool-down, one does again."""
    upstream = await fake_upstream.own(UpstreamOptions(failure_rate=1.0, failures=("error",)))
    clock = ManualClock()
    breaker = CircuitBreaker(failure_threshold=3, cool_down=30.0, clock=clock)

    async with upstream.catalog(breaker=breaker) as catalog:
        with pytest.raises(CatalogUnavailable):
            await catalog.page(1)
        with pytest.raises(CatalogUnavailable) as refused:
            await catalog.page(2)
        hits_while_failing = await upstream.hits()

        await upstream.stop()
        await upstream.start(replace(upstream.options, failure_rate=0.0))
        clock.advance(29.0)
        with pytest.raises(CatalogUnavailable):
            await catalog.page(1)
        hits_before_cool_down = await upstream.hits()
        clock.advance(1.0)
        page = await catalog.page(1)

    assert (hits_while_failing, refused.value.retry_after) == (3, 30)
    assert (hits_before_cool_down, await upstream.hits(), len(page.movies)) == (0, 1, 10)
    assert breaker.state is BreakerState.CLOSED


def _opened(clock: ManualClock) -> CircuitBreaker:
    breaker = CircuitBreaker(failure_threshold=2, cool_down=10.0, clock=clock)
    breaker.record_failure()
    breaker.record_failure()
    return breaker


def test_a_success_resets_the_failure_count() -> None:
    """Failures must come in a row to open the breaker."""
    breaker = CircuitBreaker(failure_threshold=2, cool_down=10.0, clock=ManualClock())

    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()

    assert (breaker.state, breaker.allow()) == (BreakerState.CLOSED, True)


def test_half_open_lets_one_probe_through() -> None:
    """Once the cool-down has passed, exactly one probe call may go out."""
    clock = ManualClock()
    breaker = _opened(clock)
    clock.advance(10.0)

    assert (breaker.state, breaker.allow(), breaker.allow()) == (
        BreakerState.HALF_OPEN,
        True,
        False,
    )


def test_a_failed_probe_opens_the_breaker_again() -> None:
    """A probe that fails starts a new cool-down."""
    clock = ManualClock()
    breaker = _opened(clock)
    clock.advance(10.0)
    breaker.allow()

    breaker.record_failure()

    assert (breaker.state, breaker.allow(), breaker.retry_after) == (BreakerState.OPEN, False, 10)


def test_a_lost_probe_is_replaced_after_a_cool_down() -> None:
    """A probe that never reports back does not keep the breaker shut for ever."""
    clock = ManualClock()
    breaker = _opened(clock)
    clock.advance(10.0)
    breaker.allow()

    clock.advance(10.0)

    assert breaker.allow() is True
