"""The Redis request counter as several workers share it: exact totals, resets, outages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest

from adapters.redis import RedisRequestCounter, open_counter
from moviecore import Unavailable
from moviecore.testing import ManualClock

# Long enough that no background flush runs during a test that sets it: what reaches
# Redis then is exactly what the test sends with read() or flush().
NEVER = 3600.0


@pytest.fixture
def key(redis_prefix: str) -> str:
    """The counter's key, shared by every worker of one test."""
    return f"{redis_prefix}requests"


async def _serve(counter: RedisRequestCounter, requests: int) -> None:
    """Count requests as a worker would, yielding to other tasks between batches."""
    for n in range(requests):
        await counter.add()
        if n % 50 == 0:
            await asyncio.sleep(0.002)


@pytest.mark.anyio
async def test_two_workers_add_up_exactly(redis_url: str, key: str) -> None:
    """Two workers counting at once add up to exactly every request, once both stop."""
    async with (
        open_counter(redis_url, key=key, flush_interval=0.001) as first,
        open_counter(redis_url, key=key, flush_interval=0.001) as second,
    ):
        await asyncio.gather(_serve(first, 700), _serve(second, 500))
    async with open_counter(redis_url, key=key) as reader:
        assert await reader.read() == 1200


@pytest.mark.anyio
async def test_a_worker_reads_its_own_counts_at_once(redis_url: str, key: str) -> None:
    """A worker's read includes its own unsent counts, and another's only once they are sent."""
    async with (
        open_counter(redis_url, key=key, flush_interval=NEVER, fresh_for=0) as first,
        open_counter(redis_url, key=key, flush_interval=NEVER, fresh_for=0) as second,
    ):
        await first.add(2)
        await second.add(3)
        first_sees = await first.read()
        second_sees = await second.read()
        first_sees_later = await first.read()
    assert (first_sees, second_sees, first_sees_later) == (2, 5, 5)


@pytest.mark.anyio
async def test_a_busy_worker_reads_redis_once_an_interval(redis_url: str, key: str) -> None:
    """Reads within fresh_for reuse the last total; the next one after it sees other workers."""
    clock = ManualClock()
    async with (
        open_counter(
            redis_url, key=key, flush_interval=NEVER, fresh_for=0.05, clock=clock
        ) as first,
        open_counter(redis_url, key=key, flush_interval=NEVER, fresh_for=0.05) as second,
    ):
        await first.read()
        await second.add(3)
        await second.flush()
        await first.add(1)
        clock.advance(0.049)
        soon = await first.read()
        clock.advance(0.001)
        later = await first.read()
    assert (soon, later) == (1, 4)


@pytest.mark.anyio
async def test_reset_drops_counts_made_before_it_on_every_worker(redis_url: str, key: str) -> None:
    """After a reset on one worker, counts made earlier anywhere are gone and later ones kept."""
    clock = ManualClock()
    async with (
        open_counter(redis_url, key=key, flush_interval=NEVER, fresh_for=0, clock=clock) as first,
        open_counter(redis_url, key=key, flush_interval=NEVER, fresh_for=0) as second,
    ):
        await first.add(3)
        await first.flush()  # already in Redis
        await first.add(4)  # still waiting in the first worker
        # An hour on the first worker's clock: its pending counts are dated that long
        # before they are sent, far beyond any network delay.
        clock.advance(3600)
        await second.add()  # the reset request itself, counted on arrival
        await second.reset()
        await first.add()  # a request after the reset, on the other worker
        assert (await first.read(), await second.read()) == (1, 1)


@pytest.mark.anyio
async def test_reading_right_after_a_reset_counts_only_the_read(redis_url: str, key: str) -> None:
    """As the HTTP service counts: reset, then a read counted on arrival, answers 1."""
    async with open_counter(redis_url, key=key, flush_interval=0.001) as counter:
        await _serve(counter, 120)
        await counter.add()
        await counter.reset()
        await counter.add()
        assert await counter.read() == 1


class Relay:
    """A TCP relay in front of Redis that a test can cut and restore, like a network outage.

    While cut it still listens, so that its port stays taken (a client reconnecting to a
    free port of the ephemeral range could end up connected to itself), but it hangs
    up on every connection at once.
    """

    def __init__(self, redis_url: str) -> None:
        self._redis_url = urlsplit(redis_url)
        self._target = (self._redis_url.hostname, self._redis_url.port)
        self._server: asyncio.Server | None = None
        self._cut = False
        self._writers: list[asyncio.StreamWriter] = []

    @property
    def url(self) -> str:
        """The Redis URL that goes through the relay."""
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return self._redis_url._replace(netloc=f"127.0.0.1:{port}").geturl()

    async def start(self) -> None:
        """Listen on a free port and relay every connection to Redis."""
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)

    async def stop(self) -> None:
        """Stop listening and hang up on every connection."""
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def cut(self) -> None:
        """Hang up on every open connection, and on every new one until restored."""
        self._cut = True
        for writer in self._writers:
            writer.close()
        self._writers.clear()

    def restore(self) -> None:
        """Relay connections again."""
        self._cut = False

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._cut:
            writer.close()
            return
        self._writers.append(writer)
        upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
        self._writers.append(upstream_writer)
        if writer.is_closing():  # cut while this connection was being made
            upstream_writer.close()
            return
        await asyncio.gather(
            _pipe(reader, upstream_writer), _pipe(upstream_reader, writer), return_exceptions=True
        )


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


@pytest.fixture
async def relay(redis_url: str, redis_prefix: str) -> AsyncIterator[Relay]:
    """A relay to the test Redis, relaying until the test cuts it."""
    opened = Relay(redis_url)
    await opened.start()
    try:
        yield opened
    finally:
        await opened.stop()


@pytest.mark.anyio
async def test_counts_made_while_redis_is_unreachable_are_kept(
    relay: Relay, redis_url: str, key: str
) -> None:
    """Counts made during an outage wait in memory and reach Redis once it is back; reads fail
    from the first failed send on, however fresh the last total."""
    clock = ManualClock()  # never moved: the last total stays within fresh_for
    async with open_counter(relay.url, key=key, flush_interval=0.001, clock=clock) as counter:
        await counter.add(3)
        before = await counter.read()
        relay.cut()
        await counter.add(4)
        with pytest.raises(Unavailable):
            await counter.flush()
        with pytest.raises(Unavailable):
            await counter.read()
        during = counter.pending
        relay.restore()
        after = await counter.read()
    async with open_counter(redis_url, key=key) as elsewhere:
        assert (before, during, after, await elsewhere.read()) == (3, 4, 7, 7)


@pytest.mark.anyio
async def test_closing_sends_what_is_pending(redis_url: str, key: str) -> None:
    """A worker that stops gracefully loses none of its counts."""
    async with open_counter(redis_url, key=key, flush_interval=NEVER) as counter:
        await counter.add(9)
    async with open_counter(redis_url, key=key) as reader:
        assert await reader.read() == 9
