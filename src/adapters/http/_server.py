"""Serving the app: one worker in this process, or several worker processes sharing one
listening socket (``_supervisor``); a signal drains them, then stops them, losing no request.

    serve(factory, ServerConfig(host="127.0.0.1", port=8000, workers=2))

A worker stops in this order, on SIGTERM:

1. at once, readiness answers 503 and every answer carries ``Connection: close``,
   while requests are still served, for ``drain_seconds``: time for a load balancer
   to stop sending;
2. it stops accepting, first taking every connection waiting in the accept queue, so
   that no connection the kernel accepted is reset (uvicorn closes the socket with
   them in it); idle connections close;
3. what was accepted is answered within ``shutdown_timeout`` seconds: bodies still
   arriving a second before its end are answered 408, and whatever is left at its end
   is cut (and logged at error);
4. the app's lifespan ends.

SIGINT (Ctrl-C) skips the drain.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import uvloop

from ._protocol import ASGIApp, ConnectionLimits, HttpConnection, Message, Site

AppFactory = Callable[[], ASGIApp]
"""Builds the app in each worker; with several workers, it must pickle (a module-level
function, or a ``functools.partial`` of one)."""

UPLOAD_CUT_SECONDS = 1.0
"""How long before the shutdown deadline bodies still arriving are answered 408."""

STARTUP_FAILED = 3
"""The exit code of a worker whose app could not start (uvicorn's too)."""

_logger = logging.getLogger("moviecore.server")


class ListenError(Exception):
    """The address to serve on cannot be listened on; the message says which and why."""


class StartRefused(Exception):
    """The app refuses to start for a reason its message gives in one line."""


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """Where to listen, how many workers, and the limits and timings of each."""

    host: str
    port: int
    workers: int
    limits: ConnectionLimits
    drain_seconds: float
    shutdown_timeout: float
    backlog: int = 2048
    """Connections the kernel holds for the workers to accept: uvicorn's default."""


def listen(config: ServerConfig) -> socket.socket:
    """A socket listening on the configured address; ListenError names it if it cannot."""
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((config.host, config.port))
        sock.listen(config.backlog)
    except OSError as exc:
        sock.close()
        where = (
            f"[{config.host}]:{config.port}"
            if family == socket.AF_INET6
            else (f"{config.host}:{config.port}")
        )
        raise ListenError(f"cannot listen on {where}: {exc.strerror or exc}") from exc
    sock.set_inheritable(True)
    return sock


def run_worker(
    factory: AppFactory,
    sock: socket.socket,
    config: ServerConfig,
    ready: Connection | None = None,
) -> int:
    """Serve on ``sock`` in this process until a signal stops it; the exit code.

    ``ready`` is told once the app has started, so that a supervisor knows.
    """
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(_serve(factory, sock, config, ready))


async def _serve(
    factory: AppFactory, sock: socket.socket, config: ServerConfig, ready: Connection | None
) -> int:
    loop = asyncio.get_running_loop()
    app = factory()
    lifespan = Lifespan(app)
    if not await lifespan.startup():
        return STARTUP_FAILED
    site = Site(app, config.limits, lifespan.state, loop)
    # A copy for the server: closing it leaves ``sock`` listening, to empty its queue.
    server = await loop.create_server(lambda: HttpConnection(site), sock=sock.dup())
    stop = _stop_signals(loop)
    host, port = sock.getsockname()[:2]
    _logger.info("worker %d serving on http://%s:%d", os.getpid(), host, port)
    if ready is not None:
        ready.send_bytes(b"ready")
    await _stop(server, sock, site, config, drain=await stop)
    await lifespan.shutdown()
    return 0


async def _stop(
    server: asyncio.Server,
    sock: socket.socket,
    site: Site,
    config: ServerConfig,
    *,
    drain: bool,
) -> None:
    site.drain()
    if drain and config.drain_seconds > 0:
        _logger.info("draining for %g s: readiness fails, answers close", config.drain_seconds)
        await asyncio.sleep(config.drain_seconds)
    _logger.info("shutting down: accepting no more connections")
    server.close()
    await asyncio.sleep(0)  # the server's copy of the socket closes
    # No await between the last accept and the close: a connection the kernel accepted
    # in between would be reset (12 of 775 requests under 20 clients, when there was).
    taken = _take_waiting(sock, site)
    sock.close()
    await asyncio.gather(*taken, return_exceptions=True)
    site.stop()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + config.shutdown_timeout
    await site.closed(deadline - UPLOAD_CUT_SECONDS)
    site.cut_uploads()
    await site.closed(deadline)
    if site.connections:
        _logger.error("cutting %d connections at the shutdown deadline", len(site.connections))
        site.close_all()


def _take_waiting(sock: socket.socket, site: Site) -> list[asyncio.Task[Any]]:
    """Accept every connection the kernel holds for ``sock``, to be served before closing."""
    sock.setblocking(False)
    loop = site.loop
    taken: list[asyncio.Task[Any]] = []
    while True:
        try:
            accepted, _ = sock.accept()
        except (BlockingIOError, InterruptedError):
            return taken
        except OSError:  # e.g. out of file descriptors: the rest cannot be served anyway
            _logger.exception("could not accept a waiting connection")
            return taken
        connect = loop.connect_accepted_socket(lambda: HttpConnection(site), accepted)
        taken.append(loop.create_task(connect))


def _stop_signals(loop: asyncio.AbstractEventLoop) -> asyncio.Future[bool]:
    """Settled by the first SIGTERM (True: drain first) or SIGINT (False)."""
    stop: asyncio.Future[bool] = loop.create_future()

    def received(drain: bool) -> None:
        if not stop.done():
            stop.set_result(drain)

    loop.add_signal_handler(signal.SIGTERM, received, True)
    loop.add_signal_handler(signal.SIGINT, received, False)
    return stop


class Lifespan:
    """The app's ASGI lifespan: its resources opened before serving and closed after."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.state: dict[str, Any] = {}
        self._to_app: asyncio.Queue[Message] = asyncio.Queue()
        self._from_app: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._failure: BaseException | None = None

    async def startup(self) -> bool:
        """Start the app; False, its reason logged in one line, if it could not."""
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": self.state}
        self._task = asyncio.create_task(self._run(scope))
        await self._to_app.put({"type": "lifespan.startup"})
        answer = await self._from_app.get()
        if answer["type"] == "lifespan.startup.complete":
            return True
        if self._task is not None:
            await asyncio.wait([self._task])
        failure = self._failure
        if isinstance(failure, StartRefused):
            _logger.error("the service cannot start: %s", failure)
        else:
            _logger.error("the service cannot start", exc_info=failure)
        return False

    async def shutdown(self) -> None:
        """Close what the app opened; failures are logged."""
        await self._to_app.put({"type": "lifespan.shutdown"})
        answer = await self._from_app.get()
        if answer["type"] != "lifespan.shutdown.complete":
            _logger.error("the service did not stop cleanly", exc_info=self._failure)

    async def _run(self, scope: dict[str, Any]) -> None:
        try:
            await self.app(scope, self._to_app.get, self._from_app.put)
        except BaseException as exc:  # the app said so on _from_app first
            self._failure = exc
            await self._from_app.put({"type": "lifespan.failed"})
