"""One scan: discover files, read each into a Document, run every pack, collect findings and skips."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable

from rightscheck.attribution import check, signal_matches
from rightscheck import suppress
from rightscheck.config import Config, file_licences
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
    errors: list[str] = field(default_factory=list)  # mistakes in files' own directives: exit 2 after the report
    suppressed: int = 0
    baselined: int = 0

    @property
    def files(self) -> int:
        return len(self.paths)


Reader = Callable[[Candidate, int], bytes]  # (file, at most this many bytes) -> content


def read_file(item: Candidate, limit: int) -> bytes:
    with open(item.fs_path, "rb") as handle:
        return handle.read(limit)


@dataclass
class Scanner:
    """Everything one scan applies to every file: the packs, the config, reuse checking against indexed
    sources (optional), which pack ids a file's front matter may license, whether inline suppressions
    count, and how a file's bytes are read (the file system, or git's index for staged files)."""

    packs: list[Pack]
    config: Config
    reuse: ReuseChecker | None = None
    known: frozenset[str] = frozenset()  # default: the ids of ``packs``
    suppressions: bool = True
    read: Reader = read_file
    progress: Callable[[int, int], None] | None = None  # called (files done, files in all) after each file

    def run(self, paths: Iterable[str] = (), files: Iterable[Candidate | Skipped] | None = None) -> ScanResult:
        """Scan ``paths`` (or the given ``files`` instead of a folder walk); findings come back sorted by
        path, line, column and rule."""
        result = ScanResult()
        seen: set[tuple[int, int]] = set()
        if files is None:
            aside = self.reuse.source_roots if self.reuse else ()
            files = discover(paths, self.config, aside, "sources folder (texts to compare with), not articles")
        files = list(files)  # the whole list first, so progress knows the total
        for done, item in enumerate(files, 1):
            if isinstance(item, Skipped):
                result.skipped.append(item)
            elif item.key not in seen:
                seen.add(item.key)
                self.scan_file(item, result)
            if self.progress:
                self.progress(done, len(files))
        result.findings.sort(key=Finding.sort_key)
        return result

    def scan_file(self, item: Candidate, result: ScanResult) -> None:
        """Read and check one file, recording a skip (not raising) when it cannot be read as text."""
        config = self.config
        try:
            data = self.read(item, config.max_file_size + 1)
            if len(data) > config.max_file_size:
                raise SkipFile(f"larger than max_file_size ({config.max_file_size} bytes)")
            doc = parse(item.path, data, item.kind)
        except OSError as exc:
            result.skipped.append(Skipped(item.path, f"cannot read: {exc.strerror or exc}"))
            return
        except SkipFile as exc:
            result.skipped.append(Skipped(item.path, str(exc)))
            return
        result.paths.append(item.path)
        result.notes.extend((item.path, note) for note in doc.notes)
        known = self.known or frozenset(p.id for p in self.packs)
        own, errors = file_licences(doc.front_matter, doc.front_matter_lines.get("rightscheck"), item.path, known)
        result.errors.extend(map(str, errors))
        licences = config.licences | own
        found = {pack.id: signal_matches(doc, pack) for pack in self.packs}
        findings: list[Finding] = []
        evidence: dict = {}
        if self.reuse:
            judgement = self.reuse.check(doc, found, licences)
            findings.extend(judgement.findings)
            evidence = judgement.evidence
        for pack in self.packs:
            findings.extend(check(doc, pack, pack.id in licences, evidence.get(pack.id, []), found[pack.id]))
        if self.suppressions:
            findings, suppressed = suppress.apply(doc, findings)
            result.suppressed += suppressed
        result.findings.extend(findings)
