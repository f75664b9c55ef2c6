"""Writing a file whole or not at all, so an interrupted run never leaves half a report or cache entry."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path`` and rename it over ``path``; raises OSError, and
    leaves no temporary file behind when it does. The file gets the mode a plain ``open()`` would give it:
    that of the file it replaces, else 0666 less the umask (tempfile's 0600 would hide a report from the
    CI step or web server that publishes it). A device or pipe (``-o /dev/null``, ``-o /dev/stdout``) is
    written to, never replaced: a rename would put a regular file in its place."""
    try:
        existing = os.stat(path)
    except FileNotFoundError:
        existing = None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
        return
    temporary = path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with open(fd, "w", encoding="utf-8") as out:
            out.write(text)
        if existing is not None:
            os.chmod(temporary, stat.S_IMODE(existing.st_mode))
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
