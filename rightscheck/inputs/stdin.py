"""Standard input as one document (``rightscheck scan -``), for editors and CMS hooks that hold the text in
memory and should not have to write it to a file first."""

from __future__ import annotations

from typing import BinaryIO

from rightscheck.inputs.base import Record, Skipped, kind_for, sniff_kind

STDIN_PATH = "-"


def stdin_record(stream: BinaryIO, limit: int, name: str | None = None, kind: str | None = None) -> Record | Skipped:
    """The whole of ``stream`` (at most ``limit`` bytes) as a document shown as ``name`` (default ``-``). Its
    kind is ``kind`` if given, else that of ``name``'s extension, else HTML when it opens like a page."""
    shown = name or STDIN_PATH
    data = stream.read(limit + 1)
    if len(data) > limit:
        return Skipped(shown, f"larger than max_file_size ({limit} bytes)")
    return Record(shown, kind or (name and kind_for(name)) or sniff_kind(data), data)
