"""Connections to one SQLite file, each used by one thread of its own at a time."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from functools import partial
from pathlib import Path
from queue import SimpleQueue
from typing import TypeVar

from ._thread import WorkerThreads

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000

Work = Callable[[sqlite3.Connection], T]


class Connections:
    """Threads, each using one connection of the same number kept here while idle."""

    def __init__(self, threads: WorkerThreads, connections: list[sqlite3.Connection]) -> None:
        self._threads = threads
        self._idle: SimpleQueue[sqlite3.Connection] = SimpleQueue()
        for connection in connections:
            self._idle.put(connection)

    def run(self, work: Work[T]) -> asyncio.Future[T]:
        """Run ``work`` on the first thread free, with a connection no other thread uses."""
        return self._threads.submit(partial(self._with_idle, work))

    async def close(self) -> None:
        """Close each connection after the work queued before, then end the threads."""
        try:
            # A connection is idle only between two calls: once each is closed, every call
            # queued before has run.
            await asyncio.gather(
                *(self.run(sqlite3.Connection.close) for _ in range(self._threads.count))
            )
        finally:
            self._threads.stop()

    def _with_idle(self, work: Work[T]) -> T:
        # As many connections as threads: one is always idle for the thread taking it.
        connection = self._idle.get()
        try:
            return work(connection)
        finally:
            self._idle.put(connection)


async def open_connections(threads: WorkerThreads, path: Path, *, read_only: bool) -> Connections:
    """A connection to ``path`` for each of ``threads``, each opened on one of them."""
    connections: list[sqlite3.Connection] = []
    try:
        for _ in range(threads.count):
            connections.append(await threads.submit(partial(connect, path, read_only=read_only)))
    except BaseException:
        for connection in connections:
            connection.close()
        threads.stop()
        raise
    return Connections(threads, connections)


def connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    """A connection to ``path``; one that is ``read_only`` cannot write."""
    # isolation_level=None: the module starts no transactions; the database's callers do.
    # check_same_thread=False: a connection moves between its threads, one at a time.
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if read_only:  # the file is in WAL mode already: the writer connects first
            connection.execute("PRAGMA query_only = ON")
        else:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        connection.close()
        raise
    return connection
