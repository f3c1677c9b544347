"""Several workers sharing one listening socket: started, watched, replaced and stopped.

The supervisor serves nothing itself. A worker that dies is logged at error and
replaced; one that cannot start stops the service, whose exit code is then
STARTUP_FAILED. On SIGTERM or SIGINT the supervisor closes its own copy of the
listening socket at once, so that the kernel stops accepting as soon as the last
worker has emptied the accept queue (uvicorn's supervisor kept its copy open until
it exited, and the connections the kernel accepted meanwhile were reset: 20 per
restart under 20 clients), passes the signal on and waits for the workers.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from types import FrameType

from ._server import STARTUP_FAILED, AppFactory, ServerConfig, listen, run_worker

STOP_MARGIN_SECONDS = 5.0
"""How long past their drain and shutdown timeout workers get before they are killed."""

_logger = logging.getLogger("moviecore.server")
# spawn, as uvicorn does: a fresh interpreter per worker, sharing nothing by accident.
_context = multiprocessing.get_context("spawn")


@dataclass(slots=True)
class _Worker:
    process: BaseProcess
    ready: Connection | None  # until the worker says it serves


def serve(
    factory: AppFactory, config: ServerConfig, on_worker_exit: Callable[[int], None] | None = None
) -> int:
    """Serve the app ``factory`` builds as ``config`` says until a signal stops it; the exit
    code. ListenError if the address cannot be listened on.

    One worker runs in this process; more run under a supervisor, which calls
    ``on_worker_exit`` with the process id of each worker that has exited.
    """
    sock = listen(config)
    if config.workers == 1:
        with sock:
            return run_worker(factory, sock, config)
    return supervise(factory, sock, config, on_worker_exit)


def supervise(
    factory: AppFactory,
    sock: socket.socket,
    config: ServerConfig,
    on_exit: Callable[[int], None] | None = None,
) -> int:
    """Run ``config.workers`` workers on ``sock`` until a signal stops them; the exit code.

    ``on_exit`` is called with the process id of each worker that has exited.
    """
    supervisor = _Supervisor(factory, sock, config, on_exit or (lambda pid: None))
    return supervisor.run()


class _Supervisor:
    def __init__(
        self,
        factory: AppFactory,
        sock: socket.socket,
        config: ServerConfig,
        on_exit: Callable[[int], None],
    ) -> None:
        self._factory = factory
        self._sock = sock
        self._config = config
        self._on_exit = on_exit
        self._workers = [self._start() for _ in range(config.workers)]
        self._stopping = False
        self._code = 0

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        stop_wait = self._config.drain_seconds + self._config.shutdown_timeout
        while self._workers:
            timeout = stop_wait + STOP_MARGIN_SECONDS if self._stopping else None
            ready = wait(self._waited(), timeout)
            if not ready:  # stopping, and past every deadline
                self._kill_all()
            for found in ready:
                self._handle(found)
        return self._code

    def _waited(self) -> list[Connection | int]:
        objects: list[Connection | int] = []
        for worker in self._workers:
            objects.append(worker.process.sentinel)
            if worker.ready is not None:
                objects.append(worker.ready)
        return objects

    def _handle(self, found: object) -> None:
        for index, worker in enumerate(self._workers):
            if found is worker.ready:
                self._mark_ready(worker)
            elif found == worker.process.sentinel:
                self._exited(index, worker)
                return

    def _mark_ready(self, worker: _Worker) -> None:
        assert worker.ready is not None
        try:
            worker.ready.recv_bytes()
        except EOFError:  # it exited first: its sentinel tells
            return
        worker.ready.close()
        worker.ready = None

    def _exited(self, index: int, worker: _Worker) -> None:
        process = worker.process
        process.join()
        assert process.pid is not None
        self._on_exit(process.pid)
        if self._stopping:
            self._workers.pop(index)
        elif worker.ready is not None:  # it never served: its log line says why
            self._workers.pop(index)
            self._code = STARTUP_FAILED
            self._stop(signal.SIGINT, None)
        else:
            _logger.error(
                "worker %d died (exit code %s); starting another", process.pid, process.exitcode
            )
            self._workers[index] = self._start()

    def _start(self) -> _Worker:
        reader, writer = _context.Pipe(duplex=False)
        process = _context.Process(
            target=_worker_main,
            args=(self._factory, self._sock, self._config, writer),
            name="moviecore-worker",
        )
        process.start()
        writer.close()
        return _Worker(process, reader)

    def _stop(self, signum: int, _: FrameType | None) -> None:
        if self._stopping:
            return
        self._stopping = True
        self._sock.close()
        for worker in self._workers:
            if worker.process.pid is not None:
                with suppress(ProcessLookupError):
                    os.kill(worker.process.pid, signum)

    def _kill_all(self) -> None:
        for worker in self._workers:
            _logger.error("worker %s did not stop in time; killing it", worker.process.pid)
            worker.process.kill()


def _worker_main(
    factory: AppFactory, sock: socket.socket, config: ServerConfig, ready: Connection
) -> None:
    sys.exit(run_worker(factory, sock, config, ready))
