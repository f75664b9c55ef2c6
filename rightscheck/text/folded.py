"""A text folded for its patterns' required literals (rightscheck.text.literals): whether each occurs, and at
which text offsets (rightscheck.packs.windows searches around them).

A text of one window (:data:`rightscheck.text.keywords.WINDOW` characters) keeps its fold, about a byte a
character, and answers what it is asked. A bigger text keeps no fold: beside the text (two bytes a
character once one of them is not Latin-1) a 50 MB file's fold was a third of the scan's peak. Its keyword
pass records instead, window by window (:class:`Recorder`), what patterns may ask: which of the packs'
literals occur and, up to a cap, where."""

from __future__ import annotations

import array
import bisect
from typing import Iterable, Iterator

import ahocorasick_rs

_CONTINUATION = bytes(range(0x80, 0xC0))  # UTF-8 bytes that do not start a character
_STARTS = bytes(range(0x80)) + bytes(range(0xC0, 0x100))  # the others
_CHUNK = 1 << 20  # bytes counted at a time when mapping folded offsets to characters
_SPARSE = 4  # continuation bytes per position up to which each is found to map positions
_NONE = array.array("q")


class Folded:
    """Required literals in a text folded by :class:`rightscheck.text.keywords.KeywordSearch` (UTF-8, a space
    at each end). ``aligned``: the fold is the fast one, which keeps every character, so its offsets map to
    the text's; ``most``: the offsets of one literal worth keeping (a literal more common than that is
    no use for windows). Answered from ``fold`` when it is kept, else from what a :class:`Recorder` saw; a
    literal it was not given is taken to occur, where no offsets say: a pattern then runs on the whole
    text, never wrongly, only more slowly."""

    def __init__(self, aligned: bool, most: int, fold: bytes | bytearray | None = None, ascii: bool = False,
                 recorded: Iterable[bytes] = ()) -> None:
        self.aligned, self.most = aligned, most
        self._fold, self._ascii = fold, ascii
        self._recorded = frozenset(recorded)
        self.present: set[bytes] = set()  # recorded literals seen
        self.offsets_of: dict[bytes, array.array | None] = {}  # literal -> text offsets, None: over ``most``

    def holds(self, groups: tuple[tuple[bytes, ...], ...]) -> bool:
        """Whether the text holds a string of every group of required literals (meaningless for a text
        holding a literal breaker: see rightscheck.text.keywords)."""
        if self._fold is not None:
            return holds(self._fold, groups)
        return all(any(literal in self.present or literal not in self._recorded for literal in group)
                   for group in groups)

    def offsets(self, literal: bytes) -> array.array | None:
        """Text offsets where ``literal`` occurs (aligned folds only), sorted; None when there are more than
        :attr:`most`, or nothing says."""
        if literal not in self.offsets_of:
            if self._fold is None:
                return _NONE if literal in self._recorded else None
            found = array.array("q")
            at = self._fold.find(literal)
            while at >= 0 and len(found) <= self.most:
                found.append(at)
                at = self._fold.find(literal, at + 1)
            self.offsets_of[literal] = (None if len(found) > self.most else
                                        array.array("q", characters(self._fold, found.tolist(), self._ascii)))
        return self.offsets_of[literal]


class Recorder:
    """What a big text's keyword pass records of ``literals``, window by window of its fold (:meth:`add`):
    for an aligned fold, each one's text offsets until there are more than ``most`` (then it is no longer
    searched); for the exact fold, only whether it occurs (then it is no longer searched)."""

    def __init__(self, literals: Iterable[bytes], most: int, aligned: bool) -> None:
        self._left = sorted(set(literals))  # still searched
        self.folded = Folded(aligned, most, recorded=self._left)
        self._automaton = self._search()

    def add(self, data: bytes, start: int, end: int, offset: int, ascii: bool) -> None:
        """Record the literals starting in ``data[start:end]``, a window's fold (``data[0]`` the byte before
        it, or the leading space) whose first character is at text ``offset``; ``ascii``: one byte a character."""
        if self._automaton is None:
            return
        folded, left = self.folded, self._left
        hits = [(at, i) for i, at, _ in self._automaton.find_matches_as_indexes(data, overlapping=True)
                if start <= at < end]
        folded.present.update(left[i] for i in {i for _, i in hits})
        if folded.aligned and hits:
            hits.sort()
            offsets_of = folded.offsets_of
            for (_, i), char in zip(hits, characters(data, [at for at, _ in hits], ascii, offset)):
                found = offsets_of.get(left[i])
                if found is None:
                    if left[i] in offsets_of:  # over ``most`` earlier in this window
                        continue
                    found = offsets_of[left[i]] = array.array("q")
                found.append(char)
                if len(found) > folded.most:
                    offsets_of[left[i]] = None
        done = folded.present if not folded.aligned else {s for s, found in folded.offsets_of.items() if found is None}
        if not done.isdisjoint(left):
            self._left = [literal for literal in left if literal not in done]
            self._automaton = self._search()

    def _search(self) -> ahocorasick_rs.BytesAhoCorasick | None:
        if not self._left:
            return None
        return ahocorasick_rs.BytesAhoCorasick(self._left, implementation=ahocorasick_rs.Implementation.DFA)


def holds(folded: bytes | bytearray, groups: tuple[tuple[bytes, ...], ...]) -> bool:
    """Whether ``folded`` (a text folded by :class:`~rightscheck.text.keywords.KeywordSearch` or
    :func:`~rightscheck.text.keywords.exact_fold`) holds a string of every group of required literals
    (rightscheck.text.literals: case-folded strings of :func:`~rightscheck.text.keywords.folds_plainly`
    characters). Meaningless for a text holding a literal breaker (rightscheck.text.keywords)."""
    return all(any(literal in folded for literal in group) for group in groups)


def characters(folded: bytes | bytearray, positions: list[int], ascii: bool, base: int = 0) -> list[int]:
    """Text offsets of sorted ``positions`` in a fast fold whose first byte is not the text's (the leading
    space, or the byte before a window) and whose second is the character at text offset ``base``. The fast
    fold keeps every character, as one byte (a wide space) or its UTF-8 bytes, so a character's offset is
    the number of bytes before it that start a character: counted from where the continuation bytes are
    when they are few (a euro sign here and there), else between one position and the next."""
    if ascii:
        return [base - 1 + p for p in positions]
    kept = folded.translate(None, _STARTS)  # the continuation bytes, in order
    if len(kept) <= _SPARSE * (len(positions) + 1):
        where = sorted(at for byte in set(kept) for at in _finds(folded, bytes((byte,)), 1))
        return [base - 1 + p - bisect.bisect_left(where, p) for p in positions]
    offsets, chars, done = [], base, 1
    for position in positions:
        while done < position:
            step = min(position, done + _CHUNK)
            chars += len(folded[done:step].translate(None, _CONTINUATION))
            done = step
        offsets.append(chars)
    return offsets


def _finds(data: bytes | bytearray, needle: bytes, start: int) -> Iterator[int]:
    """Every offset of ``needle`` in ``data`` from ``start`` on."""
    at = data.find(needle, start)
    while at >= 0:
        yield at
        at = data.find(needle, at + 1)
