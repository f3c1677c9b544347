"""The HTTP API of moviecore, built with Litestar and msgspec.

    app = create_http_app(open_backend, limits=limits, max_body_bytes=1024 * 1024)

``open_backend`` opens a ``Backend`` (the ports and named health checks) when
the app starts; ``fixed_backend(Backend(ports))`` serves ports already open.
``GuardedHttpToolsProtocol`` is the connection protocol to serve it with under
uvicorn: it bounds request heads and slow clients.
"""

from ._app import create_http_app
from ._backend import Backend, HealthCheck, OpenBackend, fixed_backend
from ._connections import GuardedHttpToolsProtocol
from ._counting import RequestCounting
from ._problems import PROBLEM_JSON

__all__ = [
    "PROBLEM_JSON",
    "Backend",
    "GuardedHttpToolsProtocol",
    "HealthCheck",
    "OpenBackend",
    "RequestCounting",
    "create_http_app",
    "fixed_backend",
]
