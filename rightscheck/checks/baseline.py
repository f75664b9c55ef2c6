"""Baselines: accept today's findings so a scan reports only new ones, as detect-secrets and ruff do.

A baseline records each finding by :meth:`Finding.fingerprint` (rule, path, normalised evidence, no line
numbers), so it survives edits that move text. The same fingerprint may occur several times in a file;
the baseline keeps the count, and only occurrences beyond it are new.

An entry is stale (the finding it accepts is gone) only where the scan looked: in a file it scanned, or
a file no longer there under a path it walked. A scan of a few files (a pre-commit hook, ``--since``)
says nothing about the rest, so their entries are neither stale nor dropped by an update."""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable

from rightscheck import __version__
from rightscheck.inputs.files import under
from rightscheck.core.errors import RightscheckError
from rightscheck.core.findings import Finding, record_identity
from rightscheck.core.jsonfile import load_json
from rightscheck.inputs.worktree import base_of

VERSION = 1
FIELDS = {"fingerprint": str, "rule": str, "path": str, "line": int, "evidence": str}


@dataclass
class Filtered:
    """Findings not in the baseline, how many were, baseline entries no finding matched (stale), and the
    entries an update keeps: those of the baselined findings as they are now, and those out of the scan."""

    new: list[Finding]
    baselined: int = 0
    stale: list[dict] = field(default_factory=list)
    kept: list[dict] = field(default_factory=list)


def record(finding: Finding) -> dict:
    """A finding's baseline entry: its fingerprint, with enough context for a reviewer."""
    return {"fingerprint": finding.fingerprint(), "rule": finding.rule, "path": finding.path,
            "line": finding.line, "evidence": finding.evidence,
            **({"record": record_identity(finding.record)} if finding.record else {})}


def ordered(entries: Iterable[dict]) -> list[dict]:
    """Entries in the file's order (path, line, rule), so that a rewrite changes only what changed."""
    return sorted(entries, key=lambda e: (e["path"], e["line"], e["rule"], e["fingerprint"]))


def render(entries: Iterable[dict]) -> str:
    """The baseline file's text (``create`` and ``update`` alike)."""
    return json.dumps({"version": VERSION, "tool": f"rightscheck {__version__}", "findings": ordered(entries)},
                      indent=2, ensure_ascii=False) + "\n"


def load(path: Path) -> list[dict]:
    """Entries of a baseline file; a RightscheckError names the file, line and key of anything wrong."""
    name = str(path)
    data = load_json(name, "baseline file",
                     missing="baseline file not found (create one with `rightscheck baseline create`)")
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("findings"), list):
        raise RightscheckError(f"not a rightscheck baseline (expected version {VERSION} and a findings list)", name)
    for index, entry in enumerate(data["findings"]):
        for key, kind in FIELDS.items():
            if not isinstance(entry, dict) or not isinstance(entry.get(key), kind):
                raise RightscheckError(f"entry has no {key}", name, None, f"findings[{index}]")
    return data["findings"]


def scope(scanned: Iterable[str], roots: Iterable[str]) -> Callable[[str], bool]:
    """Whether a baseline entry's path is one the scan can judge: a file it scanned, or one gone from
    under the paths it was given."""
    scanned = frozenset(scanned)
    roots = list(roots)
    bases = {base_of(root) for root in roots}  # report paths are relative to one of these
    roots = [os.path.abspath(root) for root in roots]

    def in_scope(path: str) -> bool:
        if path in scanned:
            return True
        files = [os.path.join(base, path) for base in bases]
        return any(under(full, roots) for full in files) and not any(os.path.lexists(full) for full in files)

    return in_scope


def apply(findings: list[Finding], entries: list[dict],
          in_scope: Callable[[str], bool] = lambda path: True) -> Filtered:
    """Split ``findings`` into new ones and baselined ones; entries left over in scope are stale."""
    gate = Gate(entries)
    new = gate.new(findings)
    return replace(gate.leftover(in_scope), new=new)


class Gate:
    """A baseline applied to findings as a scan decides them, a file's at a time (``--format jsonl``):
    a fingerprint names its file, so each file's findings draw only on that file's entries, and the split
    is the same as :func:`apply` on all the findings at once."""

    def __init__(self, entries: list[dict]) -> None:
        self.entries = entries
        self.budget = Counter(entry["fingerprint"] for entry in entries)
        self.baselined = 0
        self.kept: list[dict] = []

    def new(self, findings: Iterable[Finding]) -> list[Finding]:
        """Those of ``findings`` the baseline does not accept; the others are counted and their entries kept."""
        fresh = []
        for finding in findings:
            key = finding.fingerprint()
            if self.budget[key] > 0:
                self.budget[key] -= 1
                self.baselined += 1
                self.kept.append(record(finding))
            else:
                fresh.append(finding)
        return fresh

    def leftover(self, in_scope: Callable[[str], bool]) -> Filtered:
        """Once every finding has been through :meth:`new`: the count, the entries no finding matched that
        are stale (in scope), and the entries kept."""
        result = Filtered([], self.baselined, kept=list(self.kept))
        budget = self.budget.copy()
        for entry in self.entries:
            if budget[entry["fingerprint"]] > 0:
                budget[entry["fingerprint"]] -= 1
                (result.stale if in_scope(entry["path"]) else result.kept).append(entry)
        return result


def moved(old: list[dict], kept: list[dict]) -> int:
    """How many kept entries differ from every old one (a new line or evidence)."""
    def key(entry: dict) -> tuple:
        return tuple(entry[name] for name in FIELDS)

    return sum((Counter(map(key, kept)) - Counter(map(key, old))).values())
