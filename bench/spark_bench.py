"""The Spark engine against the local engine, and the scale curve of its distributed reuse join.

Part A (engine overhead): one WARC (inputs_bench's 1 GB crawl, 110k responses) and reuse_bench's seeded
20,000-dispatch wire archive (a folder of .txt files) scanned by `rightscheck scan --jobs 2 --sources ...
--format jsonl -o out.jsonl` (local) and `rightscheck scan --engine spark --spark-master local[2] --sources
... -o DIR` (Spark), cold CLI processes, interleaved (local, spark, local, spark ...). Both build their
source index from scratch in every run (the local one into a fresh --index file: otherwise its second run
reuses the first run's cached index, while the Spark scan always builds one). Per run: wall s, documents
(the WARC records the summary counts as scanned), documents/s, the spark/local ratio of the same round,
memory (see below), and whether both found the same findings (the JSON Lines lines against the Parquet
rows, compared finding by finding: rule, container, record, line and column).

Part B (scale curve): 10k, 100k and 1M seeded wire dispatches (about 200 words each, the same Zipf-like
pseudo-text as reuse_bench, AFP dateline and notice) written as JSON Lines containers of --per-file
dispatches (read with `--field id=id`; text in `text`), every size a prefix of the next (hard links), and
100k short text pages (about 200 words, in folders of 1,000), --planted of them carrying one verbatim
passage of 40-80 words from one of the first 10k dispatches, so every size has the same passages to find.
Per size: `index build --engine spark` then `scan --engine spark --index DIR` (not --sources) on the pages,
each in a fresh process of its own that starts its SparkSession (local[2], UI on --ui-port) and runs the
CLI in-process (click, standalone_mode=False), then reads the UI's REST API for the application's jobs and
stages: shuffle write/read bytes summed over stages, and the seconds of the job that computes the join
(`keys.count()` in engine/spark/job.py: fingerprints x postings, the candidate pairs, the seeds and the
sources collected per document, grouped by unit; its stages are skipped when later jobs reuse it).
A step past --time-box seconds is killed and reported as such.

Memory: for a CLI run (part A), the driver's own peak RSS (VmHWM of the process the bench started: the
local engine's parent, or Spark's Python driver), and the process tree's peak summed PSS (the local
engine's forked workers; Spark's JVM and its Python workers; PSS counts pages forked workers share once),
sampled from /proc every 0.5 s, with the
JVM's own peak (VmHWM) apart. getrusage(RUSAGE_CHILDREN)'s ru_maxrss, which the brief named, is the
largest single process of the tree, not the tree's sum: it is printed as "largest process".

    python bench/spark_bench.py --part A --work /tmp/spark-bench --warc /tmp/inputs-bench/crawl.warc.gz --rounds 2
    python bench/spark_bench.py --part A --rounds 0 --breakdown   # the Spark scan's time, index build apart
    python bench/spark_bench.py --part B --work /tmp/spark-bench --sizes 10000            # validate the pipeline
    python bench/spark_bench.py --part B --work /tmp/spark-bench --sizes 10000,100000,1000000 --time-box 2700 \
        --driver-memory 8g   # with Spark's default 1g heap, the 1M-source index build dies (Java heap space)

Run with the checkout's venv and the checkout on PYTHONPATH (PYTHONPATH=. .venv/bin/python ...): pyspark,
pyarrow and warcio, Java 17. Data under --work is generated once and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from scan_bench import _pss_kb, _tree, machine_line  # noqa: E402

SEED = 20261206
VOCABULARY = 30_000
WORDS = 200  # per dispatch and per page
PLANT_FROM = 10_000  # planted passages come from the first dispatches: every size holds them
NOTICE = ("All rights reserved. Copyright Agence France-Presse. Sections of the information displayed on this "
          "page (dispatches, photographs, logos) are protected by intellectual property rights owned by Agence "
          "France-Presse.")
CITIES = ["Nairobi", "Lima", "Oslo", "Hanoi", "Dakar", "Quito", "Riga", "Accra", "Perth", "Tunis"]
RESULT = "SPARK-BENCH-RESULT "


# --------------------------------------------------------------------------------------------------
# Data

class Words:
    """A seeded Zipf-like vocabulary (as reuse_bench's Writer), drawn in bulk with numpy."""

    def __init__(self, seed: int = SEED) -> None:
        rng = random.Random(seed)
        letters = "abcdefghijklmnopqrstuvwxyz"
        self.words = np.array(["".join(rng.choices(letters, k=rng.randint(2, 10))) for _ in range(VOCABULARY)],
                              dtype=object)
        cum = np.cumsum(1 / np.arange(1, VOCABULARY + 1))
        self.cum = cum / cum[-1]

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.minimum(np.searchsorted(self.cum, rng.random(n)), VOCABULARY - 1)

    def prose(self, ids: np.ndarray) -> str:
        words = self.words[ids].tolist()
        for i in range(15, len(words), 16):  # sentences (punctuation never joins or splits words)
            words[i] += "."
        return " ".join(words)


def generate_sources(root: Path, count: int, per_file: int, words: Words) -> list[np.ndarray]:
    """``root/all``: ``count`` dispatches in JSON Lines files of ``per_file``; the word ids of the first
    PLANT_FROM (to plant from). Deterministic: the same seed gives the same bytes."""
    rng = np.random.default_rng(SEED)
    out = root / "all"
    out.mkdir(parents=True, exist_ok=True)
    kept = []
    for start in range(0, count, per_file):
        ids = words.draw(rng, per_file * WORDS).reshape(per_file, WORDS)
        lines = []
        for k in range(per_file):
            i = start + k
            if i < PLANT_FROM:
                kept.append(ids[k])
            text = f"{CITIES[i % len(CITIES)]}, Jan {1 + i % 28} (AFP) - {words.prose(ids[k])}\n\nxx/yy\n\n{NOTICE}\n"
            lines.append(json.dumps({"id": f"dispatch-{i:07d}", "text": text}))
        tmp = out / f".wire-{start // per_file:04d}.jsonl"
        tmp.write_text("\n".join(lines) + "\n", "utf-8")
        tmp.rename(out / f"wire-{start // per_file:04d}.jsonl")
    return kept


def sources_for(root: Path, size: int, per_file: int) -> Path:
    """A folder of the first ``size`` dispatches: hard links to the first files of ``root/all``."""
    folder = root / f"sources-{size}"
    if not folder.exists():
        tmp = root / f".sources-{size}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for n in range(-(-size // per_file)):
            os.link(root / "all" / f"wire-{n:04d}.jsonl", tmp / f"wire-{n:04d}.jsonl")
        tmp.rename(folder)
    return folder


def generate_pages(root: Path, count: int, planted: int, kept: list[np.ndarray], words: Words) -> list[dict]:
    """``root/pages``: ``count`` text pages in folders of 1,000; ``planted`` of them carry one verbatim passage
    of 40-80 words from a dispatch among the first PLANT_FROM. The plants, for the record."""
    rng = np.random.default_rng(SEED + 1)
    pages = root / ".pages"
    shutil.rmtree(pages, ignore_errors=True)
    chosen = set(rng.choice(count, planted, replace=False).tolist())
    plants = []
    for j in range(count):
        ids = words.draw(rng, WORDS)
        if j in chosen:
            source = int(rng.integers(len(kept)))
            length = int(rng.integers(40, 81))
            start = int(rng.integers(WORDS - length))
            at = int(rng.integers(WORDS))
            ids = np.concatenate([ids[:at], kept[source][start:start + length], ids[at:]])
            plants.append({"page": j, "source": source, "length": length})
        folder = pages / f"{j // 1000:03d}"
        if j % 1000 == 0:
            folder.mkdir(parents=True)
        (folder / f"page-{j:06d}.txt").write_text(words.prose(ids) + "\n", "utf-8")
    pages.rename(root / "pages")
    return plants


def ensure_part_b(work: Path, sizes: list[int], pages: int, planted: int, per_file: int) -> Path:
    root = work / "b"
    marker = root / "generated.json"
    wanted = {"seed": SEED, "sources": max(sizes), "pages": pages, "planted": planted, "per_file": per_file}
    if marker.exists():
        have = json.loads(marker.read_text())
        if have["sources"] >= wanted["sources"] and {k: v for k, v in have.items() if k not in ("sources", "plants")} \
                == {k: v for k, v in wanted.items() if k != "sources"}:
            return root
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    words = Words()
    started = time.perf_counter()
    print(f"generating {max(sizes):,} dispatches in {root}/all ...", file=sys.stderr)
    kept = generate_sources(root, max(sizes), per_file, words)
    print(f"  {time.perf_counter() - started:.0f} s; generating {pages:,} pages ...", file=sys.stderr)
    plants = generate_pages(root, pages, planted, kept, words)
    marker.write_text(json.dumps({**wanted, "plants": plants}))
    print(f"  done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return root


def ensure_part_a(work: Path, warc: Path) -> Path:
    """reuse_bench's seeded 20,000 dispatches (no articles); the WARC is checked by reading a few records."""
    from warcio.archiveiterator import ArchiveIterator

    with open(warc, "rb") as stream:
        for n, record in enumerate(ArchiveIterator(stream)):
            record.content_stream().read()
            if n >= 20:
                break
    root = work / "a" / "wire20k"
    if not (root / "wire").exists() or len(os.listdir(root / "wire")) < 20_000:
        from reuse_bench import generate

        shutil.rmtree(root, ignore_errors=True)
        print(f"generating 20,000 dispatches in {root}/wire ...", file=sys.stderr)
        generate(root, 20_000, 0)
    return root / "wire"


# --------------------------------------------------------------------------------------------------
# Processes: wall time and memory from /proc

def _status(pid: int) -> dict:
    values = {}
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(("VmRSS:", "VmHWM:", "Name:")):
                    key, _, value = line.partition(":")
                    values[key] = value.split()[0] if key == "Name" else int(value.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return values


def _cpu(pid: int) -> float:
    """User and system CPU seconds of a process so far."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def _load() -> float:
    with open("/proc/loadavg") as handle:
        return float(handle.read().split()[0])


def run_sampled(cmd: list[str], cwd: Path, env: dict, timeout: float | None = None) -> dict:
    """Run ``cmd`` (stdout and stderr kept); wall s, exit code, and memory in MB: ``driver`` (the process
    started, its own VmHWM), ``jvm`` (a java process in its tree, VmHWM), ``workers`` (peak summed PSS of
    the other processes), ``tree`` (peak summed PSS of all), ``largest`` (wait4's ru_maxrss: the largest
    process among the child and the descendants it waited for); ``cpu``, the tree's CPU seconds (each process's
    last sample, so within 0.5 s of its end), and ``load``, the machine's mean 1-minute load meanwhile (the
    machine is shared: a load above its 2 cores means the step waited for them)."""
    peaks = {"driver": 0, "jvm": 0, "workers": 0, "tree": 0}
    cpu: dict[int, float] = {}  # pid -> CPU seconds last seen (a process that ends keeps its last sample)
    loads: list[float] = []
    done = threading.Event()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    out_chunks: list[bytes] = []
    err_chunks: list[bytes] = []
    readers = [threading.Thread(target=lambda s=s, c=c: c.append(s.read()), daemon=True)
               for s, c in ((proc.stdout, out_chunks), (proc.stderr, err_chunks))]
    for reader in readers:
        reader.start()

    def sample() -> None:
        while not done.wait(0.5):
            pids = _tree(proc.pid)
            tree = workers = 0
            loads.append(_load())
            for p in pids:
                cpu[p] = max(cpu.get(p, 0.0), _cpu(p))
                s = _status(p)
                rss = _pss_kb(p)
                tree += rss
                if p == proc.pid:
                    peaks["driver"] = max(peaks["driver"], s.get("VmHWM", 0))
                elif s.get("Name") == "java":
                    peaks["jvm"] = max(peaks["jvm"], s.get("VmHWM", 0))
                else:
                    workers += rss
            peaks["tree"] = max(peaks["tree"], tree)
            peaks["workers"] = max(peaks["workers"], workers)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    timed_out = False
    deadline = None if timeout is None else started + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.perf_counter() > deadline:
            timed_out = True
            os.killpg(proc.pid, signal.SIGTERM)  # its own session: the driver, the JVM and the workers
            time.sleep(5)
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            deadline = None
        time.sleep(0.1)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    for reader in readers:
        reader.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"wall": wall, "rc": proc.returncode, "timed_out": timed_out,
            "stdout": b"".join(out_chunks).decode("utf-8", "replace"),
            "stderr": b"".join(err_chunks).decode("utf-8", "replace"),
            "largest_mb": usage.ru_maxrss / 1024, **{f"{k}_mb": v / 1024 for k, v in peaks.items()},
            "cpu": max(sum(cpu.values()), usage.ru_utime + usage.ru_stime),
            "load": sum(loads) / len(loads) if loads else _load()}


def bench_env() -> dict:
    env = dict(os.environ)
    root = str(HERE.parent)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYSPARK_PYTHON"] = sys.executable
    return env


# --------------------------------------------------------------------------------------------------
# Findings, compared

def _key(f: dict) -> tuple:
    record = f.get("record")
    if isinstance(record, str):
        record = json.loads(record)
    return (f["rule"], f["path"], json.dumps(record, sort_keys=True), f["line"], f["column"], f["end_line"],
            f["end_column"])


def jsonl_findings(path: Path) -> tuple[Counter, dict]:
    lines = path.read_text("utf-8").splitlines()
    summary = json.loads(lines[-1])["summary"]
    return Counter(_key(json.loads(line)) for line in lines[:-1]), summary


def parquet_findings(out: Path) -> tuple[Counter, dict]:
    import pyarrow.parquet as pq

    table = pq.read_table(out / "findings")  # hive-partitioned by pack
    keys = Counter(_key(row) for row in table.select(["rule", "path", "record", "line", "column", "end_line",
                                                        "end_column"]).to_pylist())
    text = "".join(p.read_text("utf-8") for p in sorted((out / "summary").glob("part-*")))
    return keys, json.loads(text)


# --------------------------------------------------------------------------------------------------
# Part A

def part_a(args, env: dict) -> None:
    wire = ensure_part_a(args.work, args.warc)
    runs = args.work / "a" / "runs"
    shutil.rmtree(runs, ignore_errors=True)
    runs.mkdir(parents=True)
    warc = args.warc.resolve()
    cwd = warc.parent  # both report the container as its name
    python = [sys.executable, "-m", "rightscheck"]
    rows = []
    if args.rounds == 0:
        breakdown(args, env, wire, warc, runs)
        return
    for round_ in range(1, args.rounds + 1):
        for engine in ("local", "spark"):
            out = runs / f"{engine}-{round_}"
            if engine == "local":
                index = runs / f"local-index-{round_}.sqlite"
                cmd = [*python, "scan", "--jobs", "2", "--sources", str(wire), "--index", str(index), warc.name,
                       "--format", "jsonl", "-o", f"{out}.jsonl"]
            else:
                cmd = [*python, "scan", "--engine", "spark", "--spark-master", "local[2]", "--sources", str(wire),
                       warc.name, "-o", str(out)]
            print(f"round {round_}: {engine} ...", file=sys.stderr)
            m = run_sampled(cmd, cwd, env, args.time_box)
            if m["rc"] not in (0, 1):
                sys.exit(f"spark_bench: {' '.join(cmd)} exited {m['rc']}:\n{m['stderr'][-3000:]}")
            keys, summary = jsonl_findings(Path(f"{out}.jsonl")) if engine == "local" else parquet_findings(out)
            rows.append({"round": round_, "engine": engine, "cmd": cmd, **m, "keys": keys,
                         "documents": summary["files"], "findings": summary["findings"],
                         "summary_line": m["stdout"].strip().splitlines()[-1] if m["stdout"].strip() else ""})
            print(f"  {m['wall']:.1f} s, {summary['files']} documents, {summary['findings']} findings", file=sys.stderr)
    print(f"\n{machine_line(sys.executable)}")
    print(f"Part A: {warc.name} ({warc.stat().st_size / 1e6:.0f} MB gzipped), sources {wire} "
          f"({len(os.listdir(wire)):,} files); runs interleaved, {args.rounds} rounds\n")
    print("| round | engine | wall s | CPU s | load | documents | documents/s | findings | spark/local wall | "
          "driver peak MB | JVM peak MB | other processes peak MB | tree peak MB | largest process MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        local = next(x for x in rows if x["round"] == r["round"] and x["engine"] == "local")
        ratio = f"{r['wall'] / local['wall']:.2f}" if r["engine"] == "spark" else "-"
        print(f"| {r['round']} | {r['engine']} | {r['wall']:.1f} | {r['cpu']:.0f} | {r['load']:.1f} | {r['documents']:,} | {r['documents'] / r['wall']:.0f} | "
              f"{r['findings']:,} | {ratio} | {r['driver_mb']:.0f} | {r['jvm_mb']:.0f} | {r['workers_mb']:.0f} | "
              f"{r['tree_mb']:.0f} | {r['largest_mb']:.0f} |")
    walls = {e: sorted(r["wall"] for r in rows if r["engine"] == e) for e in ("local", "spark")}
    med = {e: w[len(w) // 2] if len(w) % 2 else sum(w[len(w) // 2 - 1:len(w) // 2 + 1]) / 2 for e, w in walls.items()}
    print(f"\nmedian wall: local {med['local']:.1f} s, spark {med['spark']:.1f} s, spark/local {med['spark'] / med['local']:.2f}")
    base = rows[0]["keys"]
    for r in rows[1:]:
        same = r["keys"] == base
        print(f"round {r['round']} {r['engine']}: findings {'match' if same else 'DIFFER from'} round 1 local"
              + ("" if same else f" (only here: {sum((r['keys'] - base).values())}, only in local: "
                 f"{sum((base - r['keys']).values())}; e.g. {list((r['keys'] - base) or (base - r['keys']))[:3]})"))
    for r in rows:
        print(f"{r['engine']} round {r['round']} summary: {r['summary_line']}")
    print("\ncommands (cwd " + str(cwd) + "):")
    for r in rows[:2]:
        print("  " + " ".join(r["cmd"]))
    if args.breakdown:
        breakdown(args, env, wire, warc, runs)
    print(f"\ncommand: {' '.join(['python', 'bench/spark_bench.py', *sys.argv[1:]])}")


def breakdown(args, env: dict, wire: Path, warc: Path, runs: Path) -> None:
    """Part A's Spark scan split in two steps run as part B's (UI on, the CLI in-process): `index build
    --engine spark` of the sources, then the scan with --index; the scan's phases and the first pass's tasks."""
    index, out = runs / "breakdown-index", runs / "breakdown-out"
    shutil.rmtree(index, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    print("breakdown: index build ...", file=sys.stderr)
    build = _step(args, env, ["index", "build", "--engine", "spark", "--spark-master", args.master, str(wire),
                              "-o", str(index)], "a-build")
    if build.get("failed"):
        sys.exit(f"spark_bench: breakdown build: {build['failed']}")
    print("breakdown: scan --index ...", file=sys.stderr)
    scan = _step(args, env, ["scan", "--engine", "spark", "--spark-master", args.master, "--index", str(index),
                             str(warc), "-o", str(out)], "a-scan")
    if scan.get("failed"):
        sys.exit(f"spark_bench: breakdown scan: {scan['failed']}")
    ph = phases(scan)
    first_line = _job_lines()[0]
    first = next(j for j in scan["jobs"] if j["name"].endswith(f"job.py:{first_line}"))
    stages = {s["stageId"]: s for s in scan["stages"] if s["status"] == "COMPLETE"}
    tasks = [stages[sid]["numTasks"] for sid in first["stageIds"] if sid in stages]
    print(f"\nbreakdown (each step a fresh process; s = the CLI call, session start {build['session_seconds']:.1f} / "
          f"{scan['session_seconds']:.1f} s apart): index build of {wire.name} {build['seconds']:.1f} s "
          f"({_du(index) / 1e6:.0f} MB); scan with --index {scan['seconds']:.1f} s = first pass {ph.get('first', 0):.1f} s "
          f"({'+'.join(map(str, tasks))} task(s) for {warc.name}), join {ph.get('join', 0):.1f} s, second pass and "
          f"write {ph.get('second', 0) + ph.get('write', 0):.1f} s; shuffle written {scan['shuffle_write'] / 1e6:.1f} MB "
          f"(join {ph.get('join_shuffle_write', 0) / 1e6:.1f} MB)")
    for name, step in (("build", build), ("scan", scan)):
        print(f"  {name}: {step['cli_out'][-1] if step['cli_out'] else ''}")
        for job in jobs_table(step):
            print(f"    {job[0]:>3} {job[1]:<45} {job[2]:7.1f} {job[3]:>6} {job[4]:>6} {job[5]:9.1f} {job[6]:9.1f}")


# --------------------------------------------------------------------------------------------------
# Part B

def _get(url: str):
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.loads(answer.read())


def child(args) -> None:
    """One step in this process: a SparkSession with the UI on, the CLI in-process, then the UI's REST API."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    import resource

    started = time.perf_counter()
    spark = (SparkSession.builder.master(args.master).appName(f"spark-bench {args.child}")
             .config("spark.ui.enabled", "true").config("spark.ui.port", str(args.ui_port))
             .config("spark.ui.retainedJobs", "10000").config("spark.ui.retainedStages", "10000"))
    if args.driver_memory:  # the JVM's heap in local mode (Spark's default: 1g); read when the JVM starts
        spark = spark.config("spark.driver.memory", args.driver_memory)
    spark = spark.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    session_seconds = time.perf_counter() - started
    port = int(spark.sparkContext.uiWebUrl.rsplit(":", 1)[1])  # Spark moves to the next port when it is taken
    api = f"http://127.0.0.1:{port}/api/v1/applications/{spark.sparkContext.applicationId}"
    from rightscheck.cli.main import main

    cli = json.loads(args.cli)
    started = time.perf_counter()
    try:
        code = main.main(args=cli, standalone_mode=False, prog_name="rightscheck")
    except SystemExit as exc:
        code = exc.code
    seconds = time.perf_counter() - started
    for _ in range(60):  # the UI's listener runs behind the job
        jobs = _get(f"{api}/jobs")
        if all(j["status"] != "RUNNING" for j in jobs):
            break
        time.sleep(1)
    time.sleep(2)
    jobs = _get(f"{api}/jobs")
    stages = _get(f"{api}/stages")
    print(RESULT + json.dumps({"code": code, "seconds": seconds, "session_seconds": session_seconds,
                               "driver_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                               "jobs": jobs, "stages": stages}), flush=True)
    spark.stop()


def _job_lines() -> tuple[int, int, int]:
    """The lines of engine/spark/job.py whose actions end the first pass (the partitions' counts collected),
    the join (``keys.count()``: every candidate document grouped by unit) and the second pass (its counts
    collected). Under adaptive execution the join's shuffles run as jobs of their own, without a Python
    call site, between the first two: the join is timed as that window."""
    text = (HERE.parent / "rightscheck" / "engine" / "spark" / "job.py").read_text("utf-8").splitlines()
    first = next(i for i, line in enumerate(text, 1) if "parts = first" in line and "collect()" in line)
    join = next(i for i, line in enumerate(text, 1) if "keys.count()" in line)
    second = next(i for i, line in enumerate(text, 1) if i > join and "collect()" in line)
    return first, join, second


def phases(step: dict) -> dict:
    """Seconds of the scan's phases from its jobs' times, and the shuffle written and read in the join."""
    first_line, join_line, second_line = _job_lines()
    jobs = sorted(step["jobs"], key=lambda j: j["jobId"])
    ends = {}
    for job in jobs:
        for name, line in (("first", first_line), ("join", join_line), ("second", second_line)):
            if job["name"].endswith(f"job.py:{line}") and job.get("completionTime"):
                ends.setdefault(name, _iso(job["completionTime"]))
    if len(ends) < 3:
        return {}
    start = min(_iso(j["submissionTime"]) for j in jobs)
    end = max(_iso(j["completionTime"]) for j in jobs if j.get("completionTime"))
    in_join = {sid for j in jobs if ends["first"] <= _iso(j["submissionTime"]) <= ends["join"] for sid in j["stageIds"]}
    stages = [s for s in step["stages"] if s["status"] == "COMPLETE" and s["stageId"] in in_join]
    return {"first": ends["first"] - start, "join": ends["join"] - ends["first"], "second": ends["second"] - ends["join"],
            "write": end - ends["second"],
            "join_shuffle_write": sum(s.get("shuffleWriteBytes", 0) for s in stages),
            "join_shuffle_read": sum(s.get("shuffleReadBytes", 0) for s in stages)}


def _step(args, env: dict, cli: list[str], name: str) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--cli", json.dumps(cli),
           "--ui-port", str(args.ui_port), "--master", args.master] \
        + (["--driver-memory", args.driver_memory] if args.driver_memory else [])
    seen: dict = {}
    stop = threading.Event()

    def poll() -> None:  # the UI's view every 20 s: what a step that is killed had done by then
        base = f"http://127.0.0.1:{args.ui_port}/api/v1/applications"
        while not stop.wait(20):
            try:
                app = _get(base)[0]["id"]
                seen.update(jobs=_get(f"{base}/{app}/jobs"), stages=_get(f"{base}/{app}/stages"), at=time.time())
            except (OSError, ValueError, IndexError, KeyError):
                pass

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    m = run_sampled(cmd, args.work, env, args.time_box)
    stop.set()
    line = next((l for l in m["stdout"].splitlines() if l.startswith(RESULT)), None)
    if m["timed_out"]:
        return {**m, "failed": f"killed after the time box ({args.time_box:.0f} s)", "progress": progress(seen)}
    if line is None or m["rc"] != 0:
        return {**m, "failed": f"exit {m['rc']}: {m['stderr'].strip()[-2000:]}"}
    result = json.loads(line[len(RESULT):])
    if result["code"] not in (0, 1, None):
        return {**m, **result, "failed": f"CLI exit {result['code']}: {m['stderr'].strip()[-2000:]}"}
    stages = [s for s in result["stages"] if s["status"] == "COMPLETE"]
    result["shuffle_write"] = sum(s.get("shuffleWriteBytes", 0) for s in stages)
    result["shuffle_read"] = sum(s.get("shuffleReadBytes", 0) for s in stages)
    result["stage_count"] = len(stages)
    result["task_count"] = sum(s.get("numCompleteTasks", 0) for s in stages)
    result["cli_out"] = [l for l in m["stdout"].splitlines() if not l.startswith(RESULT)]
    return {**m, **result}


def progress(seen: dict) -> str:
    """What the UI last showed of a step: jobs done, and the running stages' tasks done of all."""
    if not seen:
        return "no UI snapshot"
    done = sum(j["status"] == "SUCCEEDED" for j in seen["jobs"])
    running = [f"stage {s['stageId']} ({s['name'].rsplit('/', 1)[-1]}): {s['numCompleteTasks']}/{s['numTasks']} tasks, "
               f"shuffle written so far {s.get('shuffleWriteBytes', 0) / 1e6:.0f} MB"
               for s in seen["stages"] if s["status"] == "ACTIVE"]
    return (f"{done} jobs done of {len(seen['jobs'])} started; " + ("; ".join(running) or "no stage running")
            + f" ({time.strftime('%H:%M:%S', time.localtime(seen['at']))})")


def _iso(stamp: str) -> float:
    from datetime import datetime

    return datetime.strptime(stamp.replace("GMT", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def jobs_table(step: dict) -> list[tuple]:
    """(job id, call site, seconds, stages run/skipped, tasks, shuffle write MB, shuffle read MB) per job."""
    by_stage = {}
    for s in step["stages"]:
        if s["status"] == "COMPLETE":
            by_stage.setdefault(s["stageId"], []).append(s)
    rows = []
    for job in sorted(step["jobs"], key=lambda j: j["jobId"]):
        own = [s for sid in job["stageIds"] for s in by_stage.get(sid, [])]
        seconds = _iso(job["completionTime"]) - _iso(job["submissionTime"]) if job.get("completionTime") else float("nan")
        rows.append((job["jobId"], job["name"].split(" at ")[0] + " at " + job["name"].rsplit("/", 1)[-1], seconds,
                     f"{len(own)}/{job.get('numSkippedStages', 0)}", job.get("numCompletedTasks", 0),
                     sum(s.get("shuffleWriteBytes", 0) for s in own) / 1e6,
                     sum(s.get("shuffleReadBytes", 0) for s in own) / 1e6))
    return rows


def planted_found(out: Path, plants: list[dict]) -> int:
    """Planted passages reported on their page with their dispatch as the source."""
    import pyarrow.parquet as pq

    got = {(row["path"].rsplit("/", 1)[-1], json.loads(row["source"])["path"].rsplit("[id ", 1)[-1].rstrip("]"))
           for row in pq.read_table(out / "findings", columns=["path", "source"]).to_pylist() if row["source"]}
    return sum((f"page-{p['page']:06d}.txt", f"dispatch-{p['source']:07d}") in got for p in plants)


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _keep(args, results: list[dict]) -> None:
    """The results so far as JSON (jobs and stages included), in ``WORK/b/last-results.json``."""
    path = args.work / "b" / "last-results.json"
    path.with_suffix(".tmp").write_text(json.dumps(results, default=str))
    path.with_suffix(".tmp").replace(path)


def part_b(args, env: dict) -> None:
    sizes = [int(s) for s in args.sizes.split(",")]
    root = ensure_part_b(args.work, sizes, args.pages, args.planted, args.per_file)
    pages = root / "pages"
    results = []
    for size in sizes:
        sources = sources_for(root, size, args.per_file)
        index = root / f"index-{size}"
        out = root / f"out-{size}"
        shutil.rmtree(index, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        print(f"{size:,} sources: index build ...", file=sys.stderr)
        build = _step(args, env, ["index", "build", "--engine", "spark", "--spark-master", args.master, "--field",
                                  "id=id", str(sources), "-o", str(index)], f"build-{size}")
        row = {"size": size, "build": build, "scan": None}
        results.append(row)
        _keep(args, results)  # each step's figures on disk at once: a run stopped later still has them
        if build.get("failed"):
            print(f"  build failed: {build['failed']}", file=sys.stderr)
            break
        row["index_bytes"] = _du(index)
        row["index_parts"] = {p.name: _du(p) for p in sorted(index.iterdir()) if p.is_dir()}
        print(f"  {build['seconds']:.1f} s, {row['index_bytes'] / 1e6:.0f} MB; scan ...", file=sys.stderr)
        scan = _step(args, env, ["scan", "--engine", "spark", "--spark-master", args.master, "--index", str(index),
                                 str(pages), "-o", str(out)], f"scan-{size}")
        row["scan"] = scan
        if scan.get("failed"):
            print(f"  scan failed: {scan['failed']}", file=sys.stderr)
            break
        _, summary = parquet_findings(out)
        row["summary"] = summary
        row["phases"] = phases(scan)
        row["join_seconds"] = row["phases"].get("join", float("nan"))
        row["planted_found"] = planted_found(out, json.loads((root / "generated.json").read_text())["plants"])
        _keep(args, results)
        print(f"  {scan['seconds']:.1f} s, {summary['findings']} findings, shuffle "
              f"{scan['shuffle_write'] / 1e6:.0f} MB written", file=sys.stderr)
    generated = json.loads((root / "generated.json").read_text())
    print(f"\n{machine_line(sys.executable)}; master {args.master}, driver memory {args.driver_memory or '1g (Spark default)'}")
    print(f"Part B: {args.pages:,} pages ({_du(pages) / 1e6:.0f} MB, {len(generated['plants'])} with a planted "
          f"passage) against N dispatches (~{WORDS} words, JSON Lines files of {args.per_file:,}); each step a "
          "fresh process and SparkSession; s = the CLI call in-process (session start apart)\n")
    print("| sources | source MB | build s | index MB | scan s | first pass s | join s | second pass + write s | "
          "shuffle write MB (join) | shuffle read MB (join) | documents | findings | planted found | "
          "driver peak MB (build/scan) | JVM peak MB (build/scan) | CPU s (build/scan) | load (build/scan) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in results:
        b, s = row["build"], row["scan"]
        src = _du(root / f"sources-{row['size']}") / 1e6
        if b.get("failed"):
            print(f"| {row['size']:,} | {src:.0f} | {b['failed'][:80]} after {b['wall']:.0f} s ({b.get('progress', '')}) | | | | | | | | | | | | | | | |")
            continue
        if s is None or s.get("failed"):
            why = "not run" if s is None else f"{s['failed'][:80]} after {s['wall']:.0f} s ({s.get('progress', '')})"
            print(f"| {row['size']:,} | {src:.0f} | {b['seconds']:.1f} | {row['index_bytes'] / 1e6:.0f} | {why} | | | | | | | | | "
                  f"{b['driver_mb']:.0f}/- | {b['jvm_mb']:.0f}/- | {b['cpu']:.0f}/- | {b['load']:.1f}/- |")
            continue
        summ = row["summary"]
        ph = row["phases"]
        print(f"| {row['size']:,} | {src:.0f} | {b['seconds']:.1f} | {row['index_bytes'] / 1e6:.0f} | {s['seconds']:.1f} | "
              f"{ph.get('first', float('nan')):.1f} | {row['join_seconds']:.1f} | "
              f"{ph.get('second', float('nan')) + ph.get('write', float('nan')):.1f} | "
              f"{s['shuffle_write'] / 1e6:.1f} ({ph.get('join_shuffle_write', 0) / 1e6:.1f}) | "
              f"{s['shuffle_read'] / 1e6:.1f} ({ph.get('join_shuffle_read', 0) / 1e6:.1f}) | "
              f"{summ['files']:,} | {summ['findings']:,} | {row['planted_found']}/{len(generated['plants'])} | {b['driver_mb']:.0f}/{s['driver_mb']:.0f} | "
              f"{b['jvm_mb']:.0f}/{s['jvm_mb']:.0f} | {b['cpu']:.0f}/{s['cpu']:.0f} | {b['load']:.1f}/{s['load']:.1f} |")
    done = [r for r in results if r["scan"] is not None and not r["scan"].get("failed")]
    for a, b in zip(done, done[1:]):
        f = b["size"] / a["size"]
        print(f"growth {a['size']:,} -> {b['size']:,} (x{f:.0f} sources): build x{b['build']['seconds'] / a['build']['seconds']:.2f}, "
              f"index x{b['index_bytes'] / a['index_bytes']:.2f}, scan x{b['scan']['seconds'] / a['scan']['seconds']:.2f}, "
              f"join job x{b['join_seconds'] / max(a['join_seconds'], 1e-9):.2f}, "
              f"shuffle write x{b['scan']['shuffle_write'] / max(a['scan']['shuffle_write'], 1):.2f}, "
              f"shuffle read x{b['scan']['shuffle_read'] / max(a['scan']['shuffle_read'], 1):.2f}")
    print("\nindex parts (MB):")
    for row in results:
        if "index_parts" in row:
            print(f"  {row['size']:,}: " + ", ".join(f"{k} {v / 1e6:.1f}" for k, v in row["index_parts"].items())
                  + f"; build shuffle write {row['build'].get('shuffle_write', 0) / 1e6:.1f} MB")
    print("\njobs of each step (id, call site, s, stages run/skipped, tasks, shuffle write MB, shuffle read MB):")
    for row in results:
        for name in ("build", "scan"):
            step = row.get(name)
            if step and not step.get("failed"):
                print(f"  {row['size']:,} {name}: session start {step['session_seconds']:.1f} s, CLI {step['seconds']:.1f} s, "
                      f"process wall {step['wall']:.1f} s; {step['cli_out'][-1] if step['cli_out'] else ''}")
                for job in jobs_table(step):
                    print(f"    {job[0]:>3} {job[1]:<45} {job[2]:7.1f} {job[3]:>6} {job[4]:>6} {job[5]:9.1f} {job[6]:9.1f}")
    _keep(args, results)
    print(f"\ncommand: {' '.join(['python', 'bench/spark_bench.py', *sys.argv[1:]])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=["A", "B"], help="A: engine overhead; B: the join's scale curve")
    parser.add_argument("--work", type=Path, default=Path("/tmp/spark-bench"), help="data and outputs")
    parser.add_argument("--warc", type=Path, default=Path("/tmp/inputs-bench/crawl.warc.gz"),
                        help="part A's WARC (inputs_bench.py --size 1000 --work /tmp/inputs-bench makes it)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="part A: rounds of local then spark (0: the breakdown alone)")
    parser.add_argument("--breakdown", action="store_true",
                        help="part A: then the Spark scan as two steps, index build and scan --index, with the UI on")
    parser.add_argument("--sizes", default="10000,100000,1000000", help="part B: dispatches, comma-separated")
    parser.add_argument("--pages", type=int, default=100_000, help="part B: pages scanned")
    parser.add_argument("--planted", type=int, default=300, help="part B: pages with a planted passage")
    parser.add_argument("--per-file", type=int, default=2_500, help="part B: dispatches per JSON Lines file")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", help="part B and --breakdown: spark.driver.memory, the heap of local "
                        "mode's one JVM (default: Spark's, 1g, with which a 1M-source index build runs out of heap)")
    parser.add_argument("--ui-port", type=int, default=4077, help="part B: the Spark UI's port (REST API)")
    parser.add_argument("--time-box", type=float, default=2700, help="seconds one step may take before it is killed")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--cli", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    if not args.part:
        parser.error("--part A or --part B")
    args.work.mkdir(parents=True, exist_ok=True)
    env = bench_env()
    (part_a if args.part == "A" else part_b)(args, env)


if __name__ == "__main__":
    main()
