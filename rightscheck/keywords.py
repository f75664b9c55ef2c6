"""How pack keywords are compared with text, and one search for all of them at once.

A keyword counts where it occurs in the text case-folded (Unicode full case folding) with every run of
white space as one space, so "Associated\\r\\nPress" holds "associated press"; one that begins with an
ASCII letter or digit must not follow an ASCII letter ("efe" is not in "defended"; "afp" is in "©2026AFP").
:func:`fold_keywords` is that rule on ``str``.

:class:`KeywordSearch` gives the same answer much faster, on UTF-8 bytes: one ``bytes.translate`` folds
ASCII case and white space, and one Aho-Corasick automaton (a DFA, in Rust) finds every keyword. Folding
only ASCII case is exact unless the text holds a non-ASCII character whose full case folding could make or
break a match ("ß" folds to "ss", the Kelvin sign to "k", "ﬁ" to "fi"); those characters are searched for
in the same pass, and a text holding one is folded the exact way and searched again."""

from __future__ import annotations

import array
import functools
import re
import string
from typing import Iterable

import ahocorasick_rs

_SPACES = ("\n", "\t", "\r", "\xa0", "\u2009", "\u202f", "\u2007", "\x0b", "\x0c")  # each folds to " "
_SPACE_RUN = re.compile("  +")  # the stdlib engine is faster than `regex` on this simple pattern
_WIDE_SPACES = tuple(space for space in _SPACES if not space.isascii())
_ASCII_FOLD = bytes.maketrans(
    string.ascii_uppercase.encode() + "".join(s for s in _SPACES if s.isascii()).encode(),
    string.ascii_lowercase.encode() + b" " * sum(s.isascii() for s in _SPACES),
)
_LETTERS = frozenset(string.ascii_letters.encode())
_CASED_PLANES_END = 0x20000  # every character with case is in the BMP or the SMP (planes 2-16: none)


def fold_keywords(text: str) -> str:
    """Text as keywords are compared with it: case-folded, and every run of white space (line breaks,
    tabs, no-break spaces) one space. Pack keywords are folded the same way. ``str.replace`` per kind of
    space, then one pass over runs, is about three times faster than ``split``/``join`` or ``translate``."""
    folded = text.casefold()
    for space in _SPACES:
        if space in folded:
            folded = folded.replace(space, " ")
    return _SPACE_RUN.sub(" ", folded) if "  " in folded else folded


class KeywordSearch:
    """Which of a fixed set of folded keywords occur in a text (see the module docstring).

    The bytes are searched as they are, runs of white space not collapsed (that pass would cost more
    than the search): a keyword of several words is found as written, with single spaces, and, for the
    rarer case of a longer run in one of its gaps, by its words up to that gap followed by two spaces,
    then confirmed with a regex that lets every gap be a run."""

    def __init__(self, keywords: Iterable[str]) -> None:
        self._keywords = sorted(set(keywords))
        patterns: list[bytes] = []
        self._targets: list[tuple[int, re.Pattern | None]] = []  # per pattern: keyword index, gap check
        for index, keyword in enumerate(self._keywords):
            patterns.append(keyword.encode())
            self._targets.append((index, None))
            lead, words = keyword[:len(keyword) - len(keyword.lstrip(" "))], keyword.strip(" ").split(" ")
            runs = re.compile(b" +".join(re.escape(part.encode()) for part in keyword.split(" ")))
            for gap in range(1, len(words)):
                patterns.append(f"{lead}{' '.join(words[:gap])}  ".encode())
                self._targets.append((index, runs))
        self._bounded = [k[:1].isascii() and k[:1].isalnum() for k in self._keywords]  # must not follow a letter
        self._exact_from = len(patterns)  # patterns from here on are characters that need exact folding
        patterns.extend(c.encode() for c in _case_triggers(set("".join(self._keywords))))
        self._automaton = ahocorasick_rs.BytesAhoCorasick(patterns, implementation=ahocorasick_rs.Implementation.DFA)

    def find(self, text: str) -> frozenset[str]:
        """The keywords that occur in ``text``."""
        return self.fold_and_find(text)[1]

    def fold_and_find(self, text: str) -> tuple[bytes, frozenset[str]]:
        """``text`` folded (UTF-8, a space at each end; see :func:`holds`) and the keywords in it."""
        folded = _fold_utf8(text)
        hits = self._automaton.find_matches_as_indexes(folded, overlapping=True)
        if any(pattern >= self._exact_from for pattern, _, _ in hits):
            folded = exact_fold(text)
            hits = self._automaton.find_matches_as_indexes(folded, overlapping=True)
        found = set()
        for pattern, start, _ in hits:
            index, runs = self._targets[pattern]
            if (not (self._bounded[index] and folded[start - 1] in _LETTERS)
                    and (runs is None or runs.match(folded, start))):
                found.add(self._keywords[index])
        return folded, frozenset(found)


def exact_fold(text: str) -> bytes:
    """:func:`fold_keywords` as UTF-8, a space at each end."""
    return f" {fold_keywords(text)} ".encode("utf-8", "surrogatepass")


def holds(folded: bytes, text: str, groups: tuple[tuple[bytes, ...], ...]) -> bool:
    """Whether ``folded`` (``text`` folded by :class:`KeywordSearch` or :func:`exact_fold`) holds a string of
    every group of required literals (see rightscheck.literals; strings of :func:`folds_plainly`
    characters, case-folded). The `regex` module matches "i" to "İ", whose case folding is "i̇": a text
    with that letter is assumed to hold everything."""
    return all(any(literal in folded for literal in group) for group in groups) or "\u0130" in text


def folds_plainly(char: str) -> bool:
    """Whether a required literal may hold ``char``: printable, not white space, and either ASCII or a
    character that case folding neither changes nor produces (©, 新), so that every fold of a text agrees
    on where it occurs."""
    if char.isascii():
        return char.isprintable() and not char.isspace()
    return char.isprintable() and not char.isspace() and char not in _case_touched()


@functools.cache
def _case_touched() -> frozenset[str]:
    return frozenset(c for change in _case_changes() for c in change[0] + change[1])


def _fold_utf8(text: str) -> bytes:
    """``fold_keywords(text)`` as UTF-8 with a space at each end, but with ASCII case folding only and
    runs of white space left as runs of spaces."""
    data = text.encode("utf-8", "surrogatepass").translate(_ASCII_FOLD)
    for space in _WIDE_SPACES if not text.isascii() else ():
        if space in text:  # looked for in the str: several times faster than in the UTF-8 bytes
            data = data.replace(space.encode(), b" ")
    return b" " + data + b" "


def _case_triggers(keyword_characters: set[str]) -> list[str]:
    """Non-ASCII characters that full case folding changes into something a keyword match, the letter
    rule, the space folding or a required literal looks at (ASCII, white space, a character of some keyword)."""
    relevant = keyword_characters | set(string.printable)  # printable: ASCII letters, digits, signs, spaces
    relevant |= set(_SPACES)
    return [c for c, folded in _case_changes() if not relevant.isdisjoint(folded)]


@functools.cache
def _case_changes() -> list[tuple[str, str]]:
    """(character, its case folding) for each non-ASCII character that case folding changes (about 1,500),
    found block by block, as a block that case folding leaves alone holds none (about 3 ms, once)."""
    characters = array.array("I", range(0x80, _CASED_PLANES_END)).tobytes().decode("utf-32-le", "surrogatepass")
    found = []
    for start in range(0, len(characters), 256):
        block = characters[start:start + 256]
        if block.casefold() != block:
            found.extend((c, folded) for c in block if (folded := c.casefold()) != c)
    return found
