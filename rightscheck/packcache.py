"""A disk cache of validated rule packs, so a pre-commit run on two files does not pay for parsing,
schema-checking and compiling every pack each time.

An entry is the pack's parsed data and line map, stored as JSON under a key that hashes the pack file's
bytes together with everything that decides whether it is valid: the cache format, rightscheck's version,
the `regex` version, whether PyYAML uses libyaml, the pack schema and the loading code's source. A hit is thus a pack known to load
cleanly; its patterns compile on first use. The cache lives in the user's cache folder (never the scanned
tree); any problem reading or writing it just means a normal load. RIGHTSCHECK_CACHE_DIR moves it,
RIGHTSCHECK_NO_CACHE=1 turns it off."""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from rightscheck import __version__
from rightscheck.atomic import write_atomically
from rightscheck.usercache import cache_dir
from rightscheck.yamlfile import LineMap

FORMAT = 1


@lru_cache(maxsize=1)
def _salt() -> bytes:
    import regex
    import yaml

    package = resources.files("rightscheck")
    parts = [str(FORMAT), __version__, regex.__version__, str(yaml.__with_libyaml__),
             package.joinpath("schema", "rulepack.schema.json").read_text("utf-8"),
             *(package.joinpath(module).read_text("utf-8") for module in ("packs.py", "yamlfile.py", "patterns.py"))]
    return hashlib.sha256("\0".join(parts).encode()).digest()


def key(text: str) -> str:
    return hashlib.sha256(_salt() + text.encode("utf-8", "surrogatepass")).hexdigest()


def get(text: str) -> tuple[dict[str, Any], LineMap] | None:
    """The cached (data, lines) of a pack file with this text, or None."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        entry = json.loads((folder / "packs" / f"{key(text)}.json").read_text("utf-8"))
        lines = LineMap()
        for path, line in entry["lines"]:
            lines.set(tuple(path), line)
        return entry["data"], lines
    except (OSError, ValueError, KeyError, TypeError):
        return None


def put(text: str, data: dict[str, Any], lines: LineMap) -> None:
    """Remember a pack file that loaded cleanly; silently does nothing where the cache cannot be written."""
    folder = cache_dir()
    if folder is None:
        return
    entry = {"data": data, "lines": [[list(path), line] for path, line in lines.items()]}
    try:
        target = folder / "packs"
        target.mkdir(parents=True, exist_ok=True)
        write_atomically(target / f"{key(text)}.json", json.dumps(entry, ensure_ascii=False))
    except (OSError, TypeError, ValueError):
        pass
