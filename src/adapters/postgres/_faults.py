"""PostgreSQL errors sorted into the faults of ``adapters.faults``, and told as such.

libpq reports a connection it could not make with a message and no SQLSTATE, so
those are told apart by their words; errors on a working connection by their class.
"""

from __future__ import annotations

import logging
import re

import psycopg
from psycopg import errors

from adapters.faults import Fault, Rejected, one_line
from moviecore import StorageUnavailable

SERVER = "the database"
"""How clients and the command line hear of PostgreSQL."""

logger = logging.getLogger("moviecore.postgres")

# A statement this connection prepared is gone, or another one stands under its name:
# what a transaction pooler does to server-side prepared statements, lending one
# server connection to many clients in turn.
PROTOCOL_ERRORS = (
    errors.ProtocolViolation,
    errors.InvalidSqlStatementName,
    errors.DuplicatePreparedStatement,
)

_AUTHENTICATION = re.compile(
    r"authentication failed|no password supplied|no pg_hba\.conf entry|role \S+ does not exist"
)
_CERTIFICATE = re.compile(r"certificate|SSL error|does not support SSL|SSL was required")


def fault_of(exc: psycopg.Error) -> Fault:
    """Which fault ``exc`` shows: only an unreachable server may pass by waiting."""
    if isinstance(exc, PROTOCOL_ERRORS):
        return Fault.PROTOCOL
    message = str(exc)
    if (exc.sqlstate or "").startswith("28") or _AUTHENTICATION.search(message):
        return Fault.AUTHENTICATION
    if _CERTIFICATE.search(message):
        return Fault.CERTIFICATE
    return Fault.UNREACHABLE


def log_fault(exc: psycopg.Error) -> None:
    """One log line naming the fault, then the driver's own words.

    The fault is part of the message as written, not an argument, so that the logs'
    filter of repeated warnings tells one fault from another.
    """
    logger.warning(f"PostgreSQL {fault_of(exc).value}: %s", one_line(exc))


def unavailable(exc: psycopg.Error) -> StorageUnavailable:
    """``exc`` as the StorageUnavailable naming its fault, which is logged too. An outage
    fails every request: the service's logs hold back the repeats (``adapters.logs``)."""
    log_fault(exc)
    return StorageUnavailable(fault_of(exc).sentence(SERVER))


def describe(exc: psycopg.Error) -> str:
    """``exc`` on one line for an operator, its fault named."""
    return fault_of(exc).describe(SERVER, exc)


def reject_lasting(exc: psycopg.Error) -> None:
    """Raise Rejected if ``exc`` shows a fault that retrying cannot mend."""
    fault = fault_of(exc)
    if fault.lasting:
        raise Rejected(SERVER, fault, exc) from exc
