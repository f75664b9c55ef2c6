"""Reading a JSON file the user names (a baseline, an earlier report): every problem is one
RightscheckError naming the file and, for syntax errors, the line and column. And writing a report's
JSON text without the memory ``json.dumps`` takes for it."""

from __future__ import annotations

import io
import json
import sys
from typing import Any, BinaryIO

from rightscheck.core.errors import RightscheckError


MAX_BYTES = 512 * 1024 * 1024  # a baseline of a million findings is about 300 MB; /dev/zero is endless
_CHUNK = 1024 * 1024


def load_json(path: str, what: str, missing: str | None = None) -> Any:
    """The parsed content of ``path`` (``-``: standard input); ``what`` names the file in messages
    ("JSON report"), ``missing`` replaces the not-found message (e.g. to say how to create one)."""
    try:
        if path == "-":
            data = _read_bounded(sys.stdin.buffer, path, what)
        else:
            with open(path, "rb") as stream:
                data = _read_bounded(stream, path, what)
        text = data.decode("utf-8-sig")
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


def _read_bounded(stream: BinaryIO, path: str, what: str) -> bytes:
    """The bytes of ``stream``, up to :data:`MAX_BYTES`; JSON text never holds a NUL byte, so a device or
    binary file is refused at its first chunk instead of read to the limit."""
    chunks, size = [], 0
    while chunk := stream.read(_CHUNK):
        if b"\0" in chunk:
            raise RightscheckError(f"not a {what}: holds NUL bytes", path)
        size += len(chunk)
        if size > MAX_BYTES:
            raise RightscheckError(f"larger than {MAX_BYTES // 2**20} MB: not read as a {what}", path)
        chunks.append(chunk)
    return b"".join(chunks)


def dump_json(data: Any) -> str:
    """``data`` as ``json.dumps(data, indent=2, ensure_ascii=False)`` writes it, in about twice the memory of
    the text: indenting takes json's Python encoder, whose ``dumps`` first lists every piece it writes as a
    string of its own, some fifty a finding (180 MB for 33 MB of text)."""
    out = io.StringIO()
    for piece in json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(data):
        out.write(piece)
    return out.getvalue()
