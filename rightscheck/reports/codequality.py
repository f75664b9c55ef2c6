"""GitLab Code Quality output (``artifacts: reports: codequality``), for the merge request widget and diff.

GitLab reads a JSON array of issues, its subset of the Code Climate spec: ``description``, ``check_name``,
``fingerprint``, ``severity`` and ``location`` (``path`` relative to the repository, ``lines.begin``). It
tells new issues from resolved ones by comparing the fingerprints of the merge request's report with the
target branch's, and shows one issue per fingerprint, so each is one of :func:`occurrence_fingerprints`:
no line numbers in it, and repeats in a file told apart."""

from __future__ import annotations

from rightscheck.core.findings import Finding, occurrence_fingerprints
from rightscheck.core.jsonfile import dump_json
from rightscheck.core.result import ScanResult
from rightscheck.reports.options import Options

# GitLab has five levels (info, minor, major, critical, blocker) to our three. Like linters' GitLab formats,
# errors are major and warnings minor; critical and blocker are not used, since --fail-on, not the level
# GitLab shows, decides whether the pipeline fails.
SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def render(result: ScanResult, options: Options = Options()) -> str:
    """The findings as a GitLab Code Quality report (JSON text); an empty array when there are none."""
    issues = [{
        "description": finding.message if finding.record is None else f"{finding.place()}: {finding.message}",
        "check_name": finding.rule,
        "fingerprint": fingerprint,
        "severity": SEVERITIES[finding.severity],
        "location": {"path": finding.path, "lines": _lines(finding)},
    } for finding, fingerprint in zip(result.findings, occurrence_fingerprints(result.findings))]
    return dump_json(issues)


def _lines(finding: Finding) -> dict:
    """The finding's lines in its file; for a record, the container's line where it starts (else line 1)."""
    if finding.record is None:
        return {"begin": finding.line, "end": finding.end_line}
    line = finding.container_line() or 1
    return {"begin": line, "end": line}
