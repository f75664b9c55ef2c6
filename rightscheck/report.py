"""Rendering a scan result: one text line per finding (path:line:col) or a single JSON object."""

from __future__ import annotations

import json
from collections import Counter

from rightscheck.scanner import ScanResult

JSON_VERSION = 1


def summary(result: ScanResult) -> dict:
    """Counts shared by every format."""
    by_severity = Counter(f.severity for f in result.findings)
    return {
        "files": result.files,
        "skipped": len(result.skipped),
        "findings": len(result.findings),
        "by_severity": {s: by_severity.get(s, 0) for s in ("error", "warning", "info")},
        "by_rule": dict(sorted(Counter(f.rule for f in result.findings).items())),
    }


def render_json(result: ScanResult) -> str:
    payload = {
        "version": JSON_VERSION,
        "findings": [f.to_dict() for f in result.findings],
        "summary": summary(result),
        "skipped": [{"path": s.path, "reason": s.reason} for s in result.skipped],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False)


def render_text(result: ScanResult) -> str:
    lines = []
    shown = None
    for f in result.findings:
        lines.append(f"{f.path}:{f.line}:{f.column}: {f.severity} {f.rule} {f.message}")
        passage = f.source and (f.path, f.line, f.column, f.source["path"], f.source["line"])
        if passage and passage != shown:  # several findings on one passage: show it once
            lines.extend(_side_by_side(f))
        shown = passage or shown
    counts = summary(result)
    parts = [f"{n} {s}{'' if n == 1 else 's'}" for s, n in counts["by_severity"].items() if n]
    found = f"{counts['findings']} finding{'' if counts['findings'] == 1 else 's'}"
    detail = f" ({', '.join(parts)})" if parts else ""
    files = f"{counts['files']} file{'' if counts['files'] == 1 else 's'} scanned"
    skipped = f", {counts['skipped']} skipped" if counts["skipped"] else ""
    lines.append(f"{found}{detail} in {files}{skipped}.")
    return "\n".join(lines)


def _side_by_side(finding) -> list[str]:
    """The scanned passage over its source passage; words only in one of them are marked {+...+} / [-...-]."""
    src = finding.source
    share = f", {src['share']:.0%} of the source" if src.get("share") else ""
    return [
        f"    scanned {finding.path}:{finding.line}-{finding.end_line} ({src['words']} words{share})",
        f"      {src['scanned_excerpt']}",
        f"    source  {src['path']}:{src['line']}-{src['end_line']}",
        f"      {src['source_excerpt']}",
    ]
