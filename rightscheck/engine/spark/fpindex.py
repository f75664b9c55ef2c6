"""The source index as a Parquet dataset, for the Spark engine: the local SQLite index's content, laid out
for a distributed join instead of B-tree lookups.

``sources/`` holds one row per source (id, display and real path, kind, pack, token count, token ids and
the bytes it was indexed from), ``postings/`` one row per winnowed fingerprint (hash, source, position)
with the hash's document frequency, ``banal/`` the hashes posted more often than the document-frequency
cut (boilerplate, never joined), ``bloom/`` a Bloom filter of every hash posted (executors drop the
fingerprints of a page that no source holds, most of them, before anything is shuffled), ``manifest/``
the format, packs and counts. Sources are read, parsed,
attributed and fingerprinted on the executors with the local index's own functions; a source's id orders
sources as the local index numbers them (listing order, then record order), and a source whose bytes
repeat an earlier one's is indexed once, as locally."""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

import numpy as np

from rightscheck.checks.bloom import Bloom
from rightscheck.checks.sourceindex import FINGERPRINTS, df_cut, held_path, packs_digest, source_form
from rightscheck.config import Config, SourceDir
from rightscheck.core.errors import RightscheckError
from rightscheck.core.findings import place
from rightscheck.core.result import Skipped
from rightscheck.documents.document import SkipFile
from rightscheck.engine.spark.rows import SKIPPED_SCHEMA, skipped_of, skipped_row
from rightscheck.engine.spark.units import Unit, documents, listed
from rightscheck.inputs.base import Record
from rightscheck.inputs.router import InputOptions
from rightscheck.packs.pack import Pack
from rightscheck.packs.prefilter import Prefilter
from rightscheck.text import fingerprints

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

SPARK_FORMAT = f"6/{FINGERPRINTS}/parquet3"  # 2: with bloom/; 3: its filter blocked, as checks/bloom.py's (6: the
# local layout when this was taken from it)
SOURCES_SCHEMA = ("source long, digest string, path string, real_path string, kind string, pack string, "
                  "tokens int, ids binary, data binary, charset string")
POSTINGS_SCHEMA = "source long, hash array<long>, pos array<int>"  # a source's postings, as arrays
SOURCE_ID_BITS = 32  # a source's id: its unit's index, then its place in the unit


@dataclass(frozen=True)
class _Job:
    """What executors building an index need (a broadcast): every pack, for attribution, and the config."""

    packs: list[Pack]
    config: Config
    options: InputOptions


def build(session: "SparkSession", dirs: list[SourceDir], packs: list[Pack], config: Config, out: str) -> dict:
    """Index the sources of ``dirs`` into the dataset folder ``out`` (replaced if it is an index already);
    the manifest's counts, with the skips and duplicates met."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    guard_output(out, "manifest", "--index")
    unmark(session, out, "manifest")
    started = time.perf_counter()
    units: list[Unit] = []
    skipped: list[Skipped] = []
    options = InputOptions(fields=config.fields)
    for source_dir in dirs:
        error = source_dir.missing()
        if error:
            raise error
        found, lost = listed([source_dir.path], config, options, ignore=False, pack=source_dir.pack)
        base = len({unit.index for unit in units})  # numbered across the folders, in the local index's order
        units.extend(replace(unit, index=base + unit.index) for unit in found)
        skipped.extend(skip for _, skip in lost)
    sc = session.sparkContext
    job = sc.broadcast(_Job(packs, config, options))
    read = sc.parallelize(units, max(1, min(len(units), 4 * sc.defaultParallelism))) \
        .mapPartitions(lambda part: _indexed(job.value, part)).persist(StorageLevel.MEMORY_AND_DISK)
    held = [read]  # what more than one action reads: computed once, dropped at the end
    try:
        rows = session.createDataFrame(read.filter(lambda r: r[0] == "source").map(lambda r: r[1]), SOURCES_SCHEMA)
        first = rows.groupBy("digest").agg(F.min("source").alias("source"))
        sources = rows.join(first, ["digest", "source"], "left_semi")
        sources.drop("digest").write.mode("overwrite").parquet(f"{out}/sources")
        kept = session.read.parquet(f"{out}/sources")
        count = kept.count()
        duplicates = rows.count() - count  # while the read sources are held: after, a count reads them again
        cut = df_cut(count)
        postings = exploded(session.createDataFrame(read.filter(lambda r: r[0] == "posting").map(lambda r: r[1]),
                                                    POSTINGS_SCHEMA), ["source"], ["hash", "pos"]) \
            .join(kept.select("source"), "source", "left_semi").persist(StorageLevel.MEMORY_AND_DISK)
        df = postings.groupBy("hash").agg(F.count(F.lit(1)).alias("df")).persist(StorageLevel.MEMORY_AND_DISK)
        held += [postings, df]
        df.filter(F.col("df") > cut).select("hash").write.mode("overwrite").parquet(f"{out}/banal")
        size = len(Bloom.sized(max(df.count(), 1)).bits)
        bits = df.select("hash").rdd.mapPartitions(lambda rows: _bloom_bits(rows, size)).treeReduce(np.bitwise_or)
        session.createDataFrame([(bytearray(bits.tobytes()),)], "bits binary").write.mode("overwrite") \
            .parquet(f"{out}/bloom")
        postings.join(df.filter(F.col("df") <= cut), "hash").sortWithinPartitions("hash") \
            .write.mode("overwrite").parquet(f"{out}/postings")
        skipped += [skipped_of(s) for part in read.filter(lambda r: r[0] == "skipped").map(lambda r: r[1]).collect()
                    for s in part]  # rows (tuples) from the executors, back to skips
        totals = kept.agg(F.coalesce(F.sum("tokens"), F.lit(0))).first()[0]
        fps = session.read.parquet(f"{out}/postings").count()
        by_pack = {row[0] or "(none)": row[1] for row in kept.groupBy("pack").count().collect()}
    finally:  # a call to the JVM right after one Ctrl-C cut short may fail: the interrupt is what is reported
        with contextlib.suppress(Exception):
            for cached in held:
                cached.unpersist()
            job.destroy()
    manifest = {"format": SPARK_FORMAT, "packset": packs_digest(packs), "sources": count, "df_cut": cut,
                "tokens": int(totals), "fingerprints": fps, "by_pack": by_pack,
                "duplicates": duplicates, "updated": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "seconds": round(time.perf_counter() - started, 3)}
    session.createDataFrame([(key, str(value)) for key, value in manifest.items() if key != "by_pack"]
                            + [(f"pack:{pack}", str(n)) for pack, n in sorted(by_pack.items())],
                            "key string, value string").coalesce(1).write.mode("overwrite").json(f"{out}/manifest")
    session.createDataFrame([skipped_row(s) for s in skipped], SKIPPED_SCHEMA) \
        .coalesce(1).write.mode("overwrite").parquet(f"{out}/skipped")
    return {**manifest, "skipped": skipped, "path": out}


def _bloom_bits(rows: Iterable, size: int) -> Iterator[np.ndarray]:
    """Executors: a Bloom filter of ``size`` bytes over a partition's hashes, to be OR-ed with the others'."""
    bloom = Bloom(np.zeros(size, dtype=np.uint8))
    bloom.add(np.fromiter((row[0] for row in rows), dtype=np.int64))
    yield bloom.bits


def _indexed(job: _Job, units: Iterable[Unit]) -> Iterator[tuple]:
    """Executors: ``source`` rows (without the duplicate check), ``posting`` batches and ``skipped`` lists."""
    prefilter = Prefilter(job.packs)
    skipped = []
    for unit in units:
        named: Counter[str] = Counter()  # a record's name repeated (a URL crawled twice) gets a number
        for seq, item in documents(unit, job.config, job.options):
            if isinstance(item, Skipped):
                skipped.append(item)
                continue
            if isinstance(item, Record):
                path = place(item.path, item.record)
                real, data, charset = held_path(unit.top, path, named), item.data, item.charset
            else:
                path, real, charset = item.path, os.path.realpath(item.fs_path), None
                try:
                    with open(item.fs_path, "rb") as handle:
                        data = handle.read()
                except OSError as exc:
                    skipped.append(Skipped(item.path, f"cannot read: {exc.strerror or exc}"))
                    continue
            try:
                (pack, _), ids = source_form(path, data, item.kind, charset, unit.pack, job.packs, prefilter)
            except SkipFile as exc:
                skipped.append(Skipped(path, str(exc)))
                continue
            source = (unit.index << SOURCE_ID_BITS) | seq
            yield "source", (source, hashlib.blake2b(data, digest_size=16).hexdigest(), path, real, item.kind,
                             pack, len(ids), ids.astype("<u4").tobytes(), data, charset)
            hashes, positions = fingerprints.fingerprint(ids)
            yield "posting", (source, hashes.view("int64").tolist(), positions.astype("int32").tolist())
    yield "skipped", [skipped_row(s) for s in skipped]




def exploded(frame: "DataFrame", keys: list[str], arrays: list[str]) -> "DataFrame":
    """One row per element of the equally long array columns ``arrays``, with the ``keys`` columns: rows
    made in the JVM, where a row per element from Python would cost a pickled tuple each."""
    from pyspark.sql import functions as F

    zipped = frame.select(*keys, F.explode(F.arrays_zip(*arrays)).alias("_item"))
    return zipped.select(*keys, *(F.col(f"_item.{name}").alias(name) for name in arrays))


@dataclass
class Index:
    """An opened index: its manifest, its tables, and the Bloom filter of every hash it posts."""

    manifest: dict
    sources: "DataFrame"
    postings: "DataFrame"
    banal: "DataFrame"
    bloom: bytes


def opened(session: "SparkSession", path: str, packs: list[Pack]) -> Index:
    """The index at ``path``; one built with another format or other packs is refused in one line
    (attribution and fingerprints depend on both)."""
    try:
        manifest = {row["key"]: row["value"] for row in session.read.json(f"{path}/manifest").collect()}
    except Exception:  # Spark's AnalysisException: no such folder
        raise RightscheckError("no Spark index here (build one with `rightscheck index build --engine spark "
                               "SOURCES -o DIR`)", path, key="--index") from None
    problem = (f"index format {manifest.get('format')} is not {SPARK_FORMAT}" if manifest.get("format") != SPARK_FORMAT
               else "index built with other rule packs" if manifest.get("packset") != packs_digest(packs) else None)
    if problem:
        raise RightscheckError(f"{problem}; rebuild it with `rightscheck index build --engine spark`", path,
                               key="--index")
    read = session.read.parquet
    return Index(manifest, read(f"{path}/sources"), read(f"{path}/postings"), read(f"{path}/banal"),
                 bytes(read(f"{path}/bloom").first()["bits"]))


def local_manifest(path: str) -> dict:
    """The manifest of an index in a local folder, read without Spark (``index info``): its JSON lines."""
    import json

    parts = sorted(Path(path, "manifest").glob("part-*.json"))
    if not parts:
        raise RightscheckError("no Spark index here (build one with `rightscheck index build --engine spark "
                               "SOURCES -o DIR`)", path, key="--index")
    try:
        return {row["key"]: row["value"] for part in parts for line in part.read_text("utf-8").splitlines()
                if line.strip() for row in [json.loads(line)]}
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise RightscheckError(f"unreadable index manifest: {exc}", path, key="--index") from None


def unmark(session: "SparkSession", out: str, marker: str) -> None:
    """Empty ``out``'s ``marker`` folder (written last, it says the output is whole) before a run replaces the
    rest: a run cut short or failing then leaves an empty marker, never an earlier run's marker beside a part
    of this run's output. An empty marker still lets :func:`guard_output` replace the folder."""
    sc = session.sparkContext
    path = sc._jvm.org.apache.hadoop.fs.Path(f"{out}/{marker}")
    filesystem = path.getFileSystem(sc._jsc.hadoopConfiguration())
    if filesystem.exists(path):
        filesystem.delete(path, True)
        filesystem.mkdirs(path)


def guard_output(out: str, marker: str, key: str) -> None:
    """Refuse to replace a local folder that holds something other than what this engine writes there
    (``marker``, a folder it writes last): `-o .` must never empty a project."""
    if "://" in out and not out.startswith("file://"):
        return
    local = out.removeprefix("file://")
    if os.path.isdir(local) and os.listdir(local) and not os.path.isdir(os.path.join(local, marker)):
        raise RightscheckError(f"folder is not empty and holds no earlier output ({marker}/); choose a new "
                               "or empty folder", out, key=key)
    if os.path.exists(local) and not os.path.isdir(local):
        raise RightscheckError("is a file; the Spark engine writes a folder", out, key=key)
