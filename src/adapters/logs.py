"""The process's logs: every line through the same structlog processors, JSON or readable text.

``configure_logs`` sets up every logger of the process, the server's own included,
so that its lines (startup, errors) come out like the service's.
The access line, written once per request, skips the standard library's logging
(see ``configure_logs``). During a request, REQUEST_FIELDS holds what each line
should name: the request id, method and path, and the user once the token is checked.
"""

from __future__ import annotations

import logging
import logging.config
import sys
import time
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

import msgspec
import structlog
from structlog.typing import EventDict, FilteringBoundLogger, Processor, WrappedLogger

from adapters.repeated_warnings import RepeatedWarnings

LogFormat = Literal["json", "text"]

REQUEST_FIELDS: ContextVar[dict[str, Any] | None] = ContextVar("request_fields", default=None)
"""The fields of the request being answered: one dict per request, filled as it goes
(a dict rather than values, so that a field set in a child task reaches the access line)."""

_SECRETS = frozenset({"authorization", "password", "access_token", "token", "jwt_secret"})


def _add_request_fields(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    # One merge in C rather than a setdefault per field: 3,600 fewer instructions a line.
    return {**(REQUEST_FIELDS.get() or {}), **event}


def _hide_secrets(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """A field named like a secret never reaches the log, whoever passed it."""
    for name in _SECRETS.intersection(event):
        event[name] = "[hidden]"
    return event


def _utc_now(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """The time as a datetime, which msgspec writes in ISO 8601 with a Z, as
    ``TimeStamper(fmt="iso")`` does, for 4,700 instructions a line against its 15,500."""
    event["timestamp"] = datetime.now(UTC)
    return event


def _json(event: EventDict, **_: Any) -> str:
    # msgspec rather than json.dumps: a whole access line took a median 10.7 µs against
    # 14.7 µs (20,000 lines, three runs each, same machine).
    return msgspec.json.encode(event).decode()


def _format(log_format: LogFormat) -> list[Processor]:
    """The time stamp and the renderer: what makes a line JSON or readable text."""
    if log_format == "json":
        return [_utc_now, structlog.processors.JSONRenderer(serializer=_json)]
    return [
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.dev.ConsoleRenderer(colors=False),
    ]


# What every line gets, whichever way it is written.
_FIELDS: list[Processor] = [_add_request_fields, _hide_secrets]


def _log_config(log_format: LogFormat, clock: Callable[[], float]) -> dict[str, Any]:
    """The logging configuration: INFO and up, to stderr, one line per record, a warning
    that repeats once per kind every few seconds (``RepeatedWarnings``, timed by ``clock``)."""
    formatter = {
        "()": structlog.stdlib.ProcessorFormatter,
        "foreign_pre_chain": [
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            *_FIELDS,
        ],
        "processors": [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            *_format(log_format),
        ],
    }
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "lines",
        "stream": "ext://sys.stderr",
        "filters": ["repeats"],
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"lines": formatter},
        "filters": {"repeats": {"()": RepeatedWarnings, "clock": clock}},
        "handlers": {"stderr": handler},
        "root": {"handlers": ["stderr"], "level": "INFO"},
    }


def configure_logs(log_format: LogFormat, *, clock: Callable[[], float] = time.monotonic) -> None:
    """Apply ``_log_config``, and set up structlog's own loggers (``access_logger``) alike.

    ``clock`` times the holding back of repeated warnings. The access line goes
    straight to stderr through structlog's processors: the standard library's
    records, built twice per line by the formatter, made a JSON line cost 63 µs
    against 10 µs this way (20,000 lines, same process).
    """
    logging.config.dictConfig(_log_config(log_format, clock))
    structlog.configure(
        processors=[structlog.processors.add_log_level, *_FIELDS, *_format(log_format)],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=structlog.WriteLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )


def access_logger() -> FilteringBoundLogger:
    """The logger of the access line: named like the service's other HTTP lines."""
    logger: FilteringBoundLogger = structlog.get_logger().bind(logger="moviecore.http")
    return logger
