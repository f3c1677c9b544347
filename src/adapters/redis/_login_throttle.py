"""Login throttling in Redis, so that every worker and instance shares one tally.

Each key's window is one Redis hash: when its first attempt came (``started``, in
milliseconds of the workers' ``clock``, the system's wall clock unless a test
passes its own) and how many attempts it has seen since. An attempt at or after
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

DEFAULT_PREFIX = "moviecore:login-attempts:"

# KEYS[1]: the key's window. ARGV: now and the window in milliseconds, the most attempts.
# Counts the attempt and answers 0, or answers the milliseconds to wait (never more than a
# window, even when this worker's clock is behind the one that started it) and counts
# nothing. One script, so attempts from every worker at once each use up a try. Only an
# attempt that starts a window sets started and the expiry; ``started`` is stored as
# sent, since a Lua number this large could lose digits.
_ATTEMPT = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local entry = redis.call('HMGET', KEYS[1], 'started', 'attempts')
local started, attempts = tonumber(entry[1]), tonumber(entry[2])
if started == nil or now >= started + window then
    redis.call('HSET', KEYS[1], 'started', ARGV[1], 'attempts', 1)
    redis.call('PEXPIRE', KEYS[1], window)
    return 0
end
if attempts >= tonumber(ARGV[3]) then
    return math.min(window, math.max(1, started + window - now))
end
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
return 0
"""


class RedisLoginThrottle:
    """The LoginThrottle port: at most ``max_failures`` attempts without a success per
    ``window`` seconds."""

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
        self._attempt_script = client.register_script(_ATTEMPT)

    async def attempt(self, key: str) -> None:
        """Count one attempt for ``key``, or raise TooManyAttempts if it has used its tries."""
        with redis_unavailable("cannot count login attempts"):
            arguments = [self._now_ms(), self._window_ms, self._max_failures]
            wait_ms = int(await self._attempt_script(keys=[self._prefix + key], args=arguments))
        if wait_ms:
            raise TooManyAttempts(retry_after=max(1, math.ceil(wait_ms / 1000)))

    async def succeeded(self, key: str) -> None:
        """Forget the attempts of ``key``."""
        with redis_unavailable("cannot clear login attempts"):
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
