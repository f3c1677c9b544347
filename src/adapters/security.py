"""The secret the service signs tokens with when none is configured: generated into a file.

Hashing and tokens themselves are the core's, ``moviecore.security``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def stored_secret(path: Path) -> str:
    """The secret kept in ``path``, generated (readable by the owner only) on first use.

    Raises OSError if the file can be neither created nor read, ValueError if it is empty.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: of two processes starting at once, one writes and the other reads
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(48))
    secret = path.read_text(encoding="ascii").strip()
    if not secret:
        raise ValueError(f"{path} is empty; delete it to generate a new secret")
    return secret
