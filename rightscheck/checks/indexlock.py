"""One index writer at a time, and no debris from builders that were killed.

Writers take an exclusive ``flock`` on the index's folder: not on a lock file, which would be left behind,
nor on the index, which a rebuild replaces by rename. The kernel drops the lock when its process dies, so a
killed builder never leaves it held, and a second scan waits for the first, then finds the index fresh
and reuses it instead of building it again (and instead of failing with "database is locked").
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import Iterator

try:
    import fcntl
except ImportError:  # Windows: no flock; writers race as SQLite allows
    fcntl = None

_TEMPORARY = re.compile(r"\.tmp-(\d{1,12})(?:-journal|-wal|-shm|-bloom)?")


def temporary_path(path: Path, suffix: str = "") -> Path:
    """Where this process builds a new index (``suffix`` "-bloom": a copy of its Bloom filter, see
    :mod:`rightscheck.checks.bloomfile`) before renaming it over ``path`` (or the filter's file)."""
    return path.with_name(f"{path.name}.tmp-{os.getpid()}{suffix}")


@contextlib.contextmanager
def writing(path: Path) -> Iterator[None]:
    """Hold the writer lock of the index at ``path`` (creating its folder), then clear temporary files of
    dead builders. Where the lock cannot be had (no ``fcntl``, a file system without ``flock``) go on
    without it, and leave other builders' files alone."""
    folder = None
    if fcntl is not None:
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            folder = os.open(path.parent, os.O_RDONLY)
            fcntl.flock(folder, fcntl.LOCK_EX)
            _clear_dead_builds(path)
    try:
        yield
    finally:
        if folder is not None:
            os.close(folder)  # releases the lock


def _clear_dead_builds(path: Path) -> None:
    """Remove ``<index>.tmp-PID`` files, their journals and filter copies whose PID is gone (a build killed
    by SIGKILL or SIGTERM); only called under the lock, so no live builder of ours is writing them."""
    for name in os.listdir(path.parent):
        found = _TEMPORARY.fullmatch(name, len(path.name)) if name.startswith(path.name) else None
        if found and not _alive(int(found[1])):
            with contextlib.suppress(OSError):
                (path.parent / name).unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:  # someone else's process
        return True
    return True
