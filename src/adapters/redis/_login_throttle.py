"""Login throttling in Redis, so that every worker and instance shares one tally.

Each key's failures live in one Redis counter that expires ``window`` seconds after
the key's first failure: a fixed window, as the core's LoginThrottle describes.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

from moviecore import TooManyAttempts

from ._client import connect
from ._errors import redis_unavailable

DEFAULT_PREFIX = "moviecore:login-failures:"

# KEYS[1]: the key's failures. ARGV[1]: the window in milliseconds.
# The expiry is set only with the first failure, so later ones don't extend the window.
_FAIL = """
local failures = redis.call('INCR', KEYS[1])
if failures == 1 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return failures
"""

# KEYS[1]: the key's failures. ARGV[1]: the most allowed. Milliseconds to wait, or 0.
_CHECK = """
local failures = tonumber(redis.call('GET', KEYS[1]) or '0')
if failures < tonumber(ARGV[1]) then
    return 0
end
return redis.call('PTTL', KEYS[1])
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
    ) -> None:
        self._prefix = prefix
        self._max_failures = max_failures
        self._window_ms = math.ceil(window * 1000)
        self._client = client
        self._fail_script = client.register_script(_FAIL)
        self._check_script = client.register_script(_CHECK)

    async def check(self, key: str) -> None:
        """Raise TooManyAttempts if ``key`` must wait before trying again."""
        with redis_unavailable("cannot check login attempts"):
            wait_ms = int(
                await self._check_script(keys=[self._prefix + key], args=[self._max_failures])
            )
        if wait_ms:
            raise TooManyAttempts(retry_after=max(1, math.ceil(wait_ms / 1000)))

    async def failed(self, key: str) -> None:
        """Record one failed attempt for ``key``."""
        with redis_unavailable("cannot record a failed login"):
            await self._fail_script(keys=[self._prefix + key], args=[self._window_ms])

    async def succeeded(self, key: str) -> None:
        """Forget the failures of ``key``."""
        with redis_unavailable("cannot clear failed logins"):
            await self._client.delete(self._prefix + key)


@asynccontextmanager
async def open_throttle(
    url: str,
    *,
    prefix: str = DEFAULT_PREFIX,
    max_failures: int = 5,
    window: float = 60,
    wait: float = 1.0,
) -> AsyncIterator[RedisLoginThrottle]:
    """A login throttle on the Redis at ``url``; its connections close on exit."""
    client = connect(url, wait=wait)
    try:
        yield RedisLoginThrottle(client, prefix=prefix, max_failures=max_failures, window=window)
    finally:
        await client.aclose()
