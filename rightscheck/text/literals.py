"""Literal text every match of a pack pattern must contain, so a document lacking it is not searched.

Most signals are gated by their pack's keywords, but a pattern such as a copyright line,
``(?:Copyright|©|\\(c\\))\\s*(?:\\d{4}\\s*)?AFP\\b``, also needs one of "copyright", "©", "(c)": an article that
merely names the agency has none of them, and a substring test is far cheaper than the case-insensitive
regex. This module reads the pattern (the `regex` module's V0 syntax) and returns such literals, or None
wherever it cannot be sure: verbose or V1 syntax, fuzzy matching, conditionals, recursion, or anything it
does not know. None only costs speed; a wrong answer would lose findings, so the reader is conservative.

How: a sequence requires each of its mandatory pieces: every run of consecutive literal characters, and
every mandatory group, which requires what its one branch requires or, with several branches, the union
of each branch's most selective requirement. The few most selective requirements of a pattern are kept
(a text must hold one string of each). Only characters the caller calls usable go into runs (the scanner
allows printable ASCII and characters without case in any table: keywords.folds_plainly), and white
space always ends a run, as runs of white space are folded before the test.

The same reading bounds how far an attempt to match at an offset can look ahead (:func:`reach`), which
lets a big text be searched only in windows around the literals (rightscheck.packs.windows): each item counts
its widest match (a counted repeat its most copies; a look-ahead what it looks at; a look-behind only
backward), and each unbounded repeat of one character (``\\s*``, ``[\\p{L}.-]*+``) counts as one *run*,
whose length the search bounds in the text itself. Unbounded repeats of groups, ``\\G``, ``\\K``, a look-ahead
inside a look-behind and reverse matching have no such bound."""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from typing import Callable

_ZERO_WIDTH_ESCAPES = set("AbBZzGKmM")
_CLASS_ESCAPES = set("dDwWsShHtnrfvae")  # one character, not a literal one
_BRACED_ESCAPES = set("pPN")  # \p{L}, \N{NAME}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_POSIX_CLASS = re.compile(r"\[:\^?[A-Za-z_]+:\]")  # [:alpha:] inside a set; any other "[" there is refused
_INLINE_FLAGS = set("aiLmsuwfbre-")  # (?i), (?m-s); "x" (verbose), "V" (version), (?0) (recursion) refused


class _Unsure(Exception):
    """Syntax this reader does not follow: no literals are claimed."""


Requirement = frozenset  # of str: every match contains one of them
MAX_REQUIREMENTS = 4  # the most selective ones of a long pattern are enough
_UNIONS = 256  # an alternation's branches combine their requirements in every way up to this many, else rank by rank
_WORTH = 3  # the least selectivity of a requirement kept beside the best one ("ed", "a" occur in any text)
FOLD_GROWTH = 3  # the most characters one character's full case folding matches ("ﬃ" and "ffi")
Form = tuple  # (characters, runs): a length of ``characters`` plus ``runs`` times a run's bound
_NONE, _INFINITE = (0, 0), (math.inf, 0)


@dataclass(frozen=True)
class Reach:
    """How far past the offset an attempt starts at a pattern inspects the text (characters consumed or
    looked ahead at): at most ``fixed`` characters plus, for each of ``runs`` unbounded repeats of one item
    of ``items`` (a regex source), the characters that repeat can cross."""

    fixed: int
    runs: int
    items: tuple[str, ...]

    def bound(self, run: int) -> int:
        """The reach when no repeat of an item crosses ``run`` characters or more."""
        return self.fixed + self.runs * run


def required_literals(pattern: str, usable: Callable[[str], bool]) -> tuple[tuple[str, ...], ...] | None:
    """Groups of case-folded strings such that every match of ``pattern`` contains one string of each
    group, or None if this reader can promise none."""
    try:
        requirements, end = _Reader(pattern, usable).alternation(0)
    except (_Unsure, IndexError, ValueError):  # ValueError: str.index found no closing bracket
        return None
    if end != len(pattern) or not requirements:
        return None
    folded = [frozenset(text.casefold() for text in group) for group in requirements]  # "Press" and "press" are one
    return tuple(tuple(sorted(group)) for group in _best(folded, MAX_REQUIREMENTS))


def reach(pattern: str, ignore_case: bool = False) -> Reach | None:
    """How far an attempt to match ``pattern`` looks ahead of where it starts (see the module docstring),
    or None where that has no bound or the reader is unsure. With full case folding (``ignore_case``, or
    an inline "f" flag) every length counts :data:`FOLD_GROWTH` times."""
    reader = _Reader(pattern, lambda char: False)
    try:
        _, end = reader.alternation(0)
    except (_Unsure, IndexError, ValueError):
        return None
    fixed, runs = reader.extent[1]
    if end != len(pattern) or fixed == math.inf or not reader.bounded:
        return None
    growth = FOLD_GROWTH if ignore_case or reader.fullcase else 1
    return Reach(int(fixed) * growth, runs * growth, tuple(sorted(reader.items)))


def _add(a: Form, b: Form) -> Form:
    return a[0] + b[0], a[1] + b[1]


def _widest(a: Form, b: Form) -> Form:
    return max(a[0], b[0]), max(a[1], b[1])


def _times(a: Form, count: int) -> Form:
    return (a[0] * count, a[1] * count) if count else _NONE


class _Reader:
    def __init__(self, pattern: str, usable: Callable[[str], bool]) -> None:
        self.pattern = pattern
        self.usable = usable
        # (width, reach) of what was read last: an atom, then its branch or group (see :func:`reach`)
        self.extent: tuple[Form, Form] = (_NONE, _NONE)
        self.items: set[str] = set()  # the items unbounded repeats repeat
        self.fullcase = False
        self.bounded = True  # false once the reach has no bound
        self.behind = 0  # look-behinds open around the reader
        self.most: int | None = 1  # most copies the last quantifier allows (None: unbounded)

    def alternation(self, at: int) -> tuple[list[Requirement], int]:
        """Branches up to a closing parenthesis or the end. One branch requires all its requirements;
        several require the union of one requirement of each (nothing if one has none). Every such union
        holds, so the best few are kept: "(?:Copyright|©|\\(c\\))\\h*ANS|ANS\\h*Agency\\h*News\\h*Service"
        requires "ans" and also one of "copyright", "©", "(c)", "service", which an article that only
        has an "answer" lacks."""
        branches, width, ahead = [], _NONE, _NONE
        while True:
            requirements, at = self.sequence(at)
            branches.append(requirements)
            width, ahead = _widest(width, self.extent[0]), _widest(ahead, self.extent[1])
            if at < len(self.pattern) and self.pattern[at] == "|":
                at += 1
                continue
            self.extent = width, ahead
            if len(branches) == 1:
                return branches[0], at
            if not all(branches):
                return [], at
            ranked = [_best(b, MAX_REQUIREMENTS) for b in branches]
            combined = itertools.product(*ranked) if math.prod(map(len, ranked)) <= _UNIONS else \
                ([r[min(i, len(r) - 1)] for r in ranked] for i in range(MAX_REQUIREMENTS))
            return _best([frozenset().union(*one) for one in combined], MAX_REQUIREMENTS), at

    def sequence(self, at: int) -> tuple[list[Requirement], int]:
        """Requirements of one branch: each run of literal characters and each mandatory group's; and its
        extent (``self.extent``), item by item."""
        pattern, run, candidates = self.pattern, "", []
        width, ahead = _NONE, _NONE
        while at < len(pattern) and pattern[at] not in "|)":
            start = at
            self.extent = (_NONE, _NONE)
            kind, value, at = self.atom(at)
            item_end = at
            least, once, at = self.quantifier(at)
            if kind in ("literal", "other"):
                self.extent = ((1, 0), (1, 0))
            item_width, item_ahead = self.extent
            if self.most is None:  # unbounded: a run of one item, or no bound at all
                if kind in ("literal", "other"):
                    self.items.add(pattern[start:item_end])
                    item_width = item_ahead = (0, 1)
                else:
                    item_width = item_ahead = _INFINITE
            elif self.most != 1:
                item_ahead = _add(_times(item_width, self.most - 1), item_ahead) if self.most else _NONE
                item_width = _times(item_width, self.most)
            ahead, width = _widest(ahead, _add(width, item_ahead)), _add(width, item_width)
            if kind == "zero":
                if not once:  # after a comment or flag group, `regex` repeats the atom before it
                    raise _Unsure("quantifier after a zero-width item")
                continue  # consumes nothing: the run goes on
            if kind == "literal" and least >= 1:
                run += value
                if once:
                    continue
            if run:  # anything else ends the run (after a repeated literal's first copy)
                candidates.append(frozenset({run}))
            run = ""
            if kind == "group" and least >= 1:
                candidates.extend(value)
        if run:
            candidates.append(frozenset({run}))
        self.extent = width, ahead
        return candidates, at

    def atom(self, at: int) -> tuple[str, object, int]:
        """(kind, value, next position): kind "literal" (value: the character), "other" (one non-literal
        character or more), "zero" (consumes nothing) or "group" (value: its requirements)."""
        char = self.pattern[at]
        if char == "\\":
            return self.escape(at)
        if char == "[":
            return "other", None, self.char_class(at)
        if char == "(":
            return self.group(at)
        if char in "^$":
            return "zero", None, at + 1
        if char == ".":
            return "other", None, at + 1
        if char in "*+?{":
            raise _Unsure("quantifier without an atom")
        if char.isspace() or not self.usable(char):
            return "other", None, at + 1
        return "literal", char, at + 1

    def escape(self, at: int) -> tuple[str, object, int]:
        char = self.pattern[at + 1]
        if char in _ZERO_WIDTH_ESCAPES:
            self.bounded &= char not in "GK"  # where the search started; moving the match's start
            return "zero", None, at + 2
        if char in _CLASS_ESCAPES:
            return "other", None, at + 2
        if char in _BRACED_ESCAPES:
            if self.pattern[at + 2] != "{":
                raise _Unsure("unbraced property")
            return "other", None, self.pattern.index("}", at + 2) + 1
        if char in _HEX_ESCAPES:
            if char == "x" and self.pattern[at + 2] == "{":
                return "other", None, self.pattern.index("}", at + 2) + 1
            return "other", None, at + 2 + _HEX_ESCAPES[char]
        if char.isascii() and char.isalnum():
            raise _Unsure(f"escape \\{char}")  # back-references, named lists, anything else
        if char.isspace() or not self.usable(char):
            return "other", None, at + 2
        return "literal", char, at + 2

    def char_class(self, at: int) -> int:
        """Position after the set starting at ``at`` (V0: no nested sets; POSIX classes allowed)."""
        pattern, at = self.pattern, at + 1
        if pattern[at] == "^":
            at += 1
        if pattern[at] == "]":
            at += 1
        while pattern[at] != "]":
            if pattern[at] == "\\":
                at += 2
            elif posix := _POSIX_CLASS.match(pattern, at):
                at = posix.end()
            elif pattern[at] == "[":
                raise _Unsure("nested set")
            else:
                at += 1
        return at + 1

    def group(self, at: int) -> tuple[str, object, int]:
        pattern = self.pattern
        zero = behind = False
        if pattern.startswith("(?#", at):
            end = pattern.index(")", at)
            if "\\" in pattern[at:end]:
                raise _Unsure("escape in a comment")  # `regex` ends a comment at the first unescaped ")"
            return "zero", None, end + 1
        if pattern.startswith(("(?:", "(?>", "(?|"), at):
            at += 3
        elif pattern.startswith(("(?=", "(?!"), at):
            zero, at = True, at + 3
        elif pattern.startswith(("(?<=", "(?<!"), at):
            zero, behind, at = True, True, at + 4
        elif pattern.startswith(("(?P<", "(?<", "(?'"), at):
            at = pattern.index(">" if pattern[at + 2] != "'" else "'", at + 3) + 1
        elif pattern.startswith("(?", at):
            end = at + 2
            while pattern[end] in _INLINE_FLAGS:
                end += 1
            if end == at + 2 or pattern[end] not in ":)":
                raise _Unsure("group syntax")  # conditionals, recursion, verbose or V1 flags
            flags = pattern[at + 2:end].split("-")[0]
            self.fullcase |= "f" in flags
            self.bounded &= "r" not in flags  # reverse matching: searched from the end
            if pattern[end] == ")":
                return "zero", None, end + 1
            at = end + 1
        else:
            at += 1
        self.bounded &= not (zero and not behind and self.behind)  # looking ahead from inside a look-behind
        self.behind += behind
        requirements, at = self.alternation(at)
        self.behind -= behind
        if pattern[at] != ")":
            raise _Unsure("unclosed group")
        if zero:  # a look-ahead inspects what it matches, a look-behind only what lies before
            self.extent = _NONE, (_NONE if behind else self.extent[1])
        return ("zero", None, at + 1) if zero else ("group", requirements, at + 1)

    def quantifier(self, at: int) -> tuple[int, bool, int]:
        """(least number of copies, whether exactly one, next position): (1, True) without a quantifier; the
        most copies allowed go to ``self.most``."""
        pattern = self.pattern
        self.most = 1
        if at >= len(pattern) or pattern[at] not in "*+?{":
            return 1, True, at
        if pattern[at] == "{":
            end = pattern.index("}", at)
            bounds = pattern[at + 1:end].split(",")
            if len(bounds) > 2 or not all(b.isdigit() or b == "" for b in bounds) or bounds == [""]:
                raise _Unsure("fuzzy matching or a literal brace")
            least = int(bounds[0] or 0)
            self.most = int(bounds[-1]) if bounds[-1] else None
            once, at = bounds in (["1"], ["1", "1"]), end + 1
        else:
            least, once, at = (0 if pattern[at] in "*?" else 1), False, at + 1
            self.most = 1 if pattern[at - 1] == "?" else None
        if at < len(pattern) and pattern[at] in "?+":
            at += 1  # lazy or possessive
        return least, once, at


def _best(requirements: list[Requirement], count: int) -> list[Requirement]:
    """The most selective of ``requirements`` and up to ``count - 1`` more that share no string with one chosen
    before (a text that holds "ans" meets every requirement offering "ans", however selective the rest) and
    whose strings are not too short to be worth a search of the text."""
    ranked = sorted(dict.fromkeys(requirements), key=_selectivity, reverse=True)
    chosen = ranked[:1]
    for requirement in ranked[1:]:
        if len(chosen) < count and _selectivity(requirement)[0] >= _WORTH and \
                all(requirement.isdisjoint(other) for other in chosen):
            chosen.append(requirement)
    return chosen


def _selectivity(requirement: Requirement) -> tuple[int, int]:
    """Longer shortest string first, a character past ASCII counting one more than its bytes ("©" is rarer
    in text than "of"), then fewer strings."""
    return min(len(text.encode()) + sum(char > "\x7f" for char in text) for text in requirement), -len(requirement)
