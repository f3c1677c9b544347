"""Dedicated threads that run blocking calls for the event loop, in the order submitted.

Every database call crosses from the event loop to one of these threads and back, so
the crossing is kept to the least work: one queue put on the way there, one
``call_soon_threadsafe`` on the way back. (A one-worker ThreadPoolExecutor adds a
``concurrent.futures.Future``, its lock and the chaining of two futures to every call,
which measured about three times the event loop's CPU per call.)
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from contextlib import suppress
from queue import SimpleQueue
from typing import Any, TypeVar

T = TypeVar("T")

_Call = tuple[asyncio.AbstractEventLoop, asyncio.Future[Any], Callable[[], Any]]


class WorkerThreads:
    """``count`` threads taking submitted calls from one queue, first submitted first
    taken; with one thread, calls also run one at a time in that order."""

    def __init__(self, name: str, count: int = 1) -> None:
        self.count = count
        self._calls: SimpleQueue[_Call | None] = SimpleQueue()
        # Daemons, so a store never closed cannot keep the interpreter from exiting.
        self._threads = [
            threading.Thread(target=self._serve, name=f"{name}-{number}", daemon=True)
            for number in range(count)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, work: Callable[[], T]) -> asyncio.Future[T]:
        """Queue ``work``; the future, of the running loop, settles with its outcome."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._calls.put((loop, future, work))
        return future

    def stop(self) -> None:
        """Run the calls already queued, then end the threads and wait for them."""
        for _ in self._threads:
            self._calls.put(None)
        for thread in self._threads:
            thread.join()

    def _serve(self) -> None:
        while (call := self._calls.get()) is not None:
            loop, future, work = call
            # Its caller gave up before its turn: do not start it. Should the caller give up
            # only after this check, the work runs and _set_result drops its outcome.
            if future.cancelled():
                continue
            try:
                result = work()
            except BaseException as exc:
                _settle(loop, _set_exception, future, exc)
            else:
                _settle(loop, _set_result, future, result)


def _settle(
    loop: asyncio.AbstractEventLoop,
    setter: Callable[[asyncio.Future[Any], Any], None],
    future: asyncio.Future[Any],
    outcome: Any,
) -> None:
    # A loop closed meanwhile has nobody left to tell.
    with suppress(RuntimeError):
        loop.call_soon_threadsafe(setter, future, outcome)


def _set_result(future: asyncio.Future[Any], result: Any) -> None:
    if not future.cancelled():
        future.set_result(result)


def _set_exception(future: asyncio.Future[Any], exc: BaseException) -> None:
    if not future.cancelled():
        future.set_exception(exc)
