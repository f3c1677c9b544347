"""Use cases of the request counter: read it and reset it."""

from __future__ import annotations

from ._ports import RequestCounter


async def read_request_count(*, counter: RequestCounter) -> int:
    """How many requests the service has answered since the last reset.

    Raises:
        Unavailable: the counter cannot be reached (StorageUnavailable for a database).
    """
    return await counter.read()


async def reset_request_count(*, counter: RequestCounter) -> None:
    """Start the request count again from zero.

    Raises:
        Unavailable: the counter cannot be reached (StorageUnavailable for a database).
    """
    await counter.reset()
