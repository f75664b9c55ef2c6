"""One scan: discover files, read each into a Document, run every pack, collect findings and skips.

Files are independent, so a scan of many files is spread over worker processes (``jobs``); each worker
returns the result of each file and the parent merges them in input order, so the report is identical
whatever the number of workers. Ctrl-C and SIGTERM are the parent's alone: it kills the workers at once."""

from __future__ import annotations

import itertools
import os
import signal
from collections import deque
from contextlib import closing
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from rightscheck.checks.attribution import check, signal_matches
from rightscheck.checks import suppress
from rightscheck.config import Config, file_licences
from rightscheck.core import stopping
from rightscheck.core.result import ScanResult, Skipped
from rightscheck.inputs.base import Record
from rightscheck.inputs.files import ASIDE_REASON, Candidate, Reader, discover, read_file
from rightscheck.documents.document import Document, SkipFile, parse
from rightscheck.inputs.pieces import Pieces
from rightscheck.core.findings import SNIPPET_LIMIT, Finding, cut, place
from rightscheck.packs.pack import Pack, disabled_patterns, slow_patterns
from rightscheck.packs.prefilter import Prefilter

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from rightscheck.checks.reuse import ReuseChecker  # numpy is imported only when sources are used

Item = Candidate | Record | Skipped  # what any input yields: a file to read, a document in hand, or a skip


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
    idle_suppressions: str = "warning"  # severity of a directive that suppresses nothing (unused, unknown rule)
    read: Reader = read_file
    progress: Callable[[int, int | None], None] | None = None  # called (files done, files in all or None
    # while the walk goes on) after each file
    jobs: int = 1  # worker processes; more than one only where fork() exists and the scan is big enough
    listed: Callable[[str], bool] = lambda path: False  # which scanned files the result lists by path
    keep_suppressed: bool = True  # keep the suppressed findings (reports that list them), not only their count
    # Called with each file's findings (with workers, each chunk of files'; never with none), sorted within a
    # file, in the walk's order, as soon as they are decided; what it returns (those it reported) is counted
    # in ScanResult.streamed, and nothing is kept.
    stream: Callable[[list[Finding]], list[Finding]] | None = None

    def __post_init__(self) -> None:
        self.prefilter = Prefilter(self.packs)
        self.known = self.known or frozenset(p.id for p in self.packs)

    def run(self, paths: Iterable[str] = (), files: Iterable[Item] | None = None) -> ScanResult:
        """Scan ``paths`` (or the given ``files``, any input's items, instead of a folder walk); findings come
        back sorted by path, record, line, column and rule (or go to :attr:`stream` in the walk's order),
        the same for any number of ``jobs``. Files are walked, read and forgotten one after another: the memory a scan takes does
        not grow with the number of files, but for the (device, inode) of each (see :func:`_once_each`)."""
        result = ScanResult()
        if files is None:
            aside = self.reuse.source_roots if self.reuse else ()
            files = discover(paths, self.config, aside, ASIDE_REASON, self.config.respect_gitignore)
        done = 0
        with closing(self._results(_once_each(files))) as parts:  # an interrupt between results kills workers too
            for count, total, part in parts:
                if self.stream and part.findings:
                    result.streamed.update((f.severity, f.rule) for f in self.stream(part.findings))
                    part.findings = []
                result.merge(part)
                done += count
                if self.progress:
                    self.progress(done, total)
        for origin, error in disabled_patterns(self.packs).items():
            result.disabled.setdefault(origin, error)
        for origin, warning in slow_patterns(self.packs).items():
            result.slow.setdefault(origin, warning)
        result.errors.extend(result.disabled.values())
        result.findings.sort(key=Finding.sort_key)
        result.suppressions.sort(key=lambda pair: (pair[0].sort_key(), pair[1]))
        return result

    def _results(self, items: Iterator[Item]) -> Iterator[tuple[int, int | None, ScanResult]]:
        """(items done, items in all or None while the walk goes on, their result), in order: here one by
        one, or from worker processes a chunk at a time for a big enough scan (one result per chunk keeps
        what crosses between processes small). Workers start as soon as the walk has found enough files for
        them, and get chunks while it goes on, so walking and scanning overlap; the walk is never more than
        AHEAD chunks per worker ahead of the results, so that the files found are not all held at once."""
        head = list(itertools.islice(items, MIN_FILES_PER_JOB * self.jobs))
        jobs = min(self.jobs, len(head) // MIN_FILES_PER_JOB) if self.read is read_file else 1
        if jobs > 1:
            import multiprocessing  # here: a pre-commit run on a few files does not pay for the import
            from concurrent.futures import ProcessPoolExecutor

            jobs = jobs if "fork" in multiprocessing.get_all_start_methods() else 1
        if jobs <= 1:
            for item in itertools.chain(head, items):
                stopping.check()  # a Ctrl-C lost while the last file was checked (see core.stopping)
                yield 1, None, self._scan_all([item])
            return
        rest = itertools.chain(head, items)
        chunks = iter(lambda: list(itertools.islice(rest, CHUNK)), [])
        found = 0  # files the walk has handed out so far

        global _FORKED
        _FORKED = self  # inherited by the forked workers: nothing to pickle but the items and results
        # Ctrl-C and SIGTERM wait until every worker is forked and in the pool: one during a fork would reach
        # the worker before it ignores it, or stop the parent before the pool knows a worker to kill
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:  # an executor, not a Pool: a worker that dies (killed, out of memory) raises instead of hanging
            with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                     initializer=_start_worker, initargs=(mask,)) as pool:
                try:
                    pool.submit(int)  # forks every worker now (fork start method), while the signals wait
                    signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # one that came meanwhile is raised here
                    # not pool.map, which cancels the chunks not started on an interrupt: the pool's thread then
                    # fails to mark them broken after the kill, with a traceback (Python 3.11)
                    pending: deque[tuple[int, Future]] = deque()
                    walking = True
                    while pending or walking:
                        while walking and len(pending) < AHEAD * jobs:
                            chunk = next(chunks, None)
                            walking = chunk is not None
                            if walking:
                                found += len(chunk)
                                pending.append((len(chunk), pool.submit(_scan_in_worker, chunk)))
                        size, future = pending.popleft()
                        yield size, None if walking else found, _result(future)
                except BaseException:  # Ctrl-C, SIGTERM, a bug, results no longer wanted: leaving the block
                    _kill_workers(pool)  # would wait for the chunks the workers are on and those queued
                    raise
        finally:
            _FORKED = None
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # also when no worker could be started

    def _scan_all(self, items: list[Item]) -> ScanResult:
        result = ScanResult()
        for item in items:
            if isinstance(item, Skipped):
                result.skipped.append(item)
            else:
                self.scan_file(item, result)
        return result

    def scan_file(self, item: Candidate | Record, result: ScanResult) -> None:
        """Read and check one file or record, recording a skip (not raising) when it cannot be read as text."""
        config = self.config
        record = item.record if isinstance(item, Record) else None
        try:  # the bytes are not kept once parsed: a big file's text is what the scan holds
            if not isinstance(item, Record):
                doc = parse(item.path, self._read_within_limit(item), item.kind, config.scope)
            elif len(item.data) > config.max_file_size:
                raise SkipFile(f"larger than max_file_size ({config.max_file_size} bytes)")
            else:
                doc = parse(item.path, item.data, item.kind, config.scope, item.charset)
        except OSError as exc:
            result.skipped.append(Skipped(item.path, f"cannot read: {exc.strerror or exc}"))
            return
        except SkipFile as exc:
            result.skipped.append(Skipped(item.path, str(exc), record=record))
            return
        result.files += 1
        if self.listed(item.path):
            result.paths.append(place(item.path, record))
            if record:  # a baseline judges its entries by the container's path
                result.containers.add(item.path)
        shown = place(item.path, record)
        result.notes.extend((shown, note) for note in doc.notes)
        self.prefilter.apply(doc)
        own, errors = file_licences(doc.front_matter, doc.front_matter_lines.get("rightscheck"), shown,
                                    self.known)
        result.errors.extend(map(str, errors))
        licences = config.licences | own
        live = self.prefilter.candidates(doc)  # the other packs have nothing that could match here
        found = {pack.id: signal_matches(doc, pack) if pack.id in live else {} for pack in self.packs}
        findings: list[Finding] = []
        evidence: dict = {}
        if self.reuse:
            judgement = self.reuse.check(doc, found, licences)
            findings.extend(judgement.findings)
            evidence = judgement.evidence
        for pack in self.packs:
            if pack.id in live or doc.front_matter or pack.id in evidence:  # else check() finds nothing
                findings.extend(check(doc, pack, pack.id in licences, evidence.get(pack.id, []), found[pack.id]))
        if self.suppressions:
            findings, suppressed = suppress.apply(doc, findings, self.suppression_rules)
            result.suppressed += len(suppressed)
            if self.keep_suppressed:
                result.suppressions.extend((_with_snippet(doc, finding, record), why) for finding, why in suppressed)
        result.findings.extend(sorted((_with_snippet(doc, finding, record) for finding in findings),
                                      key=Finding.sort_key))

    def _read_within_limit(self, item: Candidate) -> bytes | Pieces:
        data = self.read(item, self.config.max_file_size + 1)
        if len(data) > self.config.max_file_size:
            raise SkipFile(f"larger than max_file_size ({self.config.max_file_size} bytes)")
        return data

    @cached_property
    def suppression_rules(self) -> suppress.Rules:
        """What directives are checked against; worked out at the first file, once ``reuse`` is settled."""
        return suppress.Rules.of(self.known, [pack.id for pack in self.packs], self.reuse is not None,
                                 self.idle_suppressions)


def _with_snippet(doc: Document, finding: Finding, record: dict | None) -> Finding:
    """``finding`` with the file's text in its region (:attr:`Finding.snippet`), and the document's place in
    its container: only here is the document at hand."""
    region = doc.source_between(finding.line, finding.column, finding.end_line, finding.end_column)
    return replace(finding, snippet=cut(region, SNIPPET_LIMIT), record=record)


MIN_FILES_PER_JOB = 64  # below this many files per worker, starting workers costs more than it saves
CHUNK = 32  # files handed to a worker at a time
AHEAD = 4  # chunks per worker handed out before the first of them is done: work queued, memory bounded
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
_FORKED: Scanner | None = None


def _start_worker(mask: set[signal.Signals]) -> None:
    """A worker ignores Ctrl-C, which a terminal sends to every process of the scan: the parent alone
    handles it, and kills the workers. SIGTERM stops a worker (not the parent's handler, inherited by
    fork). Both were held from before the fork, so neither reached the worker before this."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _result(future: Future) -> ScanResult:
    """A worker's result, waited for a tenth of a second at a time: a Ctrl-C whose KeyboardInterrupt was
    lost (see :mod:`rightscheck.core.stopping`) stops the scan within that."""
    while True:
        stopping.check()
        try:
            return future.result(timeout=0.1)
        except TimeoutError:
            continue


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers at once; they have nothing to clean up. (``_processes`` holds them in Python
    3.10 to 3.14; 3.14's ``kill_workers()`` is the first public way.)"""
    for process in list(pool._processes.values()):
        process.kill()


def _scan_in_worker(items: list[Item]) -> ScanResult:
    result = _FORKED._scan_all(items)
    result.slow.update(slow_patterns(_FORKED.packs))
    result.disabled.update(disabled_patterns(_FORKED.packs))  # a pattern disabled in this worker, reported by the parent
    return result


def _once_each(files: Iterable[Item]) -> Iterator[Item]:
    """``files`` without repeats: the same file reached by two paths (a hard link, a symlink, two arguments)
    is read once. This is what a scan keeps of every file: its inode number, in a set per device (about
    60 bytes a file, where a (device, inode) tuple would take 150). Which files can be reached twice is
    known only once the walk is over (a symlink to a file may come after the file), so every one is kept."""
    seen: dict[int, set[int]] = {}
    for item in files:
        if isinstance(item, Candidate):
            device, inode = item.key
            inodes = seen.setdefault(device, set())
            if inode in inodes:
                continue
            inodes.add(inode)
        yield item


def default_jobs() -> int:
    """CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
