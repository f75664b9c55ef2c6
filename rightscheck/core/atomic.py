"""Writing a file whole or not at all, so an interrupted run never leaves half a report or cache entry."""

from __future__ import annotations

import os
import secrets
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (see :func:`atomic_writer`)."""
    with atomic_writer(path) as out:
        out.write(text)


@contextmanager
def atomic_writer(path: Path, binary: bool = False, temporary: Path | None = None) -> Iterator[IO]:
    """A text file (``binary``: a file of bytes) to write ``path`` with, in pieces (a report streamed as a
    scan goes): it is a temporary file beside ``path``, renamed over ``path`` when the block ends, and
    removed if it raises (OSError included), so ``path`` is the old file or the whole new one. The file gets
    the mode a plain ``open()`` would give it: that of the file it replaces, else 0666 less the umask
    (tempfile's 0600 would hide a report from the CI step or web server that publishes it). A device or pipe
    (``-o /dev/null``, ``-o /dev/stdout``) is written to, never replaced: a rename would put a regular file
    in its place. ``temporary`` names the temporary file where something clears what a killed writer leaves
    by name (a source index's files, see indexlock); else it is a random hidden name."""
    try:
        existing = os.stat(path)
    except FileNotFoundError:
        existing = None
    mode, encoding = ("wb", None) if binary else ("w", "utf-8")
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        with open(path, mode, encoding=encoding) as out:
            yield out
        return
    temporary = temporary or path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with open(fd, mode, encoding=encoding) as out:
            yield out
        if existing is not None:
            os.chmod(temporary, stat.S_IMODE(existing.st_mode))
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
