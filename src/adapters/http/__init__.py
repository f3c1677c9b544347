"""The HTTP API of moviecore, built with Litestar and msgspec.

    app = create_http_app(open_backend, limits=limits, max_body_bytes=1024 * 1024)

``open_backend`` opens a ``Backend`` (the ports and named health checks) when
the app starts; ``fixed_backend(Backend(ports))`` serves ports already open.
"""

from ._app import DEFAULT_MAX_BODY_BYTES, create_http_app
from ._backend import Backend, HealthCheck, OpenBackend, fixed_backend
from ._counting import RequestCounting
from ._problems import PROBLEM_JSON

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "PROBLEM_JSON",
    "Backend",
    "HealthCheck",
    "OpenBackend",
    "RequestCounting",
    "create_http_app",
    "fixed_backend",
]
