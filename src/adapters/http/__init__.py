"""The HTTP API of moviecore, built with Litestar and msgspec, and the server that runs it.

    app = create_http_app(open_backend, limits=limits, max_body_bytes=1024 * 1024)
    serve_http(lambda: app, config)

``open_backend`` opens a ``Backend`` (the ports and named health checks) when
the app starts; ``fixed_backend(Backend(ports))`` serves ports already open.
``serve`` runs it on the project's own HTTP/1.1 server (``_protocol``, ``_server``,
``_supervisor``), which bounds every part of a request and drains on SIGTERM.
"""

from ._app import create_http_app
from ._backend import Backend, HealthCheck, OpenBackend, fixed_backend
from ._counting import RequestCounting
from ._problems import PROBLEM_JSON
from ._protocol import ConnectionLimits
from ._server import ListenError, ServerConfig, StartRefused
from ._supervisor import serve as serve_http

__all__ = [
    "PROBLEM_JSON",
    "Backend",
    "ConnectionLimits",
    "HealthCheck",
    "ListenError",
    "OpenBackend",
    "RequestCounting",
    "ServerConfig",
    "StartRefused",
    "create_http_app",
    "fixed_backend",
    "serve_http",
]
