"""One scan as a Spark job, run from the driver: units spread over executors, the first pass (every
document scanned, its fingerprints kept), the distributed join of those fingerprints with the index's
postings (boilerplate hashes never joined), the second pass on the documents with seeds, and the
findings and skips written as Parquet. See :mod:`rightscheck.engine.spark.work` for the passes.

Output is deterministic: units are listed in a fixed order and sliced into partitions by position, each
partition's rows follow its units' order, and findings are sorted before they are written, so a retried
task writes what the first attempt would have, and a rerun writes the same dataset."""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from rightscheck.checks.reuse import LONE_SEED_SOURCES
from rightscheck.core.result import ScanResult, Skipped
from rightscheck.engine.spark.fpindex import Index, exploded, guard_output, unmark
from rightscheck.engine.spark.rows import FINDING_FIELDS, FINDING_SCHEMA, SKIPPED_SCHEMA, SUPPRESSED_SCHEMA, skipped_row
from rightscheck.engine.spark.work import DOC, HASHES, PART, Plan, first_pass, merged_parts, second_pass
from rightscheck.inputs.base import DOCUMENT_KINDS

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SUMMARY = "summary"  # the folder written last: marks a complete output (and one that may be replaced)


@dataclass
class Outcome:
    """What the driver keeps of a job: the counts and messages (a ScanResult without findings), the
    findings' (severity, rule) tally, and how many documents the join sent to the second pass."""

    result: ScanResult
    tally: Counter = field(default_factory=Counter)
    rescanned: int = 0


def run(session: "SparkSession", plan: Plan, out: str, index: Index | None = None,
        skipped: list[tuple[int, Skipped]] = (), after: list[Skipped] = ()) -> Outcome:
    """Scan ``plan.units`` into the dataset folder ``out``: ``findings/`` (partitioned by pack), ``skipped/``
    (``skipped``, what the listing left out (see :func:`~rightscheck.engine.spark.units.listed`), with what the
    executors did, in a local scan's order; then ``after``: the sources that could not be indexed, as a local
    scan lists them) and ``summary/``; with ``index`` (an opened Parquet
    index), reused text too."""
    from pyspark import StorageLevel

    guard_output(out, SUMMARY, "--output")
    unmark(session, out, SUMMARY)
    sc = session.sparkContext
    broadcast = sc.broadcast(plan)
    bloom = sc.broadcast(index.bloom if index is not None else b"")
    containers = sum(unit.item.kind not in DOCUMENT_KINDS for unit in plan.units)
    slices = max(1, min(len(plan.units), max(4 * sc.defaultParallelism, containers)))
    held: list = []  # what more than one action reads: computed once, dropped at the end

    def hold(rdd):
        held.append(rdd.persist(StorageLevel.MEMORY_AND_DISK))
        return rdd

    try:
        first = hold(sc.parallelize(plan.units, slices).mapPartitions(lambda units: first_pass(broadcast, bloom, units)))
        docs = first.filter(lambda row: row[0] == DOC).map(lambda row: ((row[1], row[2]), row[3:]))
        parts = first.filter(lambda row: row[0] == PART).map(lambda row: row[3]).collect()  # the first pass
        outcome = Outcome(ScanResult())
        outcome.result.merge(merged_parts(parts, skipped))
        if index is not None:
            groups = hold(_candidates(session, first, index, {unit.index: unit.parts for unit in plan.units}, hold))
            rescanned = hold(groups.mapPartitions(lambda units: second_pass(broadcast, units)))
            keys = groups.flatMap(lambda group: [((group[0][0], doc[0]), None) for doc in group[1]])
            outcome.rescanned = keys.count()  # the join
            again = rescanned.filter(lambda row: row[0] == DOC).map(lambda row: ((row[1], row[2]), row[3:]))
            docs = docs.subtractByKey(keys).union(again)
            outcome.result.merge(merged_parts(rescanned.filter(lambda row: row[0] == PART)  # the second pass
                                              .map(lambda row: row[3]).collect()))
        outcome.result.skipped.extend(after)
        _write(session, hold(docs), outcome, out)
    finally:  # a call to the JVM right after one Ctrl-C cut short may fail: the interrupt is what is reported
        with contextlib.suppress(Exception):
            for rdd in held:
                rdd.unpersist()
            for shared in (broadcast, bloom):  # executors of a long-lived session drop them too
                shared.destroy()
    return outcome


def _candidates(session: "SparkSession", first, index: Index, parts: dict[int, int], hold):
    """(unit key, [(document, seeds, boilerplate hashes, sources)]) for every document whose fingerprints meet a
    source in a way the reuse check could make a passage of. A source met by one seed only, of a hash
    more than LONE_SEED_SOURCES sources post, is never one (the check drops it): its bytes are not fetched,
    but every posting of the document's hashes is handed on, since the check counts them. ``parts`` is how
    many tasks read each file (the unit key is the file and the task's share); ``hold`` persists what
    several branches of the join read."""
    from pyspark.sql import functions as F

    sources, postings, banal = index.sources, index.postings, index.banal
    doc = ["unit", "seq"]
    fps = hold(exploded(session.createDataFrame(  # a document's hashes cross to the JVM as one array, not a row each
        first.filter(lambda row: row[0] == HASHES).map(
            lambda row: (row[1], row[2], np.frombuffer(row[3], dtype=np.int64).tolist(),
                         np.frombuffer(row[4], dtype=np.int32).tolist())),
        "unit int, seq int, hash array<long>, n array<int>"), doc, ["hash", "n"]))
    hits = hold(fps.join(postings, "hash"))
    pairs = hits.groupBy(*doc, "source").agg(F.sum("n").alias("seeds"), F.min("df").alias("df")) \
        .filter((F.col("seeds") > 1) | (F.col("df") <= LONE_SEED_SOURCES)).select(*doc, "source")
    wanted = pairs.select(*doc).distinct()
    seeds = hits.join(wanted, doc, "left_semi").groupBy(*doc) \
        .agg(F.collect_list(F.struct("hash", "source", "pos")).alias("seeds"))
    boilerplate = fps.join(wanted, doc, "left_semi").join(banal, "hash", "left_semi").groupBy(*doc) \
        .agg(F.collect_list("hash").alias("banal"))
    columns = ["source", "path", "real_path", "kind", "pack", "tokens", "ids", "data", "charset"]
    # the few sources some page meets, picked before the join: joined whole, the sources table (token ids and
    # bytes of every dispatch) was shuffled by every scan, 1.1 of the 3.4 GB a million-source join moved
    met = sources.join(F.broadcast(pairs.select("source").distinct()), "source", "left_semi")
    held = pairs.join(met, "source").groupBy(*doc) \
        .agg(F.collect_list(F.struct(*columns)).alias("sources"))
    joined = seeds.join(boilerplate, doc, "left").join(held, doc, "left")
    return joined.rdd.map(lambda row: ((row["unit"], row["seq"] % parts[row["unit"]]), (row["seq"], [tuple(s) for s in row["seeds"]],
                                                     list(row["banal"] or ()),
                                                     [tuple(s) for s in row["sources"] or ()]))) \
        .groupByKey().mapValues(list)


def findings_of(session: "SparkSession", out: str):
    """The findings a job wrote to ``out`` (none is an empty table, not an error)."""
    return session.read.schema(FINDING_SCHEMA).parquet(f"{out}/findings")


def suppressed_of(session: "SparkSession", out: str):
    """The suppressed findings a job wrote to ``out``, each with its directive's ``justification``."""
    return session.read.schema(SUPPRESSED_SCHEMA).parquet(f"{out}/suppressed")


def _write(session: "SparkSession", docs, outcome: Outcome, out: str) -> None:
    """findings/ (sorted, partitioned by pack), suppressed/, skipped/, then summary/, and the tally of what was
    written."""
    from pyspark.sql import functions as F

    rows = docs.flatMap(lambda item: item[1][0])
    findings = session.createDataFrame(rows, FINDING_SCHEMA)
    # as Finding.sort_key orders them: a container's records by their place in it (offset or line, a number,
    # not the record's JSON text: line 10 after line 9); pack first, the order the writer needs, so that it
    # does not sort each task's rows again
    place = F.coalesce(F.get_json_object("record", "$.offset"), F.get_json_object("record", "$.line")).cast("long")
    order = ["path", place, "record", "line", "column", "rule", "source", "message"]
    findings.orderBy("pack", *order).write.mode("overwrite").partitionBy("pack").parquet(f"{out}/findings")
    written = findings_of(session, out)
    outcome.tally = Counter({(row["severity"], row["rule"]): row["count"]
                             for row in written.groupBy("severity", "rule").count().collect()})
    if not outcome.tally:  # no pack=... folder, so no file: one empty file keeps the columns for any reader
        session.createDataFrame([], FINDING_SCHEMA).coalesce(1).write.mode("overwrite").parquet(f"{out}/findings")
    outcome.result.suppressed = docs.map(lambda item: item[1][1]).sum()
    session.createDataFrame(docs.flatMap(lambda item: item[1][2]), SUPPRESSED_SCHEMA).orderBy(*order) \
        .coalesce(1).write.mode("overwrite").parquet(f"{out}/suppressed")
    session.createDataFrame([skipped_row(s) for s in outcome.result.skipped], SKIPPED_SCHEMA) \
        .coalesce(1).write.mode("overwrite").parquet(f"{out}/skipped")
    written_result = replace(outcome.result, streamed=outcome.tally)  # the findings are in Parquet, not here
    summary = {**written_result.summary(), "errors": outcome.result.errors, "columns": FINDING_FIELDS}
    session.createDataFrame([(json.dumps(summary, ensure_ascii=False),)], "summary string") \
        .coalesce(1).write.mode("overwrite").text(f"{out}/{SUMMARY}")
