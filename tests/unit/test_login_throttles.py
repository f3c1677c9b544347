"""The in-process login throttles: the service's keeps the contract; both stay bounded."""

from collections.abc import Callable

import pytest

from adapters.login_throttle import LocalLoginThrottle
from moviecore import TooManyAttempts
from moviecore.ports import LoginThrottle
from moviecore.testing import ManualClock, MemoryLoginThrottle
from moviecore.testing.contracts import LoginThrottleContract


class TestLocalLoginThrottle(LoginThrottleContract):
    """LocalLoginThrottle, the embedded default's, keeps the login throttle contract."""

    @pytest.fixture
    def throttle(self, clock: ManualClock) -> LocalLoginThrottle:
        """A throttle of this process on the contract's clock."""
        return LocalLoginThrottle(clock=clock)


def _local(clock: ManualClock) -> LoginThrottle:
    return LocalLoginThrottle(clock=clock, size=6)


def _memory(clock: ManualClock) -> LoginThrottle:
    return MemoryLoginThrottle(clock=clock, max_keys=6)


@pytest.mark.anyio
@pytest.mark.parametrize("make", [_local, _memory])
async def test_a_full_table_forgets_the_address_that_tried_first(
    make: Callable[[ManualClock], LoginThrottle],
) -> None:
    """Past six windows, the address that tried first is forgotten, the later ones kept."""
    throttle = make(ManualClock(1000.0))
    tries = [("192.0.2.1", "alice"), ("192.0.2.2", "bob"), ("192.0.2.3", "carol")]
    for address, username in tries:
        for _ in range(5):
            await throttle.attempt(address, username)
    await throttle.attempt("192.0.2.4", "dave")  # two windows more: alice's two go
    locked = []
    for address, username in reversed(tries):  # alice last: her new windows push others out
        try:
            await throttle.attempt(address, username)
        except TooManyAttempts:
            locked.append(username)
    assert locked == ["carol", "bob"]
