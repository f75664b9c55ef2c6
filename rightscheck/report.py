"""Rendering a scan result in the chosen format: text lines (path:line:col), one JSON object, JSON Lines
(streamed as the scan goes), GitHub workflow annotations, or (from their own modules) SARIF, JUnit XML, a
GitLab Code Quality report and a self-contained HTML page.

The HTML page is rendered from the JSON report's data alone (``rightscheck report findings.json``
renders an earlier one), so the JSON carries what the page shows about each pack the findings
refer to: terms, licence summary and link, credit forms, quotation limits."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

import click

from rightscheck.console import SEVERITY_STYLE
from rightscheck.findings import Finding
from rightscheck.jsonfile import dump_json
from rightscheck.packs import Pack
from rightscheck.scanner import ScanResult
from rightscheck.visible import inert, visible

JSON_VERSION = 1


@dataclass(frozen=True)
class Format:
    """A --format: what it is for (the command's help is made from this), and what it needs of a scan
    beyond its findings and counts, which the scan then keeps (the rest it only counts)."""

    use: str = ""
    every_path: bool = False  # the path of every file scanned (JUnit: a passing case per clean file)
    suppressed: bool = False  # the suppressed findings themselves
    stale: bool = False  # lists the stale baseline entries itself (else they go to stderr)
    streamed: bool = False  # written a file's findings at a time as the scan decides them, never held


FORMATS = {
    "text": Format(),
    "json": Format(suppressed=True, stale=True),
    "jsonl": Format("one finding per line, written as the scan goes", stale=True, streamed=True),
    "sarif": Format("code scanning", suppressed=True),
    "junit": Format("CI test reports", every_path=True),
    "codequality": Format("GitLab Code Quality"),
    "github": Format("annotations"),
    "html": Format("a self-contained page to open in a browser"),
}
_GITHUB_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def render(fmt: str, result: ScanResult, packs: list[Pack], colour: bool = False, config: Any = None) -> str:
    """The whole report in format ``fmt`` (one of FORMATS); ``colour`` styles the text format for a terminal;
    ``config`` (the scan's Config) gives the JSON and HTML reports the licences held and quotation overrides."""
    if fmt == "html":
        from rightscheck.htmlreport import render_html

        return render_html(report_data(result, packs, config))
    if fmt == "json":
        return render_json(result, packs, config)
    if fmt == "jsonl":
        lines: list[str] = []
        JsonlStream(lines.append)(result.findings)
        return "".join(lines) + jsonl_end(result).rstrip("\n")
    if fmt == "sarif":
        from rightscheck.sarif import render_sarif

        return render_sarif(result, packs)
    if fmt == "junit":
        from rightscheck.junit import render_junit

        return render_junit(result)
    if fmt == "codequality":
        from rightscheck.codequality import render_codequality

        return render_codequality(result)
    if fmt == "text":
        return render_text(result, colour)
    return render_github(result)


def summary(result: ScanResult) -> dict:
    """Counts shared by every format (of the findings kept and those streamed)."""
    tally = result.tally()
    by_severity, by_rule = Counter(), Counter()
    for (severity, rule), count in tally.items():
        by_severity[severity] += count
        by_rule[rule] += count
    return {
        "files": result.files,
        "skipped": len(result.skipped),
        "findings": tally.total(),
        "by_severity": {s: by_severity.get(s, 0) for s in ("error", "warning", "info")},
        "by_rule": dict(sorted(by_rule.items())),
        "suppressed": result.suppressed,
        "baselined": result.baselined,
        **({} if result.stale is None else {"stale": len(result.stale)}),
    }


def render_json(result: ScanResult, packs: list[Pack] = (), config: Any = None) -> str:
    return dump_json(report_data(result, packs, config))


def report_data(result: ScanResult, packs: list[Pack] = (), config: Any = None) -> dict:
    """The JSON report as data. Besides the findings, ``suppressed`` lists the findings inline comments
    suppressed, each with the comment's reason as ``justification``, ``packs`` describes each pack a
    finding refers to, and ``stale`` (with --report-stale) lists the baseline entries no finding matched."""
    by_id = {pack.id: pack for pack in packs}
    findings = [finding.to_dict() for finding in result.findings]
    used = sorted({f.pack for f in result.findings if f.pack in by_id})
    return {
        "version": JSON_VERSION,
        "findings": findings,
        "summary": summary(result),
        "skipped": [{"path": s.path, "reason": s.reason} for s in result.skipped],
        "suppressed": [{**finding.to_dict(), "justification": why} for finding, why in result.suppressions],
        "packs": {pack_id: pack_info(by_id[pack_id], config) for pack_id in used},
        **({} if result.stale is None else {"stale": result.stale}),
    }


class JsonlStream:
    """``--format jsonl``: each finding as one line (the JSON report's finding object), written as soon as
    the scan has decided a file's findings (the scanner's ``stream``), less those ``gate`` (a baseline,
    :class:`rightscheck.baseline.Gate`) accepts. :func:`jsonl_end` is the last line."""

    def __init__(self, write: Callable[[str], None], gate: Any = None) -> None:
        self.write = write
        self.gate = gate

    def __call__(self, findings: list[Finding]) -> list[Finding]:
        """Write ``findings`` (a file's, or with workers a chunk of files', sorted within each file) in one
        piece; return those written."""
        if self.gate is not None:
            findings = self.gate.new(findings)
        if findings:
            self.write("".join(json.dumps(f.to_dict(), ensure_ascii=False) + "\n" for f in findings))
        return findings


def jsonl_end(result: ScanResult) -> str:
    """The JSON Lines report's last line: the summary (with --report-stale, the stale baseline entries too),
    so a consumer that reads no such line knows the scan did not complete."""
    end = {"version": JSON_VERSION, "summary": summary(result), **({} if result.stale is None else
                                                                    {"stale": result.stale})}
    return json.dumps(end, ensure_ascii=False) + "\n"


def pack_info(pack: Pack, config: Any = None) -> dict:
    """What a report shows about a pack: terms, licence summary and link, whether the config declares a
    licence, its signals, the credit forms that satisfy it, and its quotation terms (config overrides
    applied)."""
    signals = {id(s.matcher): s for s in pack.signals}
    overrides = (getattr(config, "quotation", None) or {}).get(pack.id, {})
    terms = pack.quotation.merged(overrides)
    return {
        "name": pack.name,
        "terms": pack.terms,
        "summary": pack.summary,
        "url": pack.url,
        "requires_licence": pack.requires_licence,
        "licensed": pack.id in (getattr(config, "licences", None) or ()),
        "threshold": pack.threshold,
        "signals": {s.id: {"description": s.description, "weight": s.weight} for s in pack.signals},
        "credit": [{"id": part.id, "description": part.description,
                    "forms": [{"signal": signals[id(form)].id} if id(form) in signals else {"label": label}
                              for form, label in zip(part.forms, part.labels)]}
                   for part in pack.parts],
        "quotation": {name: getattr(terms, name) for name in (
            "min_passage_words", "max_passage_words", "max_quoted_words", "max_total_words", "max_source_share",
            "allow_with_licence", "no_derivatives")},
    }


def render_github(result: ScanResult) -> str:
    """GitHub Actions workflow commands: each finding becomes an annotation on the pull request's diff."""
    lines = [_annotation(f) for f in result.findings]
    return "\n".join(lines + [summary_line(result)])


def _annotation(f: Finding) -> str:
    props = {"file": f.path, "line": f.line, "col": f.column, "endLine": f.end_line, "endColumn": f.end_column,
             "title": f.rule}
    fields = ",".join(f"{key}={_command_text(str(value), True)}" for key, value in props.items())
    return f"::{_GITHUB_LEVELS[f.severity]} {fields}::{_command_text(f.message, False)}"


def _command_text(value: str, prop: bool) -> str:
    """``value`` as a workflow command carries it, the runner's decoding undone (actions/toolkit's
    ``escapeData``, and ``escapeProperty`` for a property): % CR LF always, : , in properties too. CR and
    LF thus reach the annotation as they are (a file name with a line break still names its file); every
    other control, bidi or line-breaking character, which the encoding has no form for, is shown
    :func:`visible` (the annotation is read by a person)."""
    value = visible(value, keep="\r\n").replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if prop else value


def render_text(result: ScanResult, colour: bool = False) -> str:
    """One ``path:line:col: severity rule message`` line per finding (the form editors jump to), the source
    passage under findings about reused text, and a summary line. Scanned names and text are shown
    :func:`visible`, and no line can be read as a CI workflow command (:func:`inert`)."""
    paint = click.style if colour else (lambda text, **_: text)
    lines = []
    shown = None
    for f in result.findings:
        lines.append(f"{paint(f'{_shown_path(f.path)}:{f.line}:{f.column}:', bold=True)} "
                     f"{paint(f.severity, **SEVERITY_STYLE[f.severity])} {paint(visible(f.rule), fg='cyan')} "
                     f"{visible(f.message)}")
        passage = f.source and (f.path, f.line, f.column, f.source["path"], f.source["line"])
        if passage and passage != shown:  # several findings on one passage: show it once
            lines.extend(_side_by_side(f))
        shown = passage or shown
    lines.append(summary_line(result))
    return inert("\n".join(lines))


def _shown_path(path: str) -> str:
    """``path`` :func:`visible`, with ``./`` before a name that starts with ``:`` or a space, so that the line
    it starts is still a path an editor can open but never a ``::`` workflow command."""
    shown = visible(path)
    return f"./{shown}" if shown[:1] == ":" or shown[:1].isspace() else shown


def summary_line(result: ScanResult) -> str:
    """'3 findings (2 errors, 1 warning) in 12 files scanned, 1 skipped.'"""
    return summary_text(summary(result))


def summary_text(counts: dict) -> str:
    """The summary line from the counts of :func:`summary` (as the JSON report carries them)."""
    parts = [f"{n} {s}{'' if n == 1 else 's'}" for s, n in counts["by_severity"].items() if n]
    found = f"{counts['findings']} finding{'' if counts['findings'] == 1 else 's'}"
    detail = f" ({', '.join(parts)})" if parts else ""
    files = f"{counts['files']} file{'' if counts['files'] == 1 else 's'} scanned"
    skipped = f", {counts['skipped']} skipped" if counts["skipped"] else ""
    hidden = [f"{counts[key]} {key}" for key in ("baselined", "suppressed") if counts[key]]
    hidden_text = f" ({', '.join(hidden)})" if hidden else ""
    return f"{found}{detail} in {files}{skipped}{hidden_text}."


def _side_by_side(finding) -> list[str]:
    """The scanned passage over its source passage; words only in one of them are marked {+...+} / [-...-]."""
    src = finding.source
    share = f", {src['share']:.0%} of the source" if src.get("share") else ""
    return [
        f"    scanned {visible(finding.path)}:{finding.line}-{finding.end_line} ({src['words']} words{share})",
        f"      {visible(src['scanned_excerpt'])}",
        f"    source  {visible(src['path'])}:{src['line']}-{src['end_line']}",
        f"      {visible(src['source_excerpt'])}",
    ]
