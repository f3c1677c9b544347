"""The process's logs: every line through one structlog formatter, JSON or readable text.

``log_config`` is a ``logging.config.dictConfig`` dict for uvicorn to apply in each
worker, so the server's own lines (startup, errors) come out like the service's.
During a request, REQUEST_FIELDS holds what each line should name: the request id,
method and path, and the user once the token is checked.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Literal

import structlog
from structlog.typing import EventDict, WrappedLogger

LogFormat = Literal["json", "text"]

REQUEST_FIELDS: ContextVar[dict[str, Any] | None] = ContextVar("request_fields", default=None)
"""The fields of the request being answered: one dict per request, filled as it goes
(a dict rather than values, so that a field set in a child task reaches the access line)."""

ACCESS_FIELDS = ("status", "duration_ms")
"""The ``extra`` fields of the access line; uvicorn's own extras (colour codes) are left out."""

_SECRETS = frozenset({"authorization", "password", "access_token", "token", "jwt_secret"})


def _add_request_fields(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    for name, value in (REQUEST_FIELDS.get() or {}).items():
        event.setdefault(name, value)
    return event


def _hide_secrets(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """A field named like a secret never reaches the log, whoever passed it."""
    for name in _SECRETS.intersection(event):
        event[name] = "[hidden]"
    return event


def log_config(log_format: LogFormat) -> dict[str, Any]:
    """The logging configuration: INFO and up, to stderr, one line per record."""
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    formatter = {
        "()": structlog.stdlib.ProcessorFormatter,
        "foreign_pre_chain": [
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.ExtraAdder(allow=ACCESS_FIELDS),
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _add_request_fields,
            _hide_secrets,
        ],
        "processors": [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    }
    handler = {"class": "logging.StreamHandler", "formatter": "lines", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"lines": formatter},
        "handlers": {"stderr": handler},
        # uvicorn's loggers keep their own handlers unless they are replaced here; its
        # access line is silenced, the service writing its own (ACCESS_LOG).
        "loggers": {
            name: {"handlers": ["stderr"], "level": level, "propagate": False}
            for name, level in (
                ("uvicorn", "INFO"),
                ("uvicorn.error", "INFO"),
                ("uvicorn.access", "WARNING"),
            )
        },
        "root": {"handlers": ["stderr"], "level": "INFO"},
    }
