"""A disk cache of validated rule packs and config files, so a pre-commit run on one file does not pay for
importing PyYAML and jsonschema, parsing, schema-checking and compiling every pack each time.

An entry is a file's parsed data and line map, stored as JSON under a key that hashes the file's text
together with everything that decides whether it is valid: the cache format, rightscheck's version, the
`regex` version, PyYAML's version and whether it uses libyaml, the schemas and the loading code's source.
A hit is thus a file known to load cleanly; a pack's patterns compile on first use. The cache lives in the user's cache folder (never the scanned
tree); any problem reading or writing it just means a normal load. RIGHTSCHECK_CACHE_DIR moves it,
RIGHTSCHECK_NO_CACHE=1 turns it off."""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from rightscheck import __version__
from rightscheck.core.atomic import write_atomically
from rightscheck.core.usercache import cache_dir
from rightscheck.core.yamlfile import LineMap

FORMAT = 1


@lru_cache(maxsize=1)
def _salt() -> bytes:
    """What decides whether a file loads cleanly, besides its text. PyYAML is described by its package
    folder (its version, and whether libyaml's extension is there) without importing it: a cache hit
    must not pay for the import."""
    import regex

    package = Path(__file__).parent.parent
    yaml_folder = (find_spec("yaml").submodule_search_locations or [""])[0]
    parts = [str(FORMAT), __version__, regex.__version__, *sorted(os.listdir(yaml_folder)),
             Path(yaml_folder, "__init__.py").read_text("utf-8"),
             *((package / "core" / "schema" / f"{name}.schema.json").read_text("utf-8") for name in ("rulepack", "config")),
             *((package / module).read_text("utf-8")
               for module in ("packs/pack.py", "core/yamlfile.py", "packs/patterns.py", "core/schemas.py", "config.py"))]
    return hashlib.sha256("\0".join(parts).encode()).digest()


def key(text: str, kind: str = "pack") -> str:
    return hashlib.sha256(_salt() + kind.encode() + b"\0" + text.encode("utf-8", "surrogatepass")).hexdigest()


def get(text: str, kind: str = "pack") -> tuple[dict[str, Any], LineMap] | None:
    """The cached (data, lines) of a ``kind`` file ("pack", "config") with this text, or None."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        entry = json.loads((folder / "packs" / f"{key(text, kind)}.json").read_text("utf-8"))
        lines = LineMap()
        for path, line in entry["lines"]:
            lines.set(tuple(path), line)
        return entry["data"], lines
    except (OSError, ValueError, KeyError, TypeError):
        return None


def put(text: str, data: dict[str, Any], lines: LineMap, kind: str = "pack") -> None:
    """Remember a file that loaded cleanly; silently does nothing where the cache cannot be written."""
    folder = cache_dir()
    if folder is None:
        return
    entry = {"data": data, "lines": [[list(path), line] for path, line in lines.items()]}
    try:
        target = folder / "packs"
        target.mkdir(parents=True, exist_ok=True)
        write_atomically(target / f"{key(text, kind)}.json", json.dumps(entry, ensure_ascii=False))
    except (OSError, TypeError, ValueError):
        pass
