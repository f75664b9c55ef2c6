"""Inline suppressions: ``rightscheck: ignore RULE[, RULE...] -- reason`` on a finding's line or the line above.

In HTML and Markdown the directive sits in a comment (``<!-- rightscheck: ignore afp/missing-attribution --
licensed via syndication deal 2026-114 -->``); in plain text, on a line of its own. Rules may use ``*``
(``afp/*``). A directive without a reason still suppresses, but is itself reported, because a suppression
nobody can explain is how licences get forgotten."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

import regex

from rightscheck.documents import Document
from rightscheck.findings import Finding

RULE = "rightscheck/unexplained-suppression"
_DIRECTIVE = regex.compile(
    r"rightscheck:\h*ignore\h+(?P<rules>[\w*/.-]+(?:\h*,\h*[\w*/.-]+)*)(?:\h+--(?!>)\h*(?P<reason>.*?))?\h*\r?(?:-->|$)",
    regex.M,
)


@dataclass(frozen=True)
class Directive:
    line: int
    end_line: int
    column: int
    end_column: int
    rules: tuple[str, ...]
    reason: str

    def covers(self, finding: Finding) -> bool:
        return finding.line in (self.line, self.end_line + 1) and any(
            fnmatch.fnmatchcase(finding.rule, rule) for rule in self.rules)


def directives(doc: Document) -> list[Directive]:
    """Every suppression directive in the file's own text (comments included)."""
    if "rightscheck:" not in doc.source:
        return []
    found = []
    for match in _DIRECTIVE.finditer(doc.source):
        (line, column), (end_line, end_column) = map(doc.source_line_col, match.span())
        rules = tuple(rule.strip() for rule in match["rules"].split(","))
        found.append(Directive(line, end_line, column, end_column, rules, (match["reason"] or "").strip()))
    return found


def apply(doc: Document, findings: list[Finding]) -> tuple[list[Finding], int]:
    """(findings kept plus one warning per directive without a reason, number suppressed)."""
    marks = directives(doc)
    if not marks:
        return findings, 0
    kept = [f for f in findings if not any(mark.covers(f) for mark in marks)]
    unexplained = [
        Finding(rule=RULE, pack="rightscheck", kind="unexplained-suppression", severity="warning", path=doc.path,
                line=mark.line, column=mark.column, end_line=mark.end_line, end_column=mark.end_column,
                message=f"suppression of {', '.join(mark.rules)} gives no reason; add one after ' -- ' "
                        "(e.g. the licence or agreement that allows the content)",
                evidence=", ".join(mark.rules))
        for mark in marks if not mark.reason
    ]
    return kept + unexplained, len(findings) - len(kept)
