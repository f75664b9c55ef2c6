"""Testing packs against fixtures, as Vale and semgrep test their rules.

A fixture folder holds documents and an ``expected.yaml``::

    config: {licences: [afp]}      # optional: config applied to every case
    rules: [../my-pack.yaml]       # optional: extra pack files or folders, relative to this file
    cases:
      clean-dispatch.txt: []                        # must produce no finding
      stripped.md: [afp/missing-attribution:5]      # exactly these findings, as RULE:LINE

Every document in the folder must be listed, so a new fixture cannot be forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from rightscheck.config import Config
from rightscheck.core.errors import RightscheckError
from rightscheck.packs.pack import Pack, load_packs
from rightscheck.engine.scanner import Scanner
from rightscheck.core.schemas import validate
from rightscheck.core.yamlfile import load_yaml

EXPECTED = "expected.yaml"


@dataclass(frozen=True)
class CaseResult:
    folder: Path
    name: str
    expected: list[str]
    got: list[str]

    @property
    def passed(self) -> bool:
        return self.expected == self.got


def fixture_folders(paths: Iterable[Path]) -> list[Path]:
    """Folders holding an expected.yaml at or below ``paths``, sorted."""
    found = set()
    for path in paths:
        if not path.exists():
            raise RightscheckError("no such file or directory", str(path))
        if path.is_file() and path.name == EXPECTED:
            found.add(path.parent)
        elif path.is_dir():
            found.update(p.parent for p in path.rglob(EXPECTED))
    return sorted(found)


def run_folder(folder: Path, extra_rules: Iterable[Path] = (), timeout: float | None = None) -> list[CaseResult]:
    """Scan each case of one fixture folder with the built-in packs plus the folder's and ``extra_rules``."""
    spec_path = folder / EXPECTED
    spec, lines = load_yaml(spec_path.read_text("utf-8"), str(spec_path))
    validate(spec, "fixtures", str(spec_path), lines)
    packs: list[Pack] = load_packs(extra=[*(folder / r for r in spec.get("rules", [])), *extra_rules],
                                   **({"timeout": timeout} if timeout else {}))
    config = Config(licences=frozenset(spec.get("config", {}).get("licences", [])))
    results = []
    cases = spec["cases"]
    for name in sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != EXPECTED):
        if name not in cases:
            results.append(CaseResult(folder, name, ["(listed in expected.yaml)"], ["(not listed)"]))
    for name, expected in cases.items():
        path = folder / name
        if not path.is_file():
            results.append(CaseResult(folder, name, list(expected or []), ["(file missing)"]))
            continue
        result = Scanner(packs, config).run([str(path)])
        got = [f"{f.rule}:{f.line}" for f in result.findings]
        got += [f"(skipped: {s.reason})" for s in result.skipped]
        results.append(CaseResult(folder, name, list(expected or []), got))
    return results
