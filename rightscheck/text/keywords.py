"""How pack keywords are compared with text, and one search for all of them at once.

A keyword counts where it occurs in the text case-folded (Unicode full case folding) with every run of
white space as one space, so "Associated\\r\\nPress" holds "associated press"; one that begins with an
ASCII letter or digit must not follow an ASCII letter ("efe" is not in "defended"; "afp" is in "©2026AFP").
:func:`fold_keywords` is that rule on ``str``.

:class:`KeywordSearch` gives the same answer much faster, on UTF-8 bytes: one ``bytes.translate`` folds
ASCII case and white space, and one Aho-Corasick automaton (a DFA, in Rust) finds every keyword. Folding
only ASCII case is exact unless the text holds a non-ASCII character whose full case folding could make or
break a match ("ß" folds to "ss", the Kelvin sign to "k", "ﬁ" to "fi"); those characters are searched for
in the same pass, and a text holding one is folded the exact way and searched again. So are the few
characters in whose presence a pattern's required literals (rightscheck.text.literals) prove nothing, such as
"İ", which the `regex` module matches to "i": such a text runs every pattern."""

from __future__ import annotations

import array
import functools
import re
import string
import unicodedata
from typing import Iterable, Iterator

import ahocorasick_rs
import regex

from rightscheck.core.usercache import remembered

_SPACES = ("\n", "\t", "\r", "\xa0", "\u2009", "\u202f", "\u2007", "\x0b", "\x0c")  # each folds to " "
_SPACE_RUN = re.compile("  +")  # the stdlib engine is faster than `regex` on this simple pattern
_WIDE_SPACES = tuple(space for space in _SPACES if not space.isascii())
_ASCII_FOLD = bytes.maketrans(
    string.ascii_uppercase.encode() + "".join(s for s in _SPACES if s.isascii()).encode(),
    string.ascii_lowercase.encode() + b" " * sum(s.isascii() for s in _SPACES),
)
_LETTERS = frozenset(string.ascii_letters.encode())
_WINDOW = 1 << 20  # bytes searched per automaton call (see KeywordSearch._hits)
_CASED_PLANES_END = 0x20000  # every character with case is in the BMP or the SMP (planes 2-16: none)
# what the Unicode tables below derive from: Python's Unicode data (with the interpreter) and `regex`'s
_UNICODE_VERSION = f"{unicodedata.unidata_version} {regex.__version__} {_CASED_PLANES_END}"


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
        # per pattern: keyword index, gap check (a regex source, compiled through re's cache on the rare hit:
        # compiling the packs' ~80 at start-up was a tenth of a one-file scan)
        self._targets: list[tuple[int, bytes | None]] = []
        for index, keyword in enumerate(self._keywords):
            patterns.append(keyword.encode())
            self._targets.append((index, None))
            lead, words = keyword[:len(keyword) - len(keyword.lstrip(" "))], keyword.strip(" ").split(" ")
            runs = b" +".join(re.escape(part.encode()) for part in keyword.split(" ")) if len(words) > 1 else None
            for gap in range(1, len(words)):
                patterns.append(f"{lead}{' '.join(words[:gap])}  ".encode())
                self._targets.append((index, runs))
        self._bounded = [k[:1].isascii() and k[:1].isalnum() for k in self._keywords]  # must not follow a letter
        self._exact_from = len(patterns)  # patterns from here on are characters that need exact folding
        patterns.extend(c.encode() for c in _case_triggers(set("".join(self._keywords))))
        self._breakers_from = len(patterns)  # and from here on, characters that void required literals
        patterns.extend(c.encode() for c in sorted(_literal_breakers()))
        self._automaton = ahocorasick_rs.BytesAhoCorasick(patterns, implementation=ahocorasick_rs.Implementation.DFA)
        self._longest = max(map(len, patterns), default=0)

    def find(self, text: str) -> frozenset[str]:
        """The keywords that occur in ``text``."""
        return self.fold_and_find(text)[2]

    def fold_and_find(self, text: str) -> tuple[bytes | bytearray, bool, frozenset[str], bool]:
        """``text`` folded (UTF-8, a space at each end; see :func:`holds`), whether it holds a character
        that makes required literals prove nothing (:func:`_literal_breakers`), the keywords in it, and
        whether the fold is the fast one, whose offsets map to the text's (rightscheck.packs.windows)."""
        folded = _fold_utf8(text)
        found, breaks, exact = self._found(folded)
        if exact:  # a character whose full case folding could make or break a match: fold the exact way
            folded = exact_fold(text)
            found, _, _ = self._found(folded)
        return folded, breaks, frozenset(found), not exact

    def _found(self, folded: bytes) -> tuple[set[str], bool, bool]:
        """The keywords in ``folded``, whether it holds a literal breaker, and whether it needs exact folding."""
        found, breaks, exact = set(), False, False
        for pattern, start in self._hits(folded):
            if pattern >= self._exact_from:  # a breaker character needs the exact fold too
                breaks |= pattern >= self._breakers_from
                exact = True
                continue
            index, runs = self._targets[pattern]
            if (not (self._bounded[index] and folded[start - 1] in _LETTERS)
                    and (runs is None or re.compile(runs).match(folded, start))):
                found.add(self._keywords[index])
        return found, breaks, exact

    def _hits(self, folded: bytes) -> Iterator[tuple[int, int]]:
        """(pattern, start) of every match, window by window: the automaton returns all matches of a call as
        one list, and 10 MB of "afp " made that list 476 MB. Windows overlap by the longest pattern, so a
        match across a window's end is found whole in it (some twice: they only add to sets)."""
        for base in range(0, max(len(folded), 1), _WINDOW):
            window = folded[base:base + _WINDOW + self._longest]
            for pattern, start, _ in self._automaton.find_matches_as_indexes(window, overlapping=True):
                yield pattern, base + start


def exact_fold(text: str) -> bytes:
    """:func:`fold_keywords` as UTF-8, a space at each end."""
    return f" {fold_keywords(text)} ".encode("utf-8", "surrogatepass")


def holds(folded: bytes, groups: tuple[tuple[bytes, ...], ...]) -> bool:
    """Whether ``folded`` (a text folded by :class:`KeywordSearch` or :func:`exact_fold`) holds a string of
    every group of required literals (rightscheck.text.literals: case-folded strings of :func:`folds_plainly`
    characters). Meaningless for a text holding a :func:`_literal_breakers` character."""
    return all(any(literal in folded for literal in group) for group in groups)


def breaks_literals(text: str) -> bool:
    """Whether ``text`` holds a character in whose presence required literals prove nothing."""
    return not _literal_breakers().isdisjoint(text)


def folds_plainly(char: str) -> bool:
    """Whether a required literal may hold ``char``: printable ASCII other than white space, or a
    non-ASCII character without case in Python's Unicode tables and in the `regex` module's (which may be
    newer): a symbol, punctuation, a digit or a letter of a caseless script (©, —, 新). Then every fold
    of a text, and the `regex` module's case-insensitive matching, agree on where it occurs."""
    if char.isascii():
        return char.isprintable() and not char.isspace()
    category = unicodedata.category(char)
    return (category[0] in "SPN" or category == "Lo") and char not in _case_touched()


@functools.cache
def _case_touched() -> frozenset[str]:
    """Characters with case in either table: changed or produced by Python's case folding, or cased or
    case-mapped for the `regex` module."""
    python = {c for change in _case_changes() for c in change[0] + change[1]}
    return frozenset(python.union(regex.findall(r"[\p{Cased}\p{Changes_When_Casemapped}]", _non_ascii())))


@functools.cache
def _literal_breakers() -> frozenset[str]:
    """Characters in whose presence required literals prove nothing: ones the `regex` module matches to an
    ASCII letter although their case folding is not that letter ("İ", folded "i̇"; "ı", kept "ı"), and ones
    whose case folding only the `regex` module's newer Unicode tables know (none of those folds to ASCII
    today; kept as a safeguard, it costs only texts in the scripts concerned)."""
    def compute() -> list[str]:
        twins = [c for c in regex.findall(r"(?fi)[A-Za-z]", _non_ascii()) if not (c.casefold().isascii() and
                                                                              len(c.casefold()) == 1)]
        return twins + [c for c in regex.findall(r"\p{Changes_When_Casefolded}", _non_ascii()) if c.casefold() == c]

    return frozenset(remembered("literal-breakers", _UNICODE_VERSION, compute))


def _fold_utf8(text: str) -> bytearray:
    """``fold_keywords(text)`` as UTF-8 with a space at each end, but with ASCII case folding only and
    runs of white space left as runs of spaces. Folded a window at a time into one growing buffer: the
    UTF-8 copy, its folded copy and the copy with the spaces added were each the text's size again."""
    wide = [space.encode() for space in _WIDE_SPACES if space in text] if not text.isascii() else []
    folded = bytearray(b" ")
    for base in range(0, len(text), _WINDOW):
        data = text[base:base + _WINDOW].encode("utf-8", "surrogatepass").translate(_ASCII_FOLD)
        for space in wide:  # looked for in the str: several times faster than in the UTF-8 bytes
            data = data.replace(space, b" ")
        folded += data
    folded += b" "
    return folded


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
    def compute() -> list[tuple[str, str]]:
        characters = _non_ascii()
        found = []
        for start in range(0, len(characters), 256):
            block = characters[start:start + 256]
            if block.casefold() != block:
                found.extend((c, folded) for c in block if (folded := c.casefold()) != c)
        return found

    return [tuple(pair) for pair in remembered("case-changes", _UNICODE_VERSION, compute)]


@functools.cache
def _non_ascii() -> str:
    """Every character from U+0080 to the end of the planes that have case, in one string."""
    return array.array("I", range(0x80, _CASED_PLANES_END)).tobytes().decode("utf-32-le", "surrogatepass")
