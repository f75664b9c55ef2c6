"""The block elements of a page as the HTML reader records them (rightscheck.documents.htmltext), for telling
its article from its chrome (rightscheck.documents.article).

A page's blocks are :class:`Block` objects. A big page's are held in columns, an array a field
(:class:`Blocks`), and read and written through views that are Blocks too: as objects, a 54 MB page's
170,000 blocks and the ints they held were 40 MB, and the memory they left once let go, scattered among the
small objects that outlived them, stayed with the process for the rest of the scan (a quarter of its peak)."""

from __future__ import annotations

import array
from typing import Any, Iterator, Sequence


class Block:
    """A block element as read: its extent in the visible text [start, end) (its own line breaks
    included, so an empty element still holds its images), its characters of text and of link text,
    a hint from its class/id (``NONE``, ``CONTENT``, ``CHROME``, ``CAPTION``, ``ARTICLE_BODY``), the
    paragraph text scored to it (readability's measure), its parent's index (-1 at the top), how many
    images and links (``<a href>``) it holds, and whether it holds a ``rel="license"`` link (which, by
    HTML's definition, states the page's own licence) and no link to another work. ``before`` is the
    prose (text not in links) of the page before the block: prose between two blocks costs nothing to
    count."""

    __slots__ = ("tag", "hint", "start", "end", "chars", "links", "score", "parent", "own_licence", "images",
                 "hrefs", "before")

    def __init__(self, tag: str, hint: int, start: int, parent: int, before: int) -> None:
        self.tag, self.hint, self.start, self.end, self.parent, self.before = tag, hint, start, start, parent, before
        self.chars, self.links, self.score, self.images, self.hrefs = 0, 0, 0.0, 0, 0
        # holds a rel="license" link and no other absolute link: the page stating its own licence (None once
        # another site is linked: "From <a>Woodland Trails</a>, <a rel=license>CC BY-NC</a>" credits a work)
        self.own_licence: bool | None = False

    def close(self, end: int, chars: int, links: int, images: int, hrefs: int) -> None:
        """The block ends at ``end``, holding these counts."""
        self.end, self.chars, self.links, self.images, self.hrefs = end, chars, links, images, hrefs


_LICENCES = (False, True, None)  # own_licence as its column holds it: the index of its value
GROWTH = 4096  # blocks the columns grow by at a time


class Blocks:
    """Blocks held in columns, an array a field (``offsets``: the array type of offsets and counts). An open
    block is the :class:`Block` appended, changed in place while the page is read, and written to the
    columns once :meth:`closed` (a block does not change once closed: only its open ancestors take its
    score and licence). A closed one is read as a new Block: a copy, which changing does not change."""

    def __init__(self, offsets: str) -> None:
        self._columns = tuple(array.array("d" if name == "score" else "b" if name in ("hint", "own_licence")
                                          else offsets) for name in Block.__slots__)
        self._length = 0  # the columns grow :data:`GROWTH` blocks at a time
        self._tags: list[str] = []  # the tag column holds indices into this list
        self._tag_codes: dict[str, int] = {}
        self._open: dict[int, Block] = {}

    def append(self, block: Block) -> None:
        """Add an open block (it is held as it is until :meth:`closed`)."""
        if self._length == len(self._columns[0]):
            for column in self._columns:
                column.frombytes(bytes(column.itemsize * GROWTH))
        self._open[self._length] = block
        self._length += 1

    def closed(self, index: int) -> None:
        """Block ``index`` is closed: its fields are written to the columns."""
        block = self._open.pop(index)
        if block.tag not in self._tag_codes:
            self._tag_codes[block.tag] = len(self._tags)
            self._tags.append(block.tag)
        (tag, hint, start, end, chars, links, score, parent, own_licence, images, hrefs, before) = self._columns
        tag[index], hint[index] = self._tag_codes[block.tag], block.hint
        start[index], end[index] = block.start, block.end
        chars[index], links[index], score[index], parent[index] = block.chars, block.links, block.score, block.parent
        own_licence[index], images[index] = _LICENCES.index(block.own_licence), block.images
        hrefs[index], before[index] = block.hrefs, block.before

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: int) -> Block:
        index = index + self._length if index < 0 else index
        if index in self._open:
            return self._open[index]
        if not 0 <= index < self._length:
            raise IndexError(index)
        return self._block([column[index] for column in self._columns])

    def __iter__(self) -> Iterator[Block]:
        for index, values in zip(range(self._length), zip(*self._columns)):
            yield self._open[index] if index in self._open else self._block(values)

    def _block(self, values: Sequence[Any]) -> Block:
        """A closed block from its columns' ``values`` (in the order of ``Block.__slots__``)."""
        block = Block.__new__(Block)
        (block.tag, block.hint, block.start, block.end, block.chars, block.links, block.score, block.parent,
         block.own_licence, block.images, block.hrefs, block.before) = values
        block.tag, block.own_licence = self._tags[block.tag], _LICENCES[block.own_licence]
        return block
