"""A big page's source, held compressed once its visible text is read.

After the reading, only findings need a page's source: their lines and columns, their snippets, the
suppression directives in it. Held as a str beside the visible text, a 54 MB page's source was 103 MB
(two bytes a character, for its euro signs); compressed in blocks it is a tenth of that, and a slice
decompresses only the blocks it falls in."""

from __future__ import annotations

import zlib
from typing import Iterator

BLOCK = 1 << 20  # characters compressed apart
PACKED_FROM = 1 << 22  # a source this long is packed once read; a shorter one is kept as it is


class PackedText:
    """A text compressed :data:`BLOCK` characters at a time; read by slices, :meth:`find` and :meth:`rfind`
    (``in``) as a str is, or a block at a time (:func:`chunks`)."""

    def __init__(self, text: str) -> None:
        self._length = len(text)
        self._blocks = [zlib.compress(text[at:at + BLOCK].encode("utf-8", "surrogatepass"), 1)
                        for at in range(0, len(text), BLOCK)]
        self._last: tuple[int, str] = (-1, "")  # the block last decompressed: slices near each other share it

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, span: slice) -> str:
        start, end, _ = span.indices(self._length)
        if start >= end:
            return ""
        first, last = start // BLOCK, (end - 1) // BLOCK
        return "".join(self._block(i)[max(start - i * BLOCK, 0):end - i * BLOCK] for i in range(first, last + 1))

    def __contains__(self, sub: str) -> bool:
        return self.find(sub) >= 0

    def find(self, sub: str, start: int = 0, end: int | None = None) -> int:
        """The lowest offset of ``sub`` in [start, end), or -1."""
        start, end, _ = slice(start, end).indices(self._length)
        for at in range(start - start % BLOCK, end, BLOCK):
            low = max(at, start)
            found = self[low:min(at + BLOCK + len(sub) - 1, end)].find(sub)
            if found >= 0:
                return low + found
        return -1

    def rfind(self, sub: str, start: int = 0, end: int | None = None) -> int:
        """The highest offset of ``sub`` in [start, end), or -1."""
        start, end, _ = slice(start, end).indices(self._length)
        for at in range((end - 1) - (end - 1) % BLOCK, start - BLOCK, -BLOCK):
            low = max(at, start)
            found = self[low:min(at + BLOCK + len(sub) - 1, end)].rfind(sub)
            if found >= 0:
                return low + found
        return -1

    def _block(self, index: int) -> str:
        if self._last[0] != index:
            self._last = index, zlib.decompress(self._blocks[index]).decode("utf-8", "surrogatepass")
        return self._last[1]


def pack(text: str) -> str | PackedText:
    """``text`` packed if it is long (:data:`PACKED_FROM`), else as it is."""
    return PackedText(text) if len(text) >= PACKED_FROM else text


def chunks(text: str | PackedText) -> Iterator[tuple[int, str]]:
    """(offset, chunk) covering ``text`` in order, a block at a time, none ending between a CR and its LF
    (line breaks are counted chunk by chunk). A str is one chunk."""
    if isinstance(text, str):
        yield 0, text
        return
    at = 0
    while at < len(text):
        chunk = text[at:at + BLOCK]
        if chunk.endswith("\r") and text[at + len(chunk):at + len(chunk) + 1] == "\n":
            chunk += "\n"
        yield at, chunk
        at += len(chunk)
