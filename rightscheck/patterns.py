"""Compiling pack matchers (regex patterns, literal phrases, link patterns) and running them on a Document."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import regex

from rightscheck.documents import Document
from rightscheck.keywords import folds_plainly
from rightscheck.literals import required_literals


_QUOTES = "'‘’‚‛ʼ`´"
_DQUOTES = '"“”„‟«»'
_DASHES = "-‐‑‒–—―"


def compile_pattern(pattern: str, ignore_case: bool = False) -> regex.Pattern:
    """Compile a pack regex with the `regex` module (Unicode properties; full case folding when ignoring case)."""
    flags = regex.V0 | (regex.IGNORECASE | regex.FULLCASE if ignore_case else 0)
    return regex.compile(pattern, flags)


def phrase_to_pattern(phrase: str) -> str:
    """Literal words -> a regex tolerant of line wrapping and of quote and dash styles."""
    words = []
    for word in phrase.split():
        out = []
        for char in word:
            if char in _QUOTES:
                out.append(f"[{regex.escape(_QUOTES)}]")
            elif char in _DQUOTES:
                out.append(f"[{regex.escape(_DQUOTES)}]")
            elif char in _DASHES:
                out.append(f"[{regex.escape(_DASHES)}\\s]")
            else:
                out.append(regex.escape(char))
        words.append("".join(out))
    body = r"\s+".join(words)
    head = r"(?<!\w)" if phrase.strip()[:1].isalnum() else ""
    tail = r"(?!\w)" if phrase.strip()[-1:].isalnum() else ""
    return head + body + tail


_LONG_FORM_STOP = regex.compile(r"[^\s\p{L}\p{M}'’.-]")  # punctuation and digits end a spelled-out name
_NAME_PARTS = regex.compile(r"[\s-]+")


@dataclass(frozen=True)
class Acronym:
    """A source's short name and the spelled-out names it also abbreviates ("Australian Federal Police
    (AFP)"): a match of a pack pattern whose "(NAME)" follows such a name is an abbreviation in running
    text, not the agency's dateline or credit. Besides the pack's list, any name whose words spell the
    letters (the Schwartz-Hearst test for abbreviation definitions) counts, unless it is in capitals, as
    datelines are, or a single word ("Aspen (AP)")."""

    name: str
    expansions: tuple[str, ...] = ()

    def defines(self, text: str, start: int, end: int) -> bool:
        """Whether an "(NAME)" in ``text[start:end]`` follows its own expansion."""
        # found in the text itself: a case fold may change lengths ("ß" -> "ss"), and offsets must not move
        for marker in regex.finditer(rf"\({regex.escape(self.name)}\)", text[start:end], regex.IGNORECASE):
            at = start + marker.start()
            line_start = text.rfind("\n", 0, at) + 1
            if self._expands(" ".join(text[max(line_start, at - 120):at].split())):
                return True
        return False

    def _expands(self, before: str) -> bool:
        if before.endswith((".", "!", "?", "…")):  # "(NAME)" after a sentence's end closes it: no expansion
            return False
        folded = before.casefold()
        if any(folded.endswith(" ".join(e.casefold().split())) for e in self.expansions):
            return True
        stop = None
        for stop in _LONG_FORM_STOP.finditer(before):
            pass
        words = before[stop.end() if stop else 0:].split()[-(len(self.name) + 3):]
        candidate = " ".join(words)
        if len(_NAME_PARTS.split(candidate)) < 2 or candidate.upper() == candidate:
            return False
        return _spells(self.name.casefold(), candidate.casefold())


def _spells(short: str, long: str) -> bool:
    """Schwartz & Hearst (2003): the short form's letters occur in order in the long form, read from the
    end, its first letter at the start of a word."""
    li = len(long) - 1
    for si in range(len(short) - 1, -1, -1):
        char = short[si]
        if not char.isalnum():
            continue
        while li >= 0 and (long[li] != char or (si == 0 and li > 0 and long[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return False
        li -= 1
    return True


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    text: str
    markup: tuple[int, int] | None = None  # source offsets of the element matched (images)


@dataclass(frozen=True, eq=False)
class Matcher:
    """One compiled pattern, where it looks (visible text or link targets) and which region counts.

    Compared and hashed by identity: a credit form that names a signal shares the signal's matcher,
    so one search answers both. Every search runs under ``timeout`` seconds: a pattern that takes
    longer (catastrophic backtracking in a third-party pack) is disabled for the rest of the scan and
    its ``error`` names the pack file, line and key, so one bad pattern cannot stall a scan."""

    source: str  # the regex (a phrase already turned into one)
    ignore_case: bool = False
    target: str = "text"  # "text", or "links" (link targets), "images" (image source, alt and title), "captions"
    within: tuple[str, int] | None = None
    label: str = ""  # the pack's own spelling, for `rules show`
    origin: str = ""  # "rules/x.yaml:12: signals[3].pattern", for errors
    timeout: float | None = None
    # the pack's text is never an image's caption (ignore_captions): a match inside a caption element is skipped
    skip_captions: bool = False
    acronym: Acronym | None = None  # the pack's short name: its "(NAME)" after an expansion is not a match
    _state: dict = field(default_factory=dict, repr=False)  # "pattern" once compiled, "error" once disabled

    @property
    def pattern(self) -> regex.Pattern:
        """The compiled regex: compiled on first use, as a scan of a few files needs only a few patterns."""
        compiled = self._state.get("pattern")
        if compiled is None:
            compiled = self._state["pattern"] = compile_pattern(self.source, self.ignore_case)
        return compiled

    @property
    def literals(self) -> tuple[tuple[bytes, ...], ...] | None:
        """What every match in the visible text must contain (rightscheck.literals), worked out on first use;
        None for link and image matchers and where the pattern promises nothing."""
        if "literals" not in self._state:
            found = required_literals(self.source, folds_plainly) if self.target == "text" else None
            self._state["literals"] = found and tuple(tuple(s.encode() for s in group) for group in found)
        return self._state["literals"]

    @property
    def error(self) -> str | None:
        return self._state.get("error")

    def search(self, doc: Document, start: int = 0, end: int | None = None) -> Match | None:
        """First match in the allowed region of ``doc`` (narrowed to ``start``..``end`` if given), or None."""
        return next(self._matches(doc, start, end), None)

    def finditer(self, doc: Document, start: int = 0) -> list[Match]:
        """All matches in the allowed region of ``doc`` from ``start`` on."""
        return list(self._matches(doc, start, None))

    def matches(self, subject: str, doc: Document) -> bool:
        """Whether the pattern matches ``subject``, a string of ``doc`` (an image's caption), under the same
        time limit as every search."""
        if self.error:
            return False
        try:
            return any(not (self.acronym and self.acronym.defines(subject, *found.span()))
                       for found in self.pattern.finditer(subject, timeout=self.timeout))
        except TimeoutError:
            self._disable(doc)
            return False

    def _matches(self, doc: Document, start: int, end: int | None) -> Iterator[Match]:
        if self.error:
            return
        low, high = doc.region(self.within)
        start, end = max(low, start), high if end is None else min(high, end)
        try:
            if self.target != "text":
                if self.target == "links":
                    for offset, href in doc.links:
                        if start <= offset < end and self.pattern.search(href, timeout=self.timeout):
                            yield Match(offset, offset + 1, href)
                for image in doc.images if self.target in ("images", "captions") else ():
                    subject = image.caption if self.target == "captions" else image.described
                    if start <= image.offset < end and self.pattern.search(subject, timeout=self.timeout):
                        yield Match(image.offset, image.offset + 1, image.described, image.markup)
                return
            if self.literals and not doc.may_hold(self.literals):
                return
            for found in self.pattern.finditer(doc.text, start, end, timeout=self.timeout):
                if self.acronym and self.acronym.defines(doc.text, *found.span()):
                    continue
                if self.skip_captions and doc.captions and doc.in_caption(*found.span()):
                    continue
                # Report the span without surrounding whitespace (HTML markup is blanked to spaces).
                text = found.group()
                lead = len(text) - len(text.lstrip())
                trimmed = text.strip()
                yield Match(found.start() + lead, found.start() + lead + len(trimmed), trimmed)
        except TimeoutError:
            self._disable(doc)

    def _disable(self, doc: Document) -> None:
        self._state["error"] = (f"{self.origin}: pattern ran longer than {self.timeout:g} s on {doc.path}; "
                                "skipped for the rest of this scan")
