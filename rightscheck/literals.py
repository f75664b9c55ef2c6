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
space always ends a run, as runs of white space are folded before the test."""

from __future__ import annotations

import re
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


def required_literals(pattern: str, usable: Callable[[str], bool]) -> tuple[tuple[str, ...], ...] | None:
    """Groups of case-folded strings such that every match of ``pattern`` contains one string of each
    group, or None if this reader can promise none."""
    try:
        requirements, end = _Reader(pattern, usable).alternation(0)
    except (_Unsure, IndexError, ValueError):  # ValueError: str.index found no closing bracket
        return None
    if end != len(pattern) or not requirements:
        return None
    best = sorted(requirements, key=_selectivity, reverse=True)[:MAX_REQUIREMENTS]
    return tuple(tuple(sorted({text.casefold() for text in group})) for group in best)


class _Reader:
    def __init__(self, pattern: str, usable: Callable[[str], bool]) -> None:
        self.pattern = pattern
        self.usable = usable

    def alternation(self, at: int) -> tuple[list[Requirement], int]:
        """Branches up to a closing parenthesis or the end. One branch requires all its requirements;
        several require the union of each one's most selective requirement (nothing if one has none)."""
        branches = []
        while True:
            requirements, at = self.sequence(at)
            branches.append(requirements)
            if at < len(self.pattern) and self.pattern[at] == "|":
                at += 1
                continue
            if len(branches) == 1:
                return branches[0], at
            if not all(branches):
                return [], at
            return [frozenset().union(*(max(b, key=_selectivity) for b in branches))], at

    def sequence(self, at: int) -> tuple[list[Requirement], int]:
        """Requirements of one branch: each run of literal characters and each mandatory group's."""
        pattern, run, candidates = self.pattern, "", []
        while at < len(pattern) and pattern[at] not in "|)":
            kind, value, at = self.atom(at)
            least, once, at = self.quantifier(at)
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
        zero = False
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
            zero, at = True, at + 4
        elif pattern.startswith(("(?P<", "(?<", "(?'"), at):
            at = pattern.index(">" if pattern[at + 2] != "'" else "'", at + 3) + 1
        elif pattern.startswith("(?", at):
            end = at + 2
            while pattern[end] in _INLINE_FLAGS:
                end += 1
            if end == at + 2 or pattern[end] not in ":)":
                raise _Unsure("group syntax")  # conditionals, recursion, verbose or V1 flags
            if pattern[end] == ")":
                return "zero", None, end + 1
            at = end + 1
        else:
            at += 1
        requirements, at = self.alternation(at)
        if pattern[at] != ")":
            raise _Unsure("unclosed group")
        return ("zero", None, at + 1) if zero else ("group", requirements, at + 1)

    def quantifier(self, at: int) -> tuple[int, bool, int]:
        """(least number of copies, whether exactly one, next position): (1, True) without a quantifier."""
        pattern = self.pattern
        if at >= len(pattern) or pattern[at] not in "*+?{":
            return 1, True, at
        if pattern[at] == "{":
            end = pattern.index("}", at)
            bounds = pattern[at + 1:end].split(",")
            if len(bounds) > 2 or not all(b.isdigit() or b == "" for b in bounds) or bounds == [""]:
                raise _Unsure("fuzzy matching or a literal brace")
            least = int(bounds[0] or 0)
            once, at = bounds in (["1"], ["1", "1"]), end + 1
        else:
            least, once, at = (0 if pattern[at] in "*?" else 1), False, at + 1
        if at < len(pattern) and pattern[at] in "?+":
            at += 1  # lazy or possessive
        return least, once, at


def _selectivity(requirement: Requirement) -> tuple[int, int]:
    """Longer shortest string first, then fewer strings."""
    return min(len(text.encode()) for text in requirement), -len(requirement)
