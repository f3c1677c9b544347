"""moviecore.testing: working in-memory adapters of every port, and a kit to test your own.

The adapters here need only the standard library. The rest of the kit lives in
submodules that need the ``testing`` extra (hypothesis, pytest and anyio):

- ``moviecore.testing.contracts``: pytest base classes, one per port, holding the
  tests every adapter of that port must pass;
- ``moviecore.testing.strategies``: hypothesis strategies of valid and invalid input;
- ``moviecore.testing.stateful``: a hypothesis state machine of the collection rules;
- ``moviecore.testing.pytest_plugin``: loaded by pytest itself, so that a failing case
  of the kit shows the values it compared.

``FastPasswordHasher`` and ``FakeTokenIssuer`` are fast fakes: never use them in production;
``moviecore.security`` has the production ones.
``ManualClock`` stands in for ``time.monotonic`` or ``time.time`` wherever an adapter
takes a ``clock``, so that tests move time instead of waiting for it.
"""

from .._public import publish
from ._accounts import (
    FakeTokenIssuer,
    FastPasswordHasher,
    MemoryLoginThrottle,
    MemorySessionStore,
    MemoryUserRepository,
)
from ._catalogs import sample_catalog
from ._clock import ManualClock
from ._reference import reference_favourite_genres, reference_search
from ._storage import (
    MemoryCollectionRepository,
    MemoryMovieStore,
    MemoryRequestCounter,
    MemorySyncCursor,
)
from ._wiring import in_memory_ports

__all__ = [
    "FakeTokenIssuer",
    "FastPasswordHasher",
    "ManualClock",
    "MemoryCollectionRepository",
    "MemoryLoginThrottle",
    "MemoryMovieStore",
    "MemoryRequestCounter",
    "MemorySessionStore",
    "MemorySyncCursor",
    "MemoryUserRepository",
    "in_memory_ports",
    "reference_favourite_genres",
    "reference_search",
    "sample_catalog",
]

publish(__all__, globals(), __name__)
