"""The request count in a small memory-mapped file, so that it outlives the process.

Counting stores eight bytes into a shared mapping of the file: a write to memory,
no system call. The mapped page belongs to the kernel's page cache, not to the
process, so every count written is kept when the process is killed (SIGKILL, the
OOM killer) and reaches the disk with the kernel's usual write-back. Only a power
cut can lose what is not on disk yet; the SQLite row covers that (see ``_counter``).

Layout, 16 bytes: the magic ``b"mvcount1"``, then the count as an unsigned 64-bit
little-endian integer. A file of another size or with other first bytes is
unreadable. One process at a time counts in a file: it holds an exclusive lock on
it, which the kernel releases when the process ends, however it ends.
"""

from __future__ import annotations

import fcntl
import logging
import mmap
import os
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from moviecore import StorageUnavailable

_MAGIC = b"mvcount1"
_COUNT = struct.Struct("<Q")
_SIZE = len(_MAGIC) + _COUNT.size

logger = logging.getLogger(__name__)


class CountFile:
    """A count kept in a mapped file; ``found`` is what it held when opened, if readable."""

    def __init__(self, mapping: mmap.mmap, found: int | None) -> None:
        self._mapping = mapping
        self.found = found

    def write(self, value: int) -> None:
        """Store ``value``: a write to memory, kept by the kernel if the process dies."""
        _COUNT.pack_into(self._mapping, len(_MAGIC), value)

    def sync(self) -> None:
        """Wait until what was written is on disk (a system call: not for every request)."""
        try:
            self._mapping.flush()
        except OSError as exc:
            raise StorageUnavailable(f"cannot write the request count file: {exc}") from exc


def count_file_path(database_path: Path) -> Path:
    """Where the count file of the database at ``database_path`` lives: next to it."""
    return database_path.with_name(f"{database_path.name}-count")


@contextmanager
def open_count_file(path: Path) -> Iterator[CountFile]:
    """Map the count file at ``path``, creating it if missing; unmap and unlock on exit.

    A missing or unreadable file is (re)created holding 0 and opens with ``found``
    None; the caller decides what it should hold. Raise StorageUnavailable if the
    file cannot be used or another process holds it.
    """
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StorageUnavailable(f"cannot open the request count file {path}: {exc}") from exc
    try:
        mapping, found = _lock_and_map(descriptor, path)
        try:
            yield CountFile(mapping, found)
        finally:
            mapping.close()
    finally:
        os.close(descriptor)  # which also releases the lock


def refuse_if_in_use(database_path: Path) -> None:
    """Raise StorageUnavailable, saying what to do, if another process (another
    ``moviecore serve``) counts the requests of the database at ``database_path``.

    Only looks: the count file is neither created nor written, so that the counter
    opening it next still finds it as it was.
    """
    path = count_file_path(database_path)
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:  # missing, or unusable: the counter says which when it opens it
        return
    try:
        _lock(descriptor, path)
    finally:
        os.close(descriptor)


def _lock(descriptor: int, path: Path) -> None:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        raise StorageUnavailable(
            f"another moviecore serve uses DATA_DIR {path.parent} (it holds {path.name}):"
            " stop it first, or set another DATA_DIR"
        ) from exc


def _lock_and_map(descriptor: int, path: Path) -> tuple[mmap.mmap, int | None]:
    """Lock the open count file, read it, write it anew if it holds no count, and map it."""
    _lock(descriptor, path)
    try:
        found = _count_in(os.pread(descriptor, _SIZE + 1, 0), path)
        if found is None:
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, _MAGIC + _COUNT.pack(0), 0)
        return mmap.mmap(descriptor, _SIZE), found
    except OSError as exc:
        raise StorageUnavailable(f"cannot use the request count file {path}: {exc}") from exc


def _count_in(data: bytes, path: Path) -> int | None:
    if len(data) == _SIZE and data.startswith(_MAGIC):
        (value,) = _COUNT.unpack_from(data, len(_MAGIC))
        return int(value)
    if data:  # an empty file is one being created when a crash came: simply missing
        logger.warning("the request count file %s is unreadable; it is written anew", path)
    return None
