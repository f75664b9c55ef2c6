"""A big file's bytes read in pieces, let go one by one as they are decoded.

Read whole, a 50 MB file's bytes were held beside the text decoded from them (95 MB once one character is
not Latin-1), a third of the scan's peak. Decoded piece by piece, the text grows in place and each piece's
bytes go once decoded: CPython resizes a str that only the variable it is added to refers to, where it
specializes the addition (in a warm loop, without a tracer; else each piece copies the text, which costs
time and memory, not results)."""

from __future__ import annotations

import codecs
import os
from typing import Callable, Iterator

from rightscheck.core.heap import map_big_blocks

PIECE = 1 << 20  # bytes read and decoded at a time
PIECES_FROM = 1 << 23  # files this big are read in pieces; a smaller one in one read


class Pieces:
    """The bytes of a file, in order; :meth:`utf8` decodes them and lets them go, :meth:`joined` gives them
    whole (to a decoder that needs them so)."""

    def __init__(self, pieces: list[bytes]) -> None:
        self._pieces = pieces
        self._size = sum(map(len, pieces))

    def __len__(self) -> int:
        return self._size

    def head(self, size: int) -> bytes:
        """The first ``size`` bytes (where a byte-order mark or a UTF-16 file's NULs show)."""
        parts, got = [], 0
        for piece in self._pieces:
            if got >= size:
                break
            parts.append(piece)
            got += len(piece)
        return b"".join(parts)[:size]

    def joined(self) -> bytes:
        """All the bytes, as one (the pieces are let go)."""
        data, self._pieces = b"".join(self._pieces), []
        return data

    def utf8(self, keep: Callable[[bytes], bytes]) -> tuple[str, bytes] | None:
        """The text, if the bytes are UTF-8, and what ``keep`` keeps of each piece, joined; the pieces are let
        go. None if they are not UTF-8: the bytes are then kept, whole again."""
        text, kept = "", []
        try:
            for part in self.decoded(keep, kept):  # a for loop: CPython 3.11 warms a while loop's code up too late
                text += part  # in place (see the module docstring)
        except UnicodeDecodeError:
            self.put_back(text.encode())  # strictly decoded: encoded back as it was
            return None
        return text, b"".join(kept)

    def decoded(self, keep: Callable[[bytes], bytes], kept: list[bytes]) -> Iterator[str]:
        """The text, a piece at a time, each piece let go once decoded and what ``keep`` keeps of it added to
        ``kept``. UnicodeDecodeError if the bytes are not UTF-8: the bytes not decoded are then kept, and
        the caller puts back those of the text it was given (:meth:`put_back`)."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        for piece in self._taken():
            pending = decoder.getstate()[0]  # the end of the piece before: the start of a character
            try:
                part = decoder.decode(piece, final=not self._pieces)
            except UnicodeDecodeError:
                self._pieces[:0] = [pending, piece]
                raise
            kept.append(keep(piece))
            yield part

    def put_back(self, data: bytes) -> None:
        """``data`` (the bytes of the text :meth:`decoded` gave) back in front of the pieces."""
        self._pieces.insert(0, data)

    def _taken(self) -> Iterator[bytes]:
        """The pieces, each let go of as it is taken."""
        while self._pieces:
            yield self._pieces.pop(0)


def read_pieces(fd: int, limit: int) -> Pieces:
    """At most ``limit`` bytes from ``fd``, to its end, in pieces of :data:`PIECE` bytes; from then on, the
    process gives big blocks of memory back as they are freed (rightscheck.core.heap)."""
    map_big_blocks()
    pieces, got = [], 0
    while got < limit and (piece := os.read(fd, min(limit - got, PIECE))):
        pieces.append(piece)
        got += len(piece)
    return Pieces(pieces)
