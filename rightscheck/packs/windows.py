"""Where in a big text a pattern can match: windows around its required literals, so the text is not
searched whole.

Every match of a pattern contains a string of each group of its required literals (rightscheck.text.literals),
and an attempt to match at offset ``s`` inspects no character at or beyond ``s + R``, ``R`` its reach
(:func:`rightscheck.text.literals.reach`, each unbounded repeat of one item counted as ``run`` characters,
which holds wherever the text has no ``run`` copies of that item in a row: checked around each window).
So a match holding a literal found at ``c`` starts in ``[c - R, c]``, and the search for it gives the same
answer with the text cut at ``c + R + SLACK`` (the slack covers ``$``, ``\\b`` and other assertions that look
at the characters around an offset; the `regex` module sees the text before a search's start, for
look-behinds, ``^`` and ``\\b``, as a whole-text search does). No match starts outside those ranges: a
search over the windows, in order, each from where the last match ended, finds the matches a whole-text
``finditer`` finds, with the same offsets. Where that cannot be shown (no literals or no bounded reach,
a text whose fold moved offsets, repeats longer than the largest run bound), there are no windows: the
region is searched whole."""

from __future__ import annotations

import functools
import heapq
from typing import NamedTuple

import regex

from rightscheck.documents.document import Document
from rightscheck.text.literals import FOLD_GROWTH, Reach

SLACK = 2  # characters past the reach that assertions at its last offset look at
RUN_BOUNDS = (256, 8192)  # tried in turn as the longest run an unbounded repeat may cross
# characters a whole-text search covers in the time one more window costs: a literal more common than one
# per this many characters leaves no windows (its offsets are not kept: rightscheck.text.folded)
OVERHEAD = 4096


class Window(NamedTuple):
    start: int  # a match may start at start..last
    last: int
    end: int  # where the text is cut for the search


def windows(doc: Document, literals: tuple[tuple[bytes, ...], ...], reach: Reach,
            start: int, end: int) -> list[Window] | None:
    """The windows of ``doc.text[start:end]`` that a pattern with these ``literals`` and this ``reach`` can
    match in (the module docstring says why), merged where they overlap; None where the region must be
    searched whole, which is also the answer when searching the windows would cost about as much."""
    if doc.folded is None or not doc.folded.aligned or doc.breaks_literals:
        return None
    groups = [hits for group in literals if None not in (hits := [doc.folded.offsets(string) for string in group])]
    if not groups:
        return None
    positions = list(heapq.merge(*min(groups, key=lambda hits: sum(map(len, hits)))))
    for run in RUN_BOUNDS:
        found = _merged(positions, reach.bound(run), start, end)
        if sum(w.end - w.start + OVERHEAD for w in found) >= end - start:
            return None
        if not reach.runs or not any(_runs(reach.items, run).search(doc.text, max(0, w.start - FOLD_GROWTH * run),
                                                                  w.end + FOLD_GROWTH * run) for w in found):
            return found
    return None


def _merged(hits: list[int], bound: int, start: int, end: int) -> list[Window]:
    """One window per literal found in ``start..end``, merged where their searches overlap."""
    merged: list[Window] = []
    for hit in hits:
        if not start <= hit < end:
            continue
        window = Window(max(start, hit - bound), hit, min(end, hit + bound + SLACK))
        if merged and window.start <= merged[-1].end:
            window = Window(merged[-1].start, hit, window.end)
            merged[-1] = window
        else:
            merged.append(window)
    return merged


@functools.lru_cache(maxsize=256)
def _runs(items: tuple[str, ...], run: int) -> regex.Pattern:
    """A search for ``run`` copies in a row of one of ``items``, with every flag that widens what an item
    matches (case-insensitive with full case folding; "." matching line breaks)."""
    flags = regex.V0 | regex.IGNORECASE | regex.FULLCASE | regex.DOTALL
    return regex.compile("|".join(f"(?:{item}){{{run}}}" for item in items), flags)
