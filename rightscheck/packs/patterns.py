"""Compiling pack matchers (regex patterns, literal phrases, link patterns) and running them on a Document."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, TypeVar

import regex

from rightscheck.documents.document import Document
from rightscheck.text.keywords import folds_plainly
from rightscheck.text.literals import Reach, reach, required_literals
from rightscheck.packs.windows import Window, windows


T = TypeVar("T")
STRIKES = 3  # documents a pattern may run out of time on before it is skipped for the rest of the scan
SCAN_BUDGET = 30  # time limits a pattern may run in all in one scan (per worker process)
LIMIT_PER = 1_000_000  # characters searched per time limit: a search of 50 MB gets 50 limits
WINDOWED_FROM = 1 << 16  # characters of a region from which a pattern searches windows around its literals
_clock = time.monotonic  # deadlines of windowed searches (``time.perf_counter`` measures what searches took)
_NEVER = regex.compile(r"(?!)")  # what a pattern that cannot compile matches
_QUOTES = "'‘’‚‛ʼ`´"
_DQUOTES = '"“”„‟«»'
_DASHES = "-‐‑‒–—―"


def compile_pattern(pattern: str, ignore_case: bool = False) -> regex.Pattern:
    """Compile a pack regex with the `regex` module (Unicode properties; full case folding when ignoring case)."""
    flags = regex.V0 | (regex.IGNORECASE | regex.FULLCASE if ignore_case else 0)
    return regex.compile(pattern, flags)


MAX_REPEATS = 100_000  # nested counted repeats a pattern may multiply to (built-in packs: at most a few hundred)
_COUNTED = regex.compile(r"\{(\d*)(?:(,)(\d*))?\}[?+]?")


def nested_repeats(pattern: str) -> int:
    """The largest product of counted repeats (``{n}``, ``{m,n}``) nested in ``pattern``: what compiling may
    unroll (``(?:(?:a{1000}){1000}){1000}`` is a billion, and took 5.7 GB before failing). Unbounded
    repeats (``*``, ``+``, and what ``{m,}`` allows beyond ``m``) are loops, not copies."""
    levels, i = [1], 0  # the largest weight of an item at each open group
    while i < len(pattern):
        char = pattern[i]
        if char == "(":
            levels.append(1)
            i += 1
            continue
        if char == ")" and len(levels) > 1:
            weight, i = levels.pop(), i + 1
        elif char == "\\":
            close = pattern.find("}", i) if pattern[i + 1:i + 3] in ("p{", "P{", "N{") else -1
            weight, i = 1, (close + 1 if close > 0 else i + 2)
        elif char == "[":
            weight, i = 1, _class_end(pattern, i)
        else:
            weight, i = 1, i + 1
        counted = _COUNTED.match(pattern, i)
        if counted:
            low, comma, high = counted.groups()
            times = int(high) if comma and high else int(low or 1)  # "{2,}": its two copies, then a loop
            weight, i = weight * max(times, 1), counted.end()
        levels[-1] = max(levels[-1], weight)
    return max(levels)


def _class_end(pattern: str, start: int) -> int:
    """Index just after the character class opening at ``start`` (a "]" first in it is a member)."""
    i = start + 1 + (pattern[start + 1:start + 2] == "^")
    i += pattern[i:i + 1] == "]"
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i + 1


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
            try:
                compiled = compile_pattern(self.source, self.ignore_case)
            except regex.error as exc:  # only a damaged pack cache holds one: the pack was validated when cached
                self._state["error"] = f"{self.origin}: pattern does not compile: {exc}"
                self._state["off"] = True
                compiled = _NEVER
            self._state["pattern"] = compiled
        return compiled

    @property
    def literals(self) -> tuple[tuple[bytes, ...], ...] | None:
        """What every match in the visible text must contain (rightscheck.text.literals), worked out on first use;
        None for link and image matchers and where the pattern promises nothing."""
        if "literals" not in self._state:
            found = required_literals(self.source, folds_plainly) if self.target == "text" else None
            self._state["literals"] = found and tuple(tuple(s.encode() for s in group) for group in found)
        return self._state["literals"]

    @property
    def reach(self) -> Reach | None:
        """How far an attempt to match looks ahead (rightscheck.text.literals.reach), worked out on first use."""
        if "reach" not in self._state:
            self._state["reach"] = reach(self.source, self.ignore_case)
        return self._state["reach"]

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
        if self._skipped(doc):
            return False
        try:
            return self._timed(doc, lambda left: any(
                not (self.acronym and self.acronym.defines(subject, *found.span()))
                for found in self.pattern.finditer(subject, timeout=left)))
        except TimeoutError:
            self._disable(doc)
            return False

    def _matches(self, doc: Document, start: int, end: int | None) -> Iterator[Match]:
        if self._skipped(doc):
            return
        low, high = doc.region(self.within)
        start, end = max(low, start), high if end is None else min(high, end)
        try:
            if self.target != "text":
                if self.target == "links":
                    for offset, href in doc.links:
                        if start <= offset < end and self._timed(
                                doc, lambda left: self.pattern.search(href, timeout=left)):
                            yield Match(offset, offset + 1, href)
                for image in doc.images if self.target in ("images", "captions") else ():
                    subject = image.caption if self.target == "captions" else image.described
                    if start <= image.offset < end and self._timed(
                            doc, lambda left: self.pattern.search(subject, timeout=left)):
                        yield Match(image.offset, image.offset + 1, image.described, image.markup)
                return
            if self.literals and not doc.may_hold(self.literals):
                return
            yield from self._text_matches(doc, start, end)
        except TimeoutError:
            self._disable(doc)

    def _text_matches(self, doc: Document, start: int, end: int) -> Iterator[Match]:
        """Matches in ``start``..``end``, searched in windows around the pattern's literals in a big region
        (rightscheck.packs.windows: the same matches), under a time limit that grows with the characters searched."""
        spans = None
        if end - start >= WINDOWED_FROM and self.literals and self.reach:
            spans = windows(doc, self.literals, self.reach, start, end)
        spans = [Window(start, end, end)] if spans is None else spans
        limit = self.limit(sum(w.end - w.start for w in spans))
        started = time.perf_counter()
        deadline = None if limit is None else _clock() + limit
        resume = start
        try:
            for window in spans:
                if max(window.start, resume) > window.last:
                    continue
                left = None if deadline is None else deadline - _clock()
                if left is not None and left <= 0:
                    raise TimeoutError
                for found in self.pattern.finditer(doc.text, max(window.start, resume), window.end, timeout=left):
                    if found.start() > window.last:  # the next window's, if any, finds it again
                        break
                    resume = found.end()
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
            self._disable(doc, limit)
        finally:
            self._account(doc, time.perf_counter() - started, limit)

    def limit(self, searched: int) -> float | None:
        """Seconds a search of ``searched`` characters may take: the pattern's time limit, once per
        :data:`LIMIT_PER` characters beyond the first (a legitimate 50 MB file is searched to the end)."""
        return None if self.timeout is None else self.timeout * max(1.0, searched / LIMIT_PER)

    def _timed(self, doc: Document, search: Callable[[float | None], T]) -> T:
        """``search(seconds left)`` within this pattern's one time budget for ``doc``: a page of 200 long links
        gets the limit once, not once per link (82 s for one page before)."""
        spent = doc.spent.get(self, 0.0)
        left = None if self.timeout is None else self.timeout - spent
        if left is not None and left <= 0:
            raise TimeoutError
        started = time.perf_counter()
        try:
            return search(left)
        finally:
            elapsed = time.perf_counter() - started
            doc.spent[self] = spent + elapsed
            self._account(doc, elapsed, self.timeout)

    @property
    def slow(self) -> str | None:
        """A warning once one search took over half the time limit: the pattern is close to timing out."""
        return self._state.get("slow")

    def _account(self, doc: Document, elapsed: float, limit: float | None) -> None:
        """Count ``elapsed`` seconds of one search of ``doc`` that had ``limit`` seconds: warn once a search
        takes over half its limit, and turn the pattern off once it has run :data:`SCAN_BUDGET` time limits
        in all at over a tenth of a limit per search (per limit a big text's search had), as just under the
        limit on every file would otherwise cost that on every file."""
        if self.timeout is None:
            return
        total = self._state["total"] = self._state.get("total", 0.0) + elapsed
        searches = self._state["searches"] = self._state.get("searches", 0) + limit / self.timeout
        if elapsed > limit / 2 and "slow" not in self._state:
            self._state["slow"] = (f"{self.origin}: pattern took {elapsed:.2f} s on {doc.path}, over half its "
                                   f"{limit:g} s limit")
        # a slow pattern, not a fast one over a million documents: a tenth of the limit per search on average
        if total > SCAN_BUDGET * self.timeout and total > searches * self.timeout / 10 and not self._state.get("off"):
            self._state["off"] = True
            self._state["error"] = (f"{self.origin}: pattern ran {total:.0f} s in all, over its budget of "
                                    f"{SCAN_BUDGET} times {self.timeout:g} s per scan; "
                                    "skipped for the rest of this scan")

    def _skipped(self, doc: Document) -> bool:
        """Off for the scan, or out of time on ``doc``."""
        return bool(self._state.get("off")) or doc.spent.get(self) == math.inf

    def _disable(self, doc: Document, limit: float | None = None) -> None:
        """Out of time (``limit`` seconds, if not the pattern's own limit) on ``doc``: skipped for the rest of
        it, and for the rest of the scan once that has happened on :data:`STRIKES` documents (one huge
        legitimate file does not cost the pattern every other)."""
        doc.spent[self] = math.inf
        files = self._state.setdefault("timed_out", [])
        files.append(doc.path)
        if len(files) >= STRIKES:
            self._state["off"] = True
        where = ("for the rest of this scan" if self._state.get("off")
                 else "on that file" if len(files) == 1 else "on those files")
        self._state["error"] = (f"{self.origin}: pattern ran longer than {limit or self.timeout:g} s on "
                                f"{', '.join(files)}; skipped {where}")
