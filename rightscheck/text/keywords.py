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
from typing import Callable, Iterable, Iterator, NamedTuple

import ahocorasick_rs
import regex

from rightscheck.core.usercache import remembered
from rightscheck.text.folded import Folded, Recorder

_SPACES = ("\n", "\t", "\r", "\xa0", "\u2009", "\u202f", "\u2007", "\x0b", "\x0c")  # each folds to " "
_SPACE_RUN = re.compile("  +")  # the stdlib engine is faster than `regex` on this simple pattern
_WIDE_SPACES = tuple(space for space in _SPACES if not space.isascii())
_ASCII_FOLD = bytes.maketrans(
    string.ascii_uppercase.encode() + "".join(s for s in _SPACES if s.isascii()).encode(),
    string.ascii_lowercase.encode() + b" " * sum(s.isascii() for s in _SPACES),
)
_LETTERS = frozenset(string.ascii_letters.encode())
# characters folded and searched at a time: one automaton call returns all its matches as one list (10 MB of
# "afp " made it 476 MB), and a window's matches of common literals are listed (rightscheck.text.folded)
WINDOW = 1 << 18
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

    def fold_and_find(self, text: str, most: int = 0, literals: Callable[[], Iterable[bytes]] = tuple
                      ) -> tuple[Folded, bool, frozenset[str]]:
        """``text`` folded for required literals (:class:`~rightscheck.text.folded.Folded`: a text of one
        :data:`WINDOW` keeps its fold; for a bigger one the pass records ``literals()``, at most ``most``
        offsets of each), whether it holds a character that makes required literals prove nothing
        (:func:`_literal_breakers`), and the keywords in it. The fast fold is searched first; a text holding a
        character whose full case folding could make or break a match is searched again, folded the exact way."""
        wide = tuple(space.encode() for space in _WIDE_SPACES if space in text) if not text.isascii() else ()
        found, breaks, exact, folded = self._pass(text, functools.partial(_fast_fold, wide=wide), True, most, literals)
        if exact:
            found, _, _, folded = self._pass(text, _exact_fold, False, most, literals)
        return folded, breaks, frozenset(found)

    def _pass(self, text: str, fold: Callable[[str], bytes], aligned: bool, most: int,
              literals: Callable[[], Iterable[bytes]]) -> tuple[set[str], bool, bool, Folded]:
        """The keywords in ``text`` folded by ``fold``, whether it holds a literal breaker, whether it needs
        exact folding, and what the fold says of required literals."""
        found, breaks, exact = set(), False, False
        wanted = tuple(literals()) if len(text) > WINDOW else ()
        recorder = Recorder(wanted, most, aligned) if len(text) > WINDOW else None
        for window in _windows(text, fold, max([self._longest, *map(len, wanted)])):
            data = window.data
            for pattern, start, _ in self._automaton.find_matches_as_indexes(data, overlapping=True):
                if not window.start <= start < window.end:  # the window before or after finds it
                    continue
                if pattern >= self._exact_from:  # a breaker character needs the exact fold too
                    breaks |= pattern >= self._breakers_from
                    exact = True
                    continue
                index, runs = self._targets[pattern]
                if (not (self._bounded[index] and start and data[start - 1] in _LETTERS)
                        and (runs is None or _gaps_close(runs, data, start, window.rest))):
                    found.add(self._keywords[index])
            if recorder:
                recorder.add(data, window.start, window.end, window.offset, window.ascii)
        folded = recorder.folded if recorder else Folded(aligned, most, data, window.ascii)
        return found, breaks, exact, folded


def _fast_fold(text: str, wide: tuple[bytes, ...]) -> bytes:
    """:func:`fold_keywords` as UTF-8, but with ASCII case folding only and runs of white space left as runs
    of spaces: one byte a space, a character's UTF-8 otherwise (its offsets map to the text's). ``wide``: the
    UTF-8 of the wide spaces in the text, looked for in the str (several times faster than in the bytes)."""
    data = text.encode("utf-8", "surrogatepass").translate(_ASCII_FOLD)
    for space in wide:
        data = data.replace(space, b" ")
    return data


def _exact_fold(text: str) -> bytes:
    """:func:`fold_keywords` as UTF-8. Folded window by window, a run of white space split between two folds
    to two spaces, which keyword gaps allow as they allow the fast fold's runs (and literals hold no space)."""
    return fold_keywords(text).encode("utf-8", "surrogatepass")


class _Window(NamedTuple):
    """A window of a text's fold, with a space at the start of the first and at the end of the last."""

    data: bytes  # the byte before the window's fold (the leading space), its fold and enough after for matches across
    start: int  # where matches the window finds begin: from its fold on (the first window: its leading space too)
    end: int  # up to its fold's end (the last window: and its trailing space)
    offset: int  # the text offset of its first character
    ascii: bool  # one byte a character (offsets map one for one)
    rest: Callable[[], Iterator[bytes]]  # the fold after ``data``, a window at a time, then the trailing space


def _windows(text: str, fold: Callable[[str], bytes], reach: int) -> Iterator[_Window]:
    """``text`` folded :data:`WINDOW` characters at a time, each window with at least ``reach`` bytes of the
    next one's fold (or up to the end), so a match starting in it is found whole in it: a big text's fold is
    never whole (it was a third of the peak of a 50 MB file's scan)."""
    at, before = 0, b" "
    while True:
        end = min(at + WINDOW, len(text))
        own = fold(text[at:end])
        ahead, stop, step = b"", end, reach
        while len(ahead) < reach and stop < len(text):  # an exact fold's runs of spaces fold to one
            ahead, stop, step = ahead + fold(text[stop:stop + step]), min(stop + step, len(text)), min(2 * step, WINDOW)
        data = b"".join((before, own, ahead, b"" if stop < len(text) else b" "))
        last = end == len(text)
        yield _Window(data, 0 if at == 0 else 1, len(data) if last else 1 + len(own), at, len(own) == end - at,
                      functools.partial(_folds, text, fold, stop))
        if last:
            return
        at, before = end, own[-1:] or before


def _folds(text: str, fold: Callable[[str], bytes], at: int) -> Iterator[bytes]:
    """The fold of ``text[at:]`` a window at a time, then the trailing space (none from the end: a window
    reaching it holds it)."""
    if at == len(text):
        return
    while at < len(text):
        yield fold(text[at:at + WINDOW])
        at += WINDOW
    yield b" "


def _gaps_close(runs: bytes, data: bytes, start: int, rest: Callable[[], Iterator[bytes]]) -> bool:
    """Whether the keyword ``runs`` (a regex: its words with runs of spaces between) matches the fold ``data``
    at ``start``, read on from ``rest()`` while the match reaches the end of ``data`` (the run of spaces a
    page's blanked chrome leaves can be long)."""
    compiled, more = regex.compile(runs), None
    while True:
        match = compiled.match(data, start, partial=True)
        if match is None or not match.partial:
            return match is not None
        more = more or rest()
        following = next(more, None)
        if following is None:
            return False
        data, start = data[start:] + following, 0


def exact_fold(text: str) -> bytes:
    """:func:`fold_keywords` as UTF-8, a space at each end."""
    return f" {fold_keywords(text)} ".encode("utf-8", "surrogatepass")


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
