"""What the executors run: the local engine's scanner on each document of their units, in two passes.

The first pass scans every document as a local scan would, reuse aside, and keeps each document's
winnowed fingerprints, exactly as the reuse check asks them of an index (credits and notices masked).
A document whose fingerprints meet no source in the distributed join is finished: the reuse check would
have found no passage in it. The few that do are read again in the second pass and scanned once more,
now with their seeds and sources in hand, by the same reuse check as the local engine.

Rows go back to the driver as plain tuples, tagged: ``doc`` (a document's findings, suppressed count and
suppressed findings with their reasons),
``hashes`` (its fingerprints), ``part`` (a partition's counts, skips, notes, errors and slow patterns)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np

from rightscheck.checks.bloom import Bloom
from rightscheck.checks.reuse import ReuseChecker, SourceCache
from rightscheck.checks.seeds import AskedSeeds, GivenSeeds, HeldSources
from rightscheck.checks.sourceindex import Source
from rightscheck.config import Config
from rightscheck.core.result import ScanResult, Skipped
from rightscheck.engine.scanner import Scanner
from rightscheck.engine.spark.rows import finding_row, skipped_of, skipped_row
from rightscheck.engine.spark.units import Unit, documents
from rightscheck.inputs.router import InputOptions
from rightscheck.packs.pack import Pack, disabled_patterns, slow_patterns

DOC, HASHES, PART = "doc", "hashes", "part"


@dataclass(frozen=True)
class Plan:
    """What every executor needs, sent once (a broadcast variable): the packs (compiled and validated on the
    driver), the config, how inputs are read, the scan's settings and the units."""

    packs: list[Pack]
    known: frozenset[str]
    config: Config
    options: InputOptions
    suppressions: bool
    idle_suppressions: str
    reuse: bool
    units: list[Unit]


_SCANNER: list = [None, None]  # (plan, its scanner): the packs' matchers are built once per executor process


def _scanner(plan: Plan) -> Scanner:
    if _SCANNER[0] is not plan:  # PySpark keeps a broadcast's value per worker process: one plan per job
        _SCANNER[:] = plan, Scanner(plan.packs, plan.config, known=plan.known, suppressions=plan.suppressions,
                                    idle_suppressions=plan.idle_suppressions)
    return _SCANNER[1]


def first_pass(broadcast, bloom, units: Iterable[Unit]) -> Iterator[tuple]:
    """Scan every document of ``units``; each document's rows, then the partition's ``part`` row. Only the
    fingerprints the index's Bloom filter (``bloom``, its bits) may hold are kept for the join."""
    plan = broadcast.value
    scanner = _scanner(plan)
    posted = Bloom(np.frombuffer(bloom.value, dtype=np.uint8)) if plan.reuse else None
    part = ScanResult()
    places: list[tuple[int, int]] = []  # (unit, document) of each skip in ``part``: the driver orders them
    for unit in units:
        for seq, item in documents(unit, plan.config, plan.options):
            if isinstance(item, Skipped):
                part.skipped.append(item)
                places.append((unit.index, seq))
                continue
            asked = AskedSeeds() if plan.reuse else None
            if asked is not None:
                scanner.reuse = ReuseChecker(asked, SourceCache(HeldSources()), plan.packs, plan.config)
            before = len(part.skipped)
            yield from _scanned(scanner, item, unit.index, seq, part)
            places.extend([(unit.index, seq)] * (len(part.skipped) - before))
            if asked is not None and len(asked.asked):
                hashes, counts = np.unique(asked.asked.view(np.int64), return_counts=True)
                maybe = posted.may_hold(hashes)
                if maybe.any():
                    yield HASHES, unit.index, seq, hashes[maybe].tobytes(), counts[maybe].astype(np.int32).tobytes()
    yield _part(part, plan.packs, places)


def second_pass(broadcast, groups: Iterable[tuple[int, list[tuple[int, list, list, list]]]]) -> Iterator[tuple]:
    """Scan again the documents the join found seeds for, with those seeds and their sources: ``groups`` is
    (unit key, [(document, seeds (hash, source, position), boilerplate hashes, sources)]) per unit."""
    plan = broadcast.value
    scanner = _scanner(plan)
    part = ScanResult()
    units = {unit.key: unit for unit in plan.units}
    for key, wanted in groups:
        by_seq = {seq: rest for seq, *rest in wanted}
        for seq, item in documents(units[tuple(key)], plan.config, plan.options):
            if seq not in by_seq or isinstance(item, Skipped):
                continue
            seeds, banal, sources = by_seq[seq]
            postings: dict[int, list[tuple[int, int]]] = {}
            for hash_, source, pos in sorted(seeds):  # as the local index orders them
                postings.setdefault(hash_, []).append((source, pos))
            held = [(Source(row[0], row[1], row[2], row[3], row[4], row[5]),
                     np.frombuffer(row[6], dtype=np.uint32), row[7], row[8]) for row in sources]
            scanner.reuse = ReuseChecker(GivenSeeds(postings, banal), SourceCache(HeldSources(held)),
                                         plan.packs, plan.config)
            yield from _scanned(scanner, item, key[0], seq, ScanResult())  # counted in the first pass
    yield _part(part, plan.packs)


def _scanned(scanner: Scanner, item, unit: int, seq: int, part: ScanResult) -> Iterator[tuple]:
    """One document's ``doc`` row (when it has findings or suppressions); the rest of its result into ``part``."""
    result = ScanResult()
    scanner.scan_file(item, result)
    if result.findings or result.suppressed:  # suppressed findings kept, as the JSON and SARIF reports list them
        yield DOC, unit, seq, [finding_row(f) for f in result.findings], result.suppressed, \
            [(*finding_row(f), why) for f, why in result.suppressions]
    result.findings, result.suppressed, result.suppressions = [], 0, []
    part.merge(result)


def _part(part: ScanResult, packs: list[Pack], places: list[tuple[int, int]] = ()) -> tuple:
    """A partition's counts and messages, as JSON (a handful per partition, merged by the driver); each skip
    with its place (unit, document) from ``places``."""
    return PART, -1, -1, json.dumps({
        "files": part.files, "skipped": [[*place, *skipped_row(s)] for place, s in zip(places, part.skipped)],
        "notes": part.notes,
        "errors": part.errors, "disabled": disabled_patterns(packs), "slow": slow_patterns(packs)},
        ensure_ascii=False)


def merged_parts(payloads: Iterable[str], listed: Iterable[tuple[int, Skipped]] = ()) -> ScanResult:
    """The driver's side of :func:`_part`: every partition's counts and messages in one result, the skips
    with those of the listing (``listed``: each with the unit after it) in a local scan's order: by file,
    then by document (a big file's documents are spread over several tasks)."""
    result = ScanResult()
    placed = [((unit, -1), skipped) for unit, skipped in listed]
    for payload in payloads:
        data = json.loads(payload)
        placed.extend(((row[0], row[1]), skipped_of(row[2:])) for row in data["skipped"])
        part = ScanResult(files=data["files"], notes=[tuple(note) for note in data["notes"]],
                          errors=data["errors"], disabled=data["disabled"], slow=data["slow"])
        result.merge(part)
    result.skipped = [skipped for _, skipped in sorted(placed, key=lambda pair: pair[0])]
    return result
