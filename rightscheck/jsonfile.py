"""Reading a JSON file the user names (a baseline, an earlier report): every problem is one
RightscheckError naming the file and, for syntax errors, the line and column."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from rightscheck.errors import RightscheckError


def load_json(path: str, what: str, missing: str | None = None) -> Any:
    """The parsed content of ``path`` (``-``: standard input); ``what`` names the file in messages
    ("JSON report"), ``missing`` replaces the not-found message (e.g. to say how to create one)."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise RightscheckError(missing or f"{what} not found", path) from None
    except IsADirectoryError:
        raise RightscheckError(f"is a folder, not a {what}", path) from None
    except UnicodeDecodeError as exc:
        raise RightscheckError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path) from None
    except OSError as exc:
        raise RightscheckError(f"cannot read the {what}: {exc.strerror or exc}", path) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RightscheckError(f"not valid JSON: {exc.msg} (column {exc.colno})", path, exc.lineno) from None
    except RecursionError:
        raise RightscheckError("not valid JSON: nested too deeply", path) from None
