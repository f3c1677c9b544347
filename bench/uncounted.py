"""The service with its request-counting layer taken off, to measure what counting costs.

Everything else (settings, adapters, Litestar app) is what ``app:create_app``
builds; only the outermost ASGI wrapper that counts each request is unwrapped.
"""

from __future__ import annotations

from litestar import Litestar

from app import create_app


def create_uncounted_app() -> Litestar:
    """The inner Litestar app of the service, as an ASGI server's ``--factory`` target."""
    return create_app().app
