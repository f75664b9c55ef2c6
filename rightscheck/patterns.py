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
    target: str = "text"  # "text", or "links" (link targets) or "images" (image source, alt and title)
    within: tuple[str, int] | None = None
    label: str = ""  # the pack's own spelling, for `rules show`
    origin: str = ""  # "rules/x.yaml:12: signals[3].pattern", for errors
    timeout: float | None = None
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
                for image in doc.images if self.target == "images" else ():
                    if start <= image.offset < end and self.pattern.search(image.described, timeout=self.timeout):
                        yield Match(image.offset, image.offset + 1, image.described, image.markup)
                return
            if self.literals and not doc.may_hold(self.literals):
                return
            for found in self.pattern.finditer(doc.text, start, end, timeout=self.timeout):
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
