"""The user's cache folder, where rightscheck keeps what it can rebuild: parsed packs and source indexes.

Kept out of the scanned tree on purpose: a file written beside the articles would be picked up by
``git add .``, and a pre-commit hook that writes into the repository fails its own commit."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable

from rightscheck.core.atomic import write_atomically


def cache_dir() -> Path | None:
    """``$RIGHTSCHECK_CACHE_DIR``, else ``$XDG_CACHE_HOME/rightscheck`` (``~/.cache/rightscheck``); None
    when ``$RIGHTSCHECK_NO_CACHE`` is set (nothing is written: packs are parsed and indexes built in memory)."""
    if os.environ.get("RIGHTSCHECK_NO_CACHE"):
        return None
    if os.environ.get("RIGHTSCHECK_CACHE_DIR"):
        return Path(os.environ["RIGHTSCHECK_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "rightscheck"


def remembered(name: str, version: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, kept as JSON in the cache under ``name`` for this ``version`` of what it depends on:
    for tables derived from Python's and `regex`'s Unicode data, the same on every run but a tenth of a
    one-file scan to work out. Without a usable cache it is simply computed."""
    folder = cache_dir()
    digest = hashlib.sha256(f"{name}\0{version}".encode()).hexdigest()[:24]
    path = folder / "tables" / f"{name}-{digest}.json" if folder else None
    if path is not None:
        try:
            return json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            pass
    value = compute()
    if path is not None:
        with contextlib.suppress(OSError, TypeError, ValueError):
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, json.dumps(value, ensure_ascii=False))
    return value
