"""Login throttling in Redis, so that every worker and instance shares one tally.

Each key's window is one Redis hash: when its first failure came (``started``, in
milliseconds of the workers' ``clock``, the system's wall clock unless a test
passes its own) and how many failures it has seen since. A failure at or after
``started + window`` starts a new window: a fixed window, as the core's
LoginThrottle describes. The hash expires a window after it starts, so Redis
forgets keys nobody tries again.
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from redis.asyncio import Redis

from moviecore import TooManyAttempts

from ._client import connect
from ._errors import redis_unavailable

DEFAULT_PREFIX = "moviecore:login-failures:"

# KEYS[1]: the key's window. ARGV[1]: now, ARGV[2]: the window, both in milliseconds.
# Only a failure that starts a window sets started and the expiry: later ones don't
# extend it. ``started`` is stored as sent: a Lua number this large could lose digits.
_FAIL = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local started = tonumber(redis.call('HGET', KEYS[1], 'started'))
if started == nil or now >= started + window then
    redis.call('HSET', KEYS[1], 'started', ARGV[1], 'failures', 1)
    redis.call('PEXPIRE', KEYS[1], window)
    return 1
end
return redis.call('HINCRBY', KEYS[1], 'failures', 1)
"""

# KEYS[1]: the key's window. ARGV: the most failures allowed, now and the window in
# milliseconds. Answers the milliseconds to wait, or 0; never more than a window, even
# when this worker's clock is behind the one that started it.
_CHECK = """
local entry = redis.call('HMGET', KEYS[1], 'started', 'failures')
local started, failures = tonumber(entry[1]), tonumber(entry[2])
if started == nil or failures < tonumber(ARGV[1]) then
    return 0
end
local window_ms = tonumber(ARGV[3])
return math.min(window_ms, math.max(0, started + window_ms - tonumber(ARGV[2])))
"""


class RedisLoginThrottle:
    """The LoginThrottle port: at most ``max_failures`` failures per ``window`` seconds."""

    def __init__(
        self,
        client: Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        max_failures: int = 5,
        window: float = 60,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._prefix = prefix
        self._max_failures = max_failures
        self._window_ms = math.ceil(window * 1000)
        self._clock = clock
        self._client = client
        self._fail_script = client.register_script(_FAIL)
        self._check_script = client.register_script(_CHECK)

    async def check(self, key: str) -> None:
        """Raise TooManyAttempts if ``key`` must wait before trying again."""
        with redis_unavailable("cannot check login attempts"):
            arguments = [self._max_failures, self._now_ms(), self._window_ms]
            wait_ms = int(await self._check_script(keys=[self._prefix + key], args=arguments))
        if wait_ms:
            raise TooManyAttempts(retry_after=max(1, math.ceil(wait_ms / 1000)))

    async def failed(self, key: str) -> None:
        """Record one failed attempt for ``key``."""
        with redis_unavailable("cannot record a failed login"):
            arguments = [self._now_ms(), self._window_ms]
            await self._fail_script(keys=[self._prefix + key], args=arguments)

    async def succeeded(self, key: str) -> None:
        """Forget the failures of ``key``."""
        with redis_unavailable("cannot clear failed logins"):
            await self._client.delete(self._prefix + key)

    def _now_ms(self) -> int:
        return math.floor(self._clock() * 1000)


@asynccontextmanager
async def open_throttle(
    url: str,
    *,
    prefix: str = DEFAULT_PREFIX,
    max_failures: int = 5,
    window: float = 60,
    wait: float = 1.0,
    clock: Callable[[], float] = time.time,
) -> AsyncIterator[RedisLoginThrottle]:
    """A login throttle on the Redis at ``url``; its connections close on exit."""
    client = connect(url, wait=wait)
    try:
        yield RedisLoginThrottle(
            client, prefix=prefix, max_failures=max_failures, window=window, clock=clock
        )
    finally:
        await client.aclose()
