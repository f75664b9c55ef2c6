"""A source index's Bloom filter copied to a file beside the index, for scanning processes to memory-map:
free to open, and its pages shared by all of them (a million sources' filter is 256 MB, which each worker
of a scan used to copy out of SQLite). The blob in the index stays the truth: the file is a cache of it,
used only when its header names the blob it copies (see :meth:`SourceIndex._store_bloom`)."""

from __future__ import annotations

import contextlib
import os
import struct
from pathlib import Path

import numpy as np

from rightscheck.checks import indexlock
from rightscheck.core.atomic import atomic_writer

_MAGIC = b"rcbloom1"
_HEADER = struct.Struct("<8sqQ")  # magic, the blob's token, its length in bytes; the filter's bytes follow


def path_of(index: Path) -> Path:
    """The filter's file of the index at ``index``."""
    return index.with_name(f"{index.name}.bloom")


def write(index: Path, token: int, bits: np.ndarray) -> None:
    """Replace the filter's file of ``index`` by ``bits``, the blob stored under ``token``, whole or not at
    all. Where that fails (a full disk, a read-only folder) no file is left that copies another filter. A
    FIFO or device in its place (or a link to one) is replaced, never written into."""
    target = path_of(index)
    try:
        if os.path.exists(target) and not os.path.isfile(target):
            target.unlink()
        temporary = indexlock.temporary_path(index, "-bloom")
        temporary.unlink(missing_ok=True)  # left by a killed writer whose PID was this one's
        with atomic_writer(target, binary=True, temporary=temporary) as out:
            out.write(_HEADER.pack(_MAGIC, token, len(bits)))
            out.write(memoryview(bits))
    except OSError:
        remove(index)


def mapped(index: Path, token: int, size: int) -> np.memmap | None:
    """The filter in the file of ``index``, memory-mapped read-only, if it copies the blob of ``size`` bytes
    stored under ``token``; else None (no file, another filter's, cut short, not one at all). Its header and
    its bits are read from one open file: a writer replaces the file, never writes into it. (Opened without
    blocking: a FIFO in its place would wait for a writer forever.)"""
    try:
        with open(os.open(path_of(index), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)),
                  "rb") as handle:
            if os.fstat(handle.fileno()).st_size != _HEADER.size + size or \
                    _HEADER.unpack(handle.read(_HEADER.size)) != (_MAGIC, token, size):
                return None
            return np.memmap(handle, dtype=np.uint8, mode="r", offset=_HEADER.size, shape=(size,))
    except (OSError, ValueError):
        return None


def remove(index: Path) -> None:
    """Remove the filter's file of ``index``, if any."""
    with contextlib.suppress(OSError):
        path_of(index).unlink(missing_ok=True)
