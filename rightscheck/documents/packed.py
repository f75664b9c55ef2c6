"""Big texts held compressed: a page's source once its visible text is read, and that text as it is read.

After the reading, only findings need a page's source: their lines and columns, their snippets, the
suppression directives in it. Held as a str beside the visible text, a 54 MB page's source was 103 MB
(two bytes a character, for its euro signs); compressed in blocks it is a tenth of that, and a slice
decompresses only the blocks it falls in. The visible text, read piece by piece, is held so too until it
is joined (rightscheck.documents.htmltext)."""

from __future__ import annotations

import array
import bisect
import zlib
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from rightscheck.documents.narrow import Narrowed

BLOCK = 1 << 18  # characters compressed apart (half a megabyte decompressed, at two bytes a character)
PACKED_FROM = 1 << 22  # a source this long is packed once read; a shorter one is kept as it is


class PackedText:
    """A text compressed a block at a time (:data:`BLOCK` characters, or as :meth:`append`-ed); read by
    slices, :meth:`find` and :meth:`rfind` (``in``) as a str is, or a block at a time (:func:`chunks`)."""

    def __init__(self, text: str | Narrowed = "") -> None:
        self._blocks: list[bytes] = []
        self._bounds = array.array("q", [0])  # where each block starts, then the end
        self._last: tuple[int, str] = (-1, "")  # the block last decompressed: slices near each other share it
        for at in range(0, len(text), BLOCK):
            self.append(text[at:at + BLOCK])

    def append(self, block: str) -> None:
        """Add ``block`` (not empty) at the end, compressed apart."""
        self._blocks.append(zlib.compress(block.encode("utf-8", "surrogatepass"), 1))
        self._bounds.append(self._bounds[-1] + len(block))

    def __len__(self) -> int:
        return self._bounds[-1]

    def __getitem__(self, span: slice) -> str:
        start, end, _ = span.indices(len(self))
        if start >= end:
            return ""
        bounds = self._bounds
        first, last = bisect.bisect_right(bounds, start) - 1, bisect.bisect_right(bounds, end - 1) - 1
        text = self._block(first)[start - bounds[first]:end - bounds[first]]
        for i in range(first + 1, last + 1):  # a big slice grows in place (see rightscheck.inputs.pieces)
            text += self._block(i)[:end - bounds[i]]
        return text

    def __contains__(self, sub: str) -> bool:
        return self.find(sub) >= 0

    def find(self, sub: str, start: int = 0, end: int | None = None) -> int:
        """The lowest offset of ``sub`` in [start, end), or -1."""
        start, end, _ = slice(start, end).indices(len(self))
        bounds = self._bounds
        for i in range(bisect.bisect_right(bounds, start) - 1, bisect.bisect_left(bounds, end)):
            low, high = max(bounds[i], start), bounds[i + 1]
            found = self._block(i).find(sub, low - bounds[i], min(high, end) - bounds[i])
            if found >= 0:
                return bounds[i] + found
            edge = max(low, high - len(sub) + 1)  # a match running on into the next block
            found = self[edge:min(high + len(sub) - 1, end)].find(sub)
            if found >= 0:
                return edge + found
        return -1

    def rfind(self, sub: str, start: int = 0, end: int | None = None) -> int:
        """The highest offset of ``sub`` in [start, end), or -1."""
        start, end, _ = slice(start, end).indices(len(self))
        bounds = self._bounds
        for i in reversed(range(bisect.bisect_right(bounds, start) - 1, bisect.bisect_left(bounds, end))):
            low, high = max(bounds[i], start), bounds[i + 1]
            edge = max(low, high - len(sub) + 1)  # a match running on into the next block
            found = self[edge:min(high + len(sub) - 1, end)].rfind(sub)
            if found >= 0:
                return edge + found
            found = self._block(i).rfind(sub, low - bounds[i], min(high, end) - bounds[i])
            if found >= 0:
                return bounds[i] + found
        return -1

    def blocks(self) -> Iterator[tuple[int, str]]:
        """(offset, block), in order."""
        for i in range(len(self._blocks)):
            yield self._bounds[i], self._block(i)

    def release(self, end: int) -> None:
        """Let go of the blocks that end by ``end``: a text read once, in order (a page's as it is joined), is
        not held whole beside what is made of it. They can no longer be read."""
        done = bisect.bisect_right(self._bounds, end) - 1
        self._blocks[:done] = [b""] * done
        if self._last[0] < done:
            self._last = (-1, "")

    def _block(self, index: int) -> str:
        if self._last[0] != index:
            self._last = index, zlib.decompress(self._blocks[index]).decode("utf-8", "surrogatepass")
        return self._last[1]


def pack(text: str | Narrowed) -> str | PackedText:
    """``text`` packed if it is long (:data:`PACKED_FROM`), else as a str (a narrowed one's real text: see
    rightscheck.documents.narrow)."""
    return PackedText(text) if len(text) >= PACKED_FROM else text[:]


def chunks(text: str | PackedText) -> Iterator[tuple[int, str]]:
    """(offset, chunk) covering ``text`` in order, a block at a time, none ending between a CR and its LF
    (line breaks are counted chunk by chunk). A str is one chunk."""
    if isinstance(text, str):
        yield 0, text
        return
    carried = ""  # a CR at the end of a block, which goes with the LF that may start the next
    for offset, block in text.blocks():
        start, chunk = offset - len(carried), carried + block
        carried = "\r" if chunk.endswith("\r") and offset + len(block) < len(text) else ""
        yield start, chunk[:len(chunk) - len(carried)]
