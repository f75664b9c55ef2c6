"""Inline suppressions: ``rightscheck: ignore RULE[, RULE...] -- reason`` on a finding's line or the line above.

In HTML and Markdown the directive sits in a comment (``<!-- rightscheck: ignore afp/missing-attribution --
licensed via syndication deal 2026-114 -->``); in plain text, on a line of its own. Rules may use ``*``
(``afp/*``). A comment may span lines: it then covers the line after its ``-->``, and the reason may run on
to its end. Suppressed findings are kept, with the reason as their justification (SARIF, JSON report).

A suppression is a claim about someone's rights that nobody re-reads, so it must not rot silently. The reason
is required: a directive without one suppresses nothing and is an error. A directive naming a rule that no
pack has (a typo suppresses nothing), or one that suppresses nothing any more (ruff's unused ``noqa``), is a
warning, an error under ``--fail-on-unused-suppressions``. A rule the scan did not run (a pack left out with
``--only`` or ``--exclude``; the reuse findings without ``--sources``) might still occur elsewhere, so a rule or
pattern (``afp/*``) is called unused only if the scan ran some rule it names."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Iterable, Iterator

import regex

from rightscheck.documents.document import Document
from rightscheck.documents.packed import PackedText
from rightscheck.packs.explain import TOOL_RULES
from rightscheck.core.findings import Finding
from rightscheck.packs.pack import KINDS, REUSE_KINDS

UNEXPLAINED = "rightscheck/unexplained-suppression"
UNKNOWN = "rightscheck/unknown-rule-in-suppression"
UNUSED = "rightscheck/unused-suppression"
SEVERITIES = {UNEXPLAINED: "error", UNKNOWN: "warning", UNUSED: "warning"}  # the last two: errors on request
_MARK = "rightscheck:"  # where a directive starts
_DIRECTIVE = regex.compile(
    r"rightscheck:\h*ignore\h+(?P<rules>[\w*/.-]+(?:\h*,\h*[\w*/.-]+)*)"
    r"(?:\h+(?P<dashes>--)(?!>)\h*(?P<reason>.*?))?\h*\r?(?:-->|$)",
    regex.M,
)


@dataclass(frozen=True)
class Rules:
    """What directives are checked against: every rule a directive may name (every available pack's, and
    rightscheck's own), those this scan could find, and the severity of a directive that suppresses nothing."""

    known: frozenset[str]
    run: frozenset[str]
    idle_severity: str = "warning"

    @classmethod
    def of(cls, available: Iterable[str], run: Iterable[str], reuse: bool, idle_severity: str) -> Rules:
        """From the ids of the available packs and of those run; without ``reuse`` (no sources) the reuse
        kinds were not run either."""
        kinds = KINDS if reuse else tuple(kind for kind in KINDS if kind not in REUSE_KINDS)
        own = frozenset(TOOL_RULES)
        return cls(own | {f"{pack}/{kind}" for pack in available for kind in KINDS},
                   own | {f"{pack}/{kind}" for pack in run for kind in kinds}, idle_severity)


@dataclass(frozen=True)
class Directive:
    line: int  # where the directive itself stands
    end_line: int
    column: int
    end_column: int
    rules: tuple[str, ...]
    reason: str
    last_line: int  # the last line it covers: the next one, or the one after the end of its HTML comment

    def covering_rule(self, finding: Finding) -> str | None:
        """The first of the directive's rules that covers ``finding``, if any."""
        if not self.line <= finding.line <= self.last_line:
            return None
        return next((rule for rule in self.rules if fnmatch.fnmatchcase(finding.rule, rule)), None)


def directives(doc: Document) -> list[Directive]:
    """Every suppression directive in the file's own text (comments included)."""
    source = doc.source
    matches = list(_matches(source))
    found = []
    for (start, end, named, dashes, reason), following in zip(matches, [*matches[1:], None]):
        (line, column), (end_line, end_column) = map(doc.source_line_col, (start, end))
        rules = tuple(rule.strip() for rule in named.split(","))
        last_line = end_line + 1
        closing = _comment_end(source, start)
        if closing is not None:
            last_line = doc.source_line_col(closing)[0] + 1
            if dashes:  # the reason runs on over the comment's lines, up to its end or the next directive
                reason += source[end:min(closing, following[0] if following else closing)]
        found.append(Directive(line, end_line, column, end_column, rules, " ".join(reason.split()), last_line))
    return found


def _matches(source: str | PackedText) -> Iterator[tuple[int, int, str, str | None, str]]:
    """(start, end, rules, dashes, reason) of each directive, as ``_DIRECTIVE.finditer`` finds them, but
    matched where "rightscheck:" occurs, on the rest of its line up to its first "-->" (where a match ends
    at the latest): a big page's packed source is not one str, and its lines may be megabytes long."""
    at = source.find(_MARK)
    while at >= 0:
        line_end, comment_end = source.find("\n", at), source.find("-->", at)
        ends = [end for end in (line_end, comment_end + 3 if comment_end >= 0 else -1) if end >= 0]
        match = _DIRECTIVE.match(source[at:min(ends, default=len(source))])
        if match:
            yield at, at + match.end(), match["rules"], match["dashes"], match["reason"] or ""
        at = source.find(_MARK, at + (match.end() if match else 1))


def _comment_end(source: str | PackedText, offset: int) -> int | None:
    """Offset of the ``-->`` that closes the HTML comment ``offset`` is in, if it is in one."""
    opened = source.rfind("<!--", 0, offset)
    if opened < 0 or source.find("-->", opened + 4, offset) >= 0:
        return None
    closing = source.find("-->", offset)
    return closing if closing >= 0 else None


def apply(doc: Document, findings: list[Finding], rules: Rules) -> tuple[list[Finding], list[tuple[Finding, str]]]:
    """(the findings no directive with a reason covers, plus findings about the directives themselves;
    the suppressed findings, each with the reason of the first directive that covers it)."""
    marks = directives(doc)
    if not marks:
        return findings, []
    kept: list[Finding] = []
    suppressed: list[tuple[Finding, str]] = []
    used: set[tuple[Directive, str]] = set()
    for finding in findings:
        cover = next(((mark, rule) for mark in marks if mark.reason and (rule := mark.covering_rule(finding))), None)
        if cover:
            used.add(cover)
            suppressed.append((finding, cover[0].reason))
        else:
            kept.append(finding)
    return kept + [problem for mark in marks for problem in _problems(doc, mark, used, rules)], suppressed


def _problems(doc: Document, mark: Directive, used: set[tuple[Directive, str]], rules: Rules) -> list[Finding]:
    """Findings about one directive: no reason, rules that no pack has, rules it suppressed nothing for."""
    def about(rule: str, severity: str, message: str, evidence: str) -> Finding:
        return Finding(rule=rule, pack="rightscheck", kind=rule.partition("/")[2], severity=severity, path=doc.path,
                       line=mark.line, column=mark.column, end_line=mark.end_line, end_column=mark.end_column,
                       message=message, evidence=evidence)

    problems = []
    if not mark.reason:
        problems.append(about(UNEXPLAINED, SEVERITIES[UNEXPLAINED],
                              f"suppression of {', '.join(mark.rules)} gives no reason, so it suppresses nothing; "
                              "add the reason after ' -- ' (e.g. the licence or agreement that allows the content)",
                              ", ".join(mark.rules)))
    matching = {rule: [known for known in rules.known if fnmatch.fnmatchcase(known, rule)] for rule in mark.rules}
    unknown = [rule for rule in mark.rules if not matching[rule]]
    if unknown:
        named = ", ".join(_with_nearest(rule, rules.known) for rule in unknown)
        problems.append(about(UNKNOWN, rules.idle_severity,
                              f"suppression names {named}, which no rule matches, so it suppresses nothing; "
                              "`rightscheck rules show PACK` lists a pack's rules", ", ".join(unknown)))
    idle = [rule for rule in mark.rules if mark.reason and matching[rule] and (mark, rule) not in used
            and any(known in rules.run for known in matching[rule])]
    if idle:
        remove = ("the directive" if len(idle) == len(mark.rules)
                  else f"{'those rules' if idle[1:] else 'that rule'} from it")
        problems.append(about(UNUSED, rules.idle_severity,
                              f"suppression of {', '.join(idle)} suppresses no finding here (the content it was for "
                              f"is gone or now credited); remove {remove}", ", ".join(idle)))
    return problems


def _with_nearest(rule: str, known: frozenset[str]) -> str:
    """'afp/missing-atribution' (did you mean afp/missing-attribution?)"""
    import difflib  # only for a misspelt rule

    near = difflib.get_close_matches(rule, sorted(known), n=1)
    return f"'{rule}'" + (f" (did you mean {near[0]}?)" if near else "")
