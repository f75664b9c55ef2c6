"""Deciding, per document and pack, whether the source's content is there and credited as its terms require."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable
from urllib.parse import urlsplit

from rightscheck.documents.document import LICENCE_KEYS, SOURCE_KEYS, Document
from rightscheck.core.findings import Finding, one_line
from rightscheck.packs.pack import Pack, Signal, normalise_name
from rightscheck.packs.patterns import Match, Matcher

EVIDENCE_LIMIT = 80


@dataclass(frozen=True)
class Evidence:
    """Why we believe a document carries a pack's content."""

    signal: str
    weight: float
    start: int
    end: int
    text: str
    line: int | None = None  # set when the evidence is front matter, which has no visible-text offset
    source: dict | None = None  # set when the evidence is text reused from an indexed source
    markup: tuple[int, int] | None = None  # set when the evidence is an element (image): its source offsets
    count: int = 1  # the same image repeated on the page: one piece of evidence stands for all of them


def detect(doc: Document, pack: Pack, found: dict[Matcher, Match | None]) -> list[Evidence]:
    """Signals of ``pack`` in ``found`` (each counted once) plus declared provenance; empty below threshold."""
    hits = [Evidence(s.id, s.weight, m.start, m.end, m.text, markup=m.markup)
            for s in pack.signals if (m := found.get(s.matcher))]
    hits.extend(_declared(doc, pack))
    score = sum(hit.weight for hit in hits)
    return hits if score >= pack.threshold else []


def _declared(doc: Document, pack: Pack) -> Iterable[Evidence]:
    if not doc.front_matter:
        return
    for keys, names in ((SOURCE_KEYS, pack.sources), (LICENCE_KEYS, pack.licences)):
        for key in keys:
            value = doc.front_matter.get(key)
            values = value if isinstance(value, list) else [value]
            if value is not None and any(normalise_name(v) in names for v in values):
                yield Evidence(f"front matter {key}", pack.threshold, 0, 0, f"{key}: {_flat(value)}",
                               doc.front_matter_lines.get(key, 1))


def _flat(value) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def signal_matches(doc: Document, pack: Pack) -> dict[Matcher, Match | None]:
    """First match (or None) of each of the pack's signals that ran in ``doc``; signals whose keywords are
    absent are not run and not in the mapping (they cannot match)."""
    return {signal.matcher: signal.matcher.search(doc) for signal in _runnable(doc, pack)}


def _runnable(doc: Document, pack: Pack) -> list[Signal]:
    """Signals whose keywords (their own, else the pack's) occur in ``doc``."""
    return [s for keywords, target, group in pack.keyword_groups if doc.mentions(keywords, target) for s in group]


def carries(doc: Document, pack: Pack) -> str | None:
    """How ``doc`` shows it carries the pack's content: "front matter", "signals" or None.

    Signals run strongest first and stop at the threshold: cheaper than :func:`detect` when only the
    answer, not the evidence, is wanted (attributing indexed sources)."""
    if any(True for _ in _declared(doc, pack)):
        return "front matter"
    score = 0.0
    for signal in sorted(_runnable(doc, pack), key=lambda s: -s.weight):
        if signal.matcher.search(doc):
            score += signal.weight
            if score >= pack.threshold:
                return "signals"
    return None


def check(doc: Document, pack: Pack, licensed: bool, reused: list[Evidence] = (),
          found: dict[Matcher, Match | None] | None = None) -> list[Finding]:
    """Findings of ``pack`` in ``doc``; ``licensed`` says the config declares a licence for the pack.

    ``reused`` is evidence from text reuse: it proves the content is there (so a missing credit is
    reported) but not that more than a quotation was taken, so it never raises unlicensed-content.
    ``found`` passes in :func:`signal_matches` when the caller already has it.
    """
    if pack.home_hosts and published_at(doc.url, pack.home_hosts):
        return []  # the source's own page, not a republication of it
    found = signal_matches(doc, pack) if found is None else found
    declared = any(key in doc.front_matter for key in SOURCE_KEYS + LICENCE_KEYS)
    if not reused and not declared and not any(found.values()):
        return []  # the common case: nothing of this pack here
    textual = detect(doc, pack, found)
    hits = textual or [*reused]
    if not hits:
        return []
    anchor = min(hits, key=lambda h: (-h.weight, h.line or doc.line_col(h.start)[0], h.start))
    places = [anchor]
    if pack.credit_near and textual:  # e.g. photo credits: every image that alone identifies the source needs its own
        places = _occurrences(doc, pack, found) or places
    findings = []
    for where in places:
        kinds, missing = _credit_kinds(doc, pack, found, where)
        if where is places[0] and pack.requires_licence and not licensed and textual:
            kinds.append("unlicensed-content")
        values = {
            **template_values(pack, where), "expected": _both(part.description for part in pack.parts),
            "missing": _both(part.description for part in missing),
        }
        findings.extend(make_finding(doc, pack, kind, where, values) for kind in kinds)
    return findings


def published_at(url: str | None, hosts: tuple[str, ...]) -> bool:
    """Whether ``url`` is on one of ``hosts`` or a subdomain of one (whole host names, never substrings)."""
    if not url:
        return False
    try:
        host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
    except ValueError:  # not an address ("http://[broken/x"): the page says nothing about where it is
        return False
    return any(host == h or host.endswith("." + h) for h in hosts)


def _credit_kinds(doc: Document, pack: Pack, found: dict[Matcher, Match | None], at: Evidence
                  ) -> tuple[list[str], list]:
    """(kinds, missing parts) for the credit required of the content evidenced by ``at``; an image's own
    caption counts as beside it (a gallery slide's caption is shown only by the gallery's script)."""
    caption = doc.caption_of(at.markup) if at.markup else None

    def credited(form: Matcher) -> bool:
        if form.within and form.within[0] == "near":
            return bool(form.search(doc, *doc.around(at.start, form.within[1]))) or (
                caption is not None and form.matches(caption, doc))
        if form in found:
            return bool(found[form])
        return form not in pack.signal_matchers and bool(form.search(doc))  # a signal not run cannot match

    missing = [part for part in pack.parts if not any(credited(form) for form in part.forms)]
    if pack.parts and len(missing) == len(pack.parts):
        return ["missing-attribution"], missing
    return (["incomplete-attribution"] if missing else []), missing


def _occurrences(doc: Document, pack: Pack, found: dict[Matcher, Match | None]) -> list[Evidence]:
    """Every match of each signal strong enough alone to identify the source, in document order; an image
    repeated on the page (the same thumbnail in several widgets) is one occurrence, counted."""
    # an image is its markup (images side by side share a text offset), a text match its span
    hits = {m.markup or (m.start, m.end): Evidence(s.id, s.weight, m.start, m.end, m.text, markup=m.markup)
            for s in pack.signals if s.weight >= pack.threshold and found.get(s.matcher)
            for m in s.matcher.finditer(doc)}
    first: dict[object, Evidence] = {}
    for hit in sorted(hits.values(), key=lambda h: (h.start, h.end, h.markup or (0, 0))):
        key = hit.text if hit.markup is not None else (hit.start, hit.end)
        first[key] = replace(first[key], count=first[key].count + 1) if key in first else hit
    return list(first.values())


def make_finding(doc: Document, pack: Pack, kind: str, anchor: Evidence, values: dict) -> Finding:
    """A finding of ``kind`` placed on ``anchor``, its message filled from the pack's template."""
    template = pack.findings[kind]
    if anchor.line is not None:
        line, column, end_line, end_column = anchor.line, 1, anchor.line, len(_line_text(doc, anchor.line)) + 1
    elif anchor.markup is not None:
        (line, column), (end_line, end_column) = map(doc.source_line_col, anchor.markup)
    else:
        line, column = doc.line_col(anchor.start)
        end_line, end_column = doc.end_line_col(anchor.end)
    return Finding(
        rule=f"{pack.id}/{kind}", pack=pack.id, kind=kind, severity=template.severity, path=doc.path,
        line=line, column=column, end_line=end_line, end_column=end_column,
        message=" ".join(template.message.format_map(values).split()), evidence=values["evidence"],
        source=anchor.source, signal=anchor.signal,
        region=doc.region_at(anchor.start) if anchor.line is None else None,
        occurrences=anchor.count if anchor.count > 1 else None,
    )


def template_values(pack: Pack, anchor: Evidence) -> dict:
    """Message placeholders every finding kind can use."""
    source = anchor.source or {}
    return {
        "pack": pack.id, "name": pack.name, "evidence": one_line(anchor.text, EVIDENCE_LIMIT), "signal": anchor.signal,
        "terms": pack.terms, "expected": "", "missing": "", "words": source.get("words", ""),
        "limit": "", "source": source.get("path", ""),
    }


def _line_text(doc: Document, line: int) -> str:
    lines = doc.source.split("\n", line)
    return lines[line - 1].rstrip("\r") if len(lines) >= line else ""


def _both(items: Iterable[str]) -> str:
    return " and ".join(items)
