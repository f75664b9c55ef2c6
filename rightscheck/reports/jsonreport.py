"""The JSON report: one object with the findings, the summary counts, skips, suppressed findings and the
packs the findings refer to, or (``--format jsonl``) one finding per line written as the scan goes. The
HTML page is rendered from this data alone (``rightscheck report findings.json`` renders an earlier one),
so it carries what the page shows about each pack: terms, licence summary and link, credit forms,
quotation limits."""

from __future__ import annotations

import json
from typing import Any, Callable

from rightscheck.core.findings import Finding
from rightscheck.core.jsonfile import dump_json
from rightscheck.core.result import ScanResult
from rightscheck.packs.pack import Pack
from rightscheck.reports.options import Options

JSON_VERSION = 1


def summary_line(result: ScanResult) -> str:
    """'3 findings (2 errors, 1 warning) in 12 files scanned, 1 skipped.'"""
    return summary_text(result.summary())


def summary_text(counts: dict) -> str:
    """The summary line from the counts of :meth:`ScanResult.summary` (as the JSON report carries them)."""
    parts = [f"{n} {s}{'' if n == 1 else 's'}" for s, n in counts["by_severity"].items() if n]
    found = f"{counts['findings']} finding{'' if counts['findings'] == 1 else 's'}"
    detail = f" ({', '.join(parts)})" if parts else ""
    files = f"{counts['files']} file{'' if counts['files'] == 1 else 's'} scanned"
    skipped = f", {counts['skipped']} skipped" if counts["skipped"] else ""
    hidden = [f"{counts[key]} {key}" for key in ("baselined", "suppressed") if counts[key]]
    hidden_text = f" ({', '.join(hidden)})" if hidden else ""
    return f"{found}{detail} in {files}{skipped}{hidden_text}."


def render(result: ScanResult, options: Options = Options()) -> str:
    """The JSON report: :func:`report_data` as one object."""
    return dump_json(report_data(result, options.packs, options.config))


def render_jsonl(result: ScanResult, options: Options = Options()) -> str:
    """The JSON Lines report of a result held whole (a scan that streamed wrote it as it went)."""
    lines: list[str] = []
    JsonlStream(lines.append)(result.findings)
    return "".join(lines) + jsonl_end(result).rstrip("\n")


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
        "summary": result.summary(),
        "skipped": skipped_data(result),
        "suppressed": [{**finding.to_dict(), "justification": why} for finding, why in result.suppressions],
        "packs": {pack_id: pack_info(by_id[pack_id], config) for pack_id in used},
        **({} if result.stale is None else {"stale": result.stale}),
    }


def skipped_data(result: ScanResult) -> list[dict]:
    """What was not scanned and why, with the record's location for a record of a container."""
    return [{"path": s.path, "reason": s.reason, **({"record": s.record} if s.record else {})} for s in result.skipped]


class JsonlStream:
    """``--format jsonl``: each finding as one line (the JSON report's finding object), written as soon as
    the scan has decided a file's findings (the scanner's ``stream``), less those ``gate`` (a baseline,
    :class:`rightscheck.checks.baseline.Gate`) accepts. :func:`jsonl_end` is the last line."""

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
    """The JSON Lines report's last line: the summary and what was skipped (with --report-stale, the stale
    baseline entries too), so a consumer that reads no such line knows the scan did not complete."""
    end = {"version": JSON_VERSION, "summary": result.summary(), "skipped": skipped_data(result),
           **({} if result.stale is None else {"stale": result.stale})}
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
