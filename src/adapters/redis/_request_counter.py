"""The request counter shared through Redis, with no Redis round trip on the request path.

Counting
    ``add()`` only bumps a number in this worker's memory. A background task sends
    what is pending every ``flush_interval`` seconds (50 ms by default; keep it at or
    under 100 ms), one script call per interval and none while idle, so other workers
    see a count within about 100 ms. Every send answers the new total, which the
    worker keeps: ``read()`` adds this worker's pending counts to a total at most
    ``flush_interval`` old, so a worker sees its own counts at once and the others'
    within 100 ms, and a busy counter reads Redis once an interval, not once a read.
    An older total is refreshed by sending the pending counts and reading the total
    in one round trip (a worker's Redis calls run one at a time, in order, so a read
    cannot overtake counts already on their way).
    While Redis is unreachable counts stay pending in memory and go out with the
    first flush that succeeds; ``read()`` and ``reset()`` raise Unavailable meanwhile,
    from the first failed send on (a total is reused only while the last send
    succeeded). Closing sends what is pending.

Resets and the counts other workers still hold
    A reset must not let counts made before it, still pending in another worker,
    arrive later and inflate the new count; nor may it drop counts made after it.
    So pending counts carry their age. A worker keeps them in buckets by the
    millisecond of its monotonic ``clock`` in which they were made, and a flush sends
    (count, age) pairs, each age measured from the end of its millisecond. The reset
    script stamps Redis's own clock (``TIME``) on the counter; the flush script dates
    each bucket as Redis's "now" minus its age and adds only buckets dated at or after
    the last reset. Only Redis's clock and each worker's own durations are compared,
    so the workers' clocks need not agree.

    The window: dating errs by the flush's one-way network latency plus at most a
    millisecond, always making a bucket look newer, so a count made less than that
    before a reset, well under the 100 ms the contract allows, may still be kept.
    The resetting worker drops all of its own pending counts outright, which include
    the reset request's. After a long outage the buckets are merged into one dated at
    the newest count (at most ``_MAX_BUCKETS`` are kept): nothing is lost, but a reset
    made during the outage then keeps that worker's counts from before it too.

Layout: one hash at ``key`` with fields ``count`` and ``reset_at`` (microseconds).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from redis.asyncio import Redis

from moviecore import Unavailable

from ._client import connect
from ._errors import redis_unavailable

DEFAULT_KEY = "moviecore:requests"

# Ten seconds of buckets; beyond it, an outage.
_MAX_BUCKETS = 10_000

# KEYS[1]: the counter. ARGV: count, age in microseconds, count, age, ...
_FLUSH = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local reset_at = tonumber(redis.call('HGET', KEYS[1], 'reset_at') or '0')
local kept = 0
for i = 1, #ARGV, 2 do
    if now - tonumber(ARGV[i + 1]) >= reset_at then
        kept = kept + tonumber(ARGV[i])
    end
end
return redis.call('HINCRBY', KEYS[1], 'count', kept)
"""

# Built as a string from TIME's parts: a number this large could lose digits on
# older Redis versions when a script hands it to a command.
_RESET = """
local t = redis.call('TIME')
redis.call('HSET', KEYS[1], 'count', 0, 'reset_at', t[1] .. string.format('%06d', t[2]))
return 0
"""

logger = logging.getLogger(__name__)


def _age(tick: int, now: int) -> int:
    """Microseconds since the end of millisecond ``tick``: never more than the true age."""
    return max(0, now - (tick + 1) * 1000)


class RedisRequestCounter:
    """The RequestCounter port: counts batched in memory, totals kept in Redis.

    Use it through ``open_counter``, which also runs the background flush.
    """

    def __init__(
        self,
        client: Redis,
        *,
        key: str = DEFAULT_KEY,
        fresh_for: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._key = key
        self._fresh_for = fresh_for
        self._clock = clock
        self._total = 0  # Redis's count after this worker's last send, its own counts included
        self._total_at = -math.inf  # when (monotonic) that send set out
        self._pending: dict[int, int] = {}  # monotonic millisecond -> count
        self._pending_count = 0  # their sum, kept as they change: read() wants it each time
        self._in_flight = 0  # counts of the send under way, until Redis confirms them
        # One Redis call at a time, in order: a read never overtakes counts on their way.
        self._turn = asyncio.Lock()
        self._sending: set[asyncio.Task[int]] = set()
        self._flush_script = client.register_script(_FLUSH)
        self._reset_script = client.register_script(_RESET)

    @property
    def pending(self) -> int:
        """Counts made by this worker that Redis has not confirmed yet."""
        return self._pending_count + self._in_flight

    async def add(self, n: int = 1) -> None:
        """Count ``n`` more requests, in memory only."""
        tick = self._now() // 1000
        self._pending[tick] = self._pending.get(tick, 0) + n
        self._pending_count += n

    async def read(self) -> int:
        """The count since the last reset: this worker's at once, the others' within 100 ms."""
        if self._clock() - self._total_at < self._fresh_for:
            return self._total + self.pending
        return await self._send_pending()

    async def reset(self) -> None:
        """Start again from zero, dropping this worker's pending counts."""
        async with self._turn:
            dropped = self._take()
            try:
                with redis_unavailable("cannot reset the request count"):
                    await self._reset_script(keys=[self._key])
            except Unavailable:
                self._keep(dropped)
                raise
            self._total, self._total_at = 0, self._clock()

    async def flush(self) -> None:
        """Send this worker's pending counts to Redis now, after any send under way."""
        await self._send_pending()

    async def aclose(self) -> None:
        """Let sends in flight finish, then send what is still pending, or log its loss."""
        await asyncio.gather(*self._sending, return_exceptions=True)
        try:
            if self.pending:
                await self.flush()
        except Unavailable:
            logger.error("%d request counts are lost: Redis cannot be reached", self.pending)

    async def _send_pending(self) -> int:
        # Shielded, so a cancelled caller cannot interrupt a send half-way: its counts
        # end up either in Redis or back in pending, never lost nor sent twice.
        task = asyncio.create_task(self._send_in_turn())
        self._sending.add(task)
        task.add_done_callback(self._forget)
        return await asyncio.shield(task)

    async def _send_in_turn(self) -> int:
        async with self._turn:
            taken = self._take()
            self._in_flight = sum(taken.values())
            try:
                return await self._send(taken)
            finally:
                self._in_flight = 0

    def _now(self) -> int:
        """This worker's monotonic clock, in microseconds."""
        return int(self._clock() * 1_000_000)

    def _take(self) -> dict[int, int]:
        taken, self._pending, self._pending_count = self._pending, {}, 0
        return taken

    async def _send(self, taken: dict[int, int]) -> int:
        started = self._clock()
        now = self._now()
        ages = [value for tick, n in taken.items() for value in (n, _age(tick, now))]
        try:
            with redis_unavailable("cannot update the request count"):
                total = int(await self._flush_script(keys=[self._key], args=ages))
        except Unavailable:
            self._keep(taken)
            raise
        self._total, self._total_at = total, started
        return total

    def _keep(self, taken: dict[int, int]) -> None:
        """Put counts that did not reach Redis back, ahead of those made since.

        The total is not reused from now on: Redis is out of reach, so reads ask it, and fail.
        """
        self._total_at = -math.inf
        for tick, n in self._pending.items():
            taken[tick] = taken.get(tick, 0) + n
        if len(taken) > _MAX_BUCKETS:
            taken = {max(taken): sum(taken.values())}
        self._pending, self._pending_count = taken, sum(taken.values())

    def _forget(self, task: asyncio.Task[int]) -> None:
        self._sending.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: a send whose caller was cancelled fails quietly


async def _flush_every(counter: RedisRequestCounter, interval: float) -> None:
    """Send the counter's pending counts every ``interval`` seconds, forever."""
    failing = False
    while True:
        await asyncio.sleep(interval)
        if not counter.pending:
            continue
        try:
            await counter.flush()
        except Unavailable as exc:
            if not failing:
                logger.warning("request counts are kept in memory until Redis is back: %s", exc)
            failing = True
        else:
            failing = False


@asynccontextmanager
async def open_counter(
    url: str,
    *,
    key: str = DEFAULT_KEY,
    flush_interval: float = 0.05,
    fresh_for: float = 0.05,
    wait: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
) -> AsyncIterator[RedisRequestCounter]:
    """A counter on the Redis at ``url``, flushing in the background until closed.

    Reads use a total at most ``fresh_for`` seconds old; keep both intervals at or
    under 50 ms so another worker's counts show within the contract's 100 ms.
    ``wait`` bounds each Redis call in seconds; ``clock`` dates counts and totals (the
    background flush keeps real time). On exit pending counts are sent.
    """
    client = connect(url, wait=wait)
    counter = RedisRequestCounter(client, key=key, fresh_for=fresh_for, clock=clock)
    flusher = asyncio.create_task(_flush_every(counter, flush_interval))
    try:
        yield counter
    finally:
        flusher.cancel()
        await asyncio.wait([flusher])
        await counter.aclose()
        await client.aclose()
