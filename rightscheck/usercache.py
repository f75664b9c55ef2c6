"""The user's cache folder, where rightscheck keeps what it can rebuild: parsed packs and source indexes.

Kept out of the scanned tree on purpose: a file written beside the articles would be picked up by
``git add .``, and a pre-commit hook that writes into the repository fails its own commit."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path | None:
    """``$RIGHTSCHECK_CACHE_DIR``, else ``$XDG_CACHE_HOME/rightscheck`` (``~/.cache/rightscheck``); None
    when ``$RIGHTSCHECK_NO_CACHE`` is set (nothing is written: packs are parsed and indexes built in memory)."""
    if os.environ.get("RIGHTSCHECK_NO_CACHE"):
        return None
    if os.environ.get("RIGHTSCHECK_CACHE_DIR"):
        return Path(os.environ["RIGHTSCHECK_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "rightscheck"
