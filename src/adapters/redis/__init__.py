"""Redis adapters: the request counter and the login throttle, shared by every worker.

Wiring, in the application's lifespan::

    await check(redis_url)                # once per start: refused credentials raise
    async with open_counter(redis_url) as counter, open_throttle(redis_url) as throttle:
        ...

Modules here are private and named for what they hold, never ``redis``, so that
they cannot be mistaken for the Redis client library they use.
"""

from ._client import check, connect
from ._login_throttle import RedisLoginThrottle, open_throttle
from ._request_counter import RedisRequestCounter, open_counter

__all__ = [
    "RedisLoginThrottle",
    "RedisRequestCounter",
    "check",
    "connect",
    "open_counter",
    "open_throttle",
]
