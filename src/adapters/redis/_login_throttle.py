"""Login throttling in Redis, so that every worker and instance shares one tally.

The core's LoginRule in Lua: each window is one Redis hash, of a client address
and username or of a client address alone, holding when its first attempt came
(``started``, in milliseconds of the workers' ``clock``, the system's wall clock
unless a test passes its own) and how many attempts it has seen since. An attempt
at or after ``started + window`` starts a new window. A hash expires a window after
it starts, so Redis forgets keys nobody tries again.
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from redis.asyncio import Redis

from moviecore import TooManyAttempts
from moviecore.ports import LoginRule

from ._client import connect
from ._errors import redis_unavailable

DEFAULT_PREFIX = "moviecore:login-attempts:"

# KEYS: the user's window, the address's window. ARGV: now and the window in
# milliseconds, the most attempts of each key. Counts the attempt in both and answers 0,
# or answers the milliseconds until both are free (never more than a window, even when
# this worker's clock is behind the one that started it) and counts nothing. One
# script, so attempts from every worker at once each use up a try. Only an attempt that
# starts a window sets started and the expiry; ``started`` is stored as sent, since a
# Lua number this large could lose digits.
_ATTEMPT = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local fresh, wait = {}, 0
for i, key in ipairs(KEYS) do
    local entry = redis.call('HMGET', key, 'started', 'attempts')
    local started, attempts = tonumber(entry[1]), tonumber(entry[2])
    fresh[i] = started == nil or now >= started + window
    if not fresh[i] and attempts >= tonumber(ARGV[2 + i]) then
        wait = math.max(wait, math.min(window, math.max(1, started + window - now)))
    end
end
if wait > 0 then
    return wait
end
for i, key in ipairs(KEYS) do
    if fresh[i] then
        redis.call('HSET', key, 'started', ARGV[1], 'attempts', 1)
        redis.call('PEXPIRE', key, window)
    else
        redis.call('HINCRBY', key, 'attempts', 1)
    end
end
return 0
"""

# KEYS: the user's window, the address's window. Forgets the first, and gives the
# address back the attempt that succeeded, if its window still counts one.
_SUCCEEDED = """
redis.call('DEL', KEYS[1])
if tonumber(redis.call('HGET', KEYS[2], 'attempts') or '0') > 0 then
    redis.call('HINCRBY', KEYS[2], 'attempts', -1)
end
"""


class RedisLoginThrottle:
    """The LoginThrottle port, keeping the windows of ``rule`` in Redis."""

    def __init__(
        self,
        client: Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        rule: LoginRule | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        rule = rule or LoginRule()
        self._prefix = prefix
        self._limits = [math.ceil(rule.window * 1000), rule.per_user, rule.per_address]
        self._clock = clock
        self._attempt_script = client.register_script(_ATTEMPT)
        self._succeeded_script = client.register_script(_SUCCEEDED)

    async def attempt(self, address: str, username: str) -> None:
        """Count one attempt of ``username`` from ``address``, or raise TooManyAttempts."""
        with redis_unavailable("cannot count login attempts"):
            arguments = [math.floor(self._clock() * 1000), *self._limits]
            keys = self._keys(address, username)
            wait_ms = int(await self._attempt_script(keys=keys, args=arguments))
        if wait_ms:
            raise TooManyAttempts(retry_after=max(1, math.ceil(wait_ms / 1000)))

    async def succeeded(self, address: str, username: str) -> None:
        """Forget the attempts of ``username`` from ``address``; give the address one back."""
        with redis_unavailable("cannot clear login attempts"):
            await self._succeeded_script(keys=self._keys(address, username))

    def _keys(self, address: str, username: str) -> list[str]:
        # A line break ends the address: no address (an HTTP header value) holds one.
        return [f"{self._prefix}user:{address}\n{username}", f"{self._prefix}address:{address}"]


@asynccontextmanager
async def open_throttle(
    url: str,
    *,
    prefix: str = DEFAULT_PREFIX,
    rule: LoginRule | None = None,
    wait: float = 1.0,
    clock: Callable[[], float] = time.time,
) -> AsyncIterator[RedisLoginThrottle]:
    """A login throttle on the Redis at ``url``; its connections close on exit."""
    client = connect(url, wait=wait)
    try:
        yield RedisLoginThrottle(client, prefix=prefix, rule=rule, clock=clock)
    finally:
        await client.aclose()
