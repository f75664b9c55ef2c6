"""What a scan found and what it left out: the result every report format renders, and the skip every
input reports, kept apart from both so that inputs, the engine and reports all depend on it alone."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rightscheck.core.findings import Finding, place


@dataclass(frozen=True)
class Skipped:
    """A file, folder or record not scanned. ``problem`` is False for skips by design (excludes, VCS
    folders, symlinks not followed, WARC request records); True when something that should have been
    scanned could not be (--strict fails on it). ``record`` locates a skipped record in its container."""

    path: str
    reason: str
    problem: bool = True
    record: dict | None = None

    def place(self) -> str:
        """Where a person finds it: the path, with the record in brackets for one inside a container."""
        return place(self.path, self.record)


@dataclass
class ScanResult:
    """What a scan found. Its size follows the findings and skips, not the files scanned: files are counted,
    and their paths listed only where :attr:`Scanner.listed` asks (JUnit has a case per clean file)."""

    findings: list[Finding] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)  # display paths of the listed files scanned, in scan order
    containers: set[str] = field(default_factory=set)  # paths of the containers whose listed records are in paths
    files: int = 0  # files scanned
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # mistakes in files' own directives: exit 2 after the report
    disabled: dict[str, str] = field(default_factory=dict)  # pattern origin -> why it was disabled (timeouts)
    slow: dict[str, str] = field(default_factory=dict)  # pattern origin -> a warning that it nearly timed out
    suppressions: list[tuple[Finding, str]] = field(default_factory=list)  # suppressed findings and reasons, if kept
    suppressed: int = 0  # findings suppressed, kept or not
    streamed: Counter[tuple[str, str]] = field(default_factory=Counter)  # (severity, rule) of findings streamed
    baselined: int = 0
    stale: list[dict] | None = None  # baseline entries no finding matched, when asked for (--report-stale)

    def tally(self) -> Counter[tuple[str, str]]:
        """How many findings of each (severity, rule) the report has: those kept and those streamed."""
        return self.streamed + Counter((f.severity, f.rule) for f in self.findings)

    def summary(self) -> dict:
        """The counts every report shares (the JSON report's ``summary``; a Spark run's ``summary/``)."""
        tally = self.tally()
        by_severity, by_rule = Counter(), Counter()
        for (severity, rule), count in tally.items():
            by_severity[severity] += count
            by_rule[rule] += count
        return {
            "files": self.files,
            "skipped": len(self.skipped),
            "findings": tally.total(),
            "by_severity": {s: by_severity.get(s, 0) for s in ("error", "warning", "info")},
            "by_rule": dict(sorted(by_rule.items())),
            "suppressed": self.suppressed,
            "baselined": self.baselined,
            **({} if self.stale is None else {"stale": len(self.stale)}),
        }

    def merge(self, other: "ScanResult") -> None:
        """Add one file's (or one worker's) result to this one."""
        self.findings.extend(other.findings)
        self.paths.extend(other.paths)
        self.containers |= other.containers
        self.files += other.files
        self.skipped.extend(other.skipped)
        self.notes.extend(other.notes)
        self.errors.extend(e for e in other.errors if e not in self.errors)
        for origin, error in other.disabled.items():
            self.disabled.setdefault(origin, error)  # each worker disables a slow pattern once: report it once
        for origin, warning in other.slow.items():
            self.slow.setdefault(origin, warning)
        self.suppressions.extend(other.suppressions)
        self.suppressed += other.suppressed
        if other.streamed:  # Counter.update costs a microsecond even for nothing, and a file's part has none
            self.streamed.update(other.streamed)
