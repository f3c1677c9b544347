"""The catalog sync: copy a whole catalog into a ``MovieStore`` of your own, resumably.

For a service that keeps its own copy of a catalog it cannot search (an upstream
API): ``sync_catalog`` reads it page by page, reports ``SyncProgress`` and returns
a ``SyncResult``. It works on stores of its own, the ports ``Catalog``, ``MovieStore``
and ``SyncCursor`` of ``moviecore.ports``, rather than on a ``MovieCore``'s.
"""

from ._public import publish
from ._sync import SyncProgress, SyncResult, sync_catalog

__all__ = ["SyncProgress", "SyncResult", "sync_catalog"]

publish(__all__, globals(), __name__)
