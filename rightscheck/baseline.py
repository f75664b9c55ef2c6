"""Baselines: accept today's findings so a scan reports only new ones, as detect-secrets and ruff do.

A baseline records each finding by :meth:`Finding.fingerprint` (rule, path, normalised evidence, no line
numbers), so it survives edits that move text. The same fingerprint may occur several times in a file;
the baseline keeps the count, and only occurrences beyond it are new."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rightscheck import __version__
from rightscheck.errors import RightscheckError
from rightscheck.findings import Finding
from rightscheck.jsonfile import load_json

DEFAULT_PATH = ".rightscheck-baseline.json"
VERSION = 1


@dataclass
class Filtered:
    """Findings not in the baseline, how many were, and baseline entries no finding matched (stale)."""

    new: list[Finding]
    baselined: int = 0
    stale: list[dict] = field(default_factory=list)


def render(findings: list[Finding]) -> str:
    """The baseline file's text: one entry per finding, sorted, with enough context for a reviewer."""
    entries = [{"fingerprint": f.fingerprint(), "rule": f.rule, "path": f.path, "line": f.line,
                "evidence": f.evidence} for f in findings]
    entries.sort(key=lambda e: (e["path"], e["line"], e["rule"], e["fingerprint"]))
    return json.dumps({"version": VERSION, "tool": f"rightscheck {__version__}", "findings": entries},
                      indent=2, ensure_ascii=False) + "\n"


def load(path: Path) -> list[dict]:
    """Entries of a baseline file; a RightscheckError names the file, line and key of anything wrong."""
    name = str(path)
    data = load_json(name, "baseline file",
                     missing="baseline file not found (create one with `rightscheck baseline create`)")
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("findings"), list):
        raise RightscheckError(f"not a rightscheck baseline (expected version {VERSION} and a findings list)", name)
    for index, entry in enumerate(data["findings"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            raise RightscheckError("entry has no fingerprint", name, None, f"findings[{index}]")
    return data["findings"]


def apply(findings: list[Finding], entries: list[dict]) -> Filtered:
    """Split ``findings`` into new ones and baselined ones; entries left over are stale."""
    budget = Counter(entry["fingerprint"] for entry in entries)
    result = Filtered([])
    for finding in findings:
        key = finding.fingerprint()
        if budget[key] > 0:
            budget[key] -= 1
            result.baselined += 1
        else:
            result.new.append(finding)
    for entry in entries:
        if budget[entry["fingerprint"]] > 0:
            budget[entry["fingerprint"]] -= 1
            result.stale.append(entry)
    return result
