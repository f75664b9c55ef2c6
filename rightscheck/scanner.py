"""One scan: discover files, read each into a Document, run every pack, collect findings and skips."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from rightscheck.attribution import check, signal_matches
from rightscheck.config import Config
from rightscheck.discovery import Candidate, Skipped, discover
from rightscheck.documents import SkipFile, parse
from rightscheck.findings import Finding
from rightscheck.packs import Pack

if TYPE_CHECKING:
    from rightscheck.reuse import ReuseChecker  # numpy is imported only when sources are used


@dataclass
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)  # display paths of the files scanned, in scan order
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def files(self) -> int:
        return len(self.paths)


def scan(paths: Iterable[str], packs: list[Pack], config: Config, reuse: ReuseChecker | None = None) -> ScanResult:
    """Scan ``paths`` with ``packs`` (and against indexed sources when ``reuse`` is given); findings come back
    sorted by path, line, column and rule."""
    result = ScanResult()
    seen: set[tuple[int, int]] = set()
    aside = reuse.source_roots if reuse else ()
    for item in discover(paths, config, aside, "sources folder (texts to compare with), not articles"):
        if isinstance(item, Skipped):
            result.skipped.append(item)
        elif item.key not in seen:
            seen.add(item.key)
            scan_file(item, packs, config, result, reuse)
    result.findings.sort(key=Finding.sort_key)
    return result


def scan_file(item: Candidate, packs: list[Pack], config: Config, result: ScanResult,
              reuse: ReuseChecker | None = None) -> None:
    """Read and check one file, recording a skip (not raising) when it cannot be read as text."""
    try:
        with open(item.fs_path, "rb") as handle:
            data = handle.read(config.max_file_size + 1)
        doc = parse(item.path, data, item.kind)
    except OSError as exc:
        result.skipped.append(Skipped(item.path, f"cannot read: {exc.strerror or exc}"))
        return
    except SkipFile as exc:
        result.skipped.append(Skipped(item.path, str(exc)))
        return
    result.paths.append(item.path)
    result.notes.extend((item.path, note) for note in doc.notes)
    found = {pack.id: signal_matches(doc, pack) for pack in packs}
    evidence: dict = {}
    if reuse:
        judgement = reuse.check(doc, found)
        result.findings.extend(judgement.findings)
        evidence = judgement.evidence
    for pack in packs:
        result.findings.extend(check(doc, pack, pack.id in config.licences, evidence.get(pack.id, []), found[pack.id]))
