"""Benchmark of reuse detection: index build rate, scan rate, peak memory, recall and precision.

Generates a deterministic synthetic corpus (seeded): source wire dispatches and
scanned articles, some carrying passages planted from sources at known word
positions, verbatim or lightly edited. Then, in a fresh process per measurement,
builds the index and scans the articles, and compares reported passages with the
planted ones (a planted passage counts as found when one reported passage from the
right source covers at least 90% of its copied words, from the first to the last word
taken unchanged: a word changed at either end is not the source's, and no detector can
report it; the table also gives the stricter count that includes such words).

    python bench/reuse_bench.py            # 20,000 sources, 5,000 articles (about 110 MB)
    python bench/reuse_bench.py --small    # 2,000 sources, 500 articles
    python bench/reuse_bench.py --sources 100000 --articles 2000

Besides planted passages, 5% of sources and of articles carry the same stock sentence (boilerplate many
dispatches share): a report covering it in an article is a false "stock-sentence trap" hit.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

SEED = 20261125
NEW_API = True
WORDS_PER_ARTICLE = 600
SCAN_RUNS = 3
PLANTED_SHARE = 0.2  # articles carrying copied passages: far more than a real newsroom's, to have many to find
NOTICE = ("All rights reserved. Copyright Agence France-Presse. Sections of the information displayed on this "
          "page (dispatches, photographs, logos) are protected by intellectual property rights owned by Agence "
          "France-Presse.")
STOCK = "the figures are provisional and may be revised when the statistics office publishes its final estimate"
CITIES = ["Nairobi", "Lima", "Oslo", "Hanoi", "Dakar", "Quito", "Riga", "Accra", "Perth", "Tunis"]


class Writer:
    """Pseudo-text with a Zipf-like vocabulary: enough repetition of common words, rare long n-gram overlap."""

    def __init__(self, rng: random.Random, vocabulary: int = 30_000):
        letters = "abcdefghijklmnopqrstuvwxyz"
        self.rng = rng
        self.words = ["".join(rng.choices(letters, k=rng.randint(2, 10))) for _ in range(vocabulary)]
        weights = [1 / (rank + 1) for rank in range(vocabulary)]
        total = 0.0
        self.cum = []
        for w in weights:
            total += w
            self.cum.append(total)

    def words_(self, n: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum, k=n)

    def prose(self, words: list[str]) -> str:
        """Sentences and paragraphs around a word list (punctuation never splits or joins words)."""
        out, sentence = [], 0
        for i, word in enumerate(words):
            if sentence == 0:
                word = word.capitalize()
            sentence += 1
            end = sentence >= self.rng.randint(8, 24) or i == len(words) - 1
            out.append(word + ("." if end else ("," if self.rng.random() < 0.06 else "")))
            if end:
                sentence = 0
                if self.rng.random() < 0.25:
                    out.append("\n\n")
        text = " ".join(out)
        return text.replace(" \n\n ", "\n\n")


def generate(root: Path, sources: int, articles: int, stock_share: float = 0.05) -> dict:
    rng = random.Random(SEED)
    writer = Writer(rng)
    wire, site = root / "wire", root / "site"
    wire.mkdir(parents=True)
    site.mkdir(parents=True)
    planted_from = set(rng.sample(range(sources), min(sources, articles)))
    kept: dict[int, list[str]] = {}
    for i in range(sources):
        body = writer.words_(WORDS_PER_ARTICLE)
        if rng.random() < stock_share:  # a stock sentence many dispatches share: boilerplate, never reuse
            at = rng.randrange(len(body))
            body[at:at] = STOCK.split()
        if i in planted_from:
            kept[i] = body
        city = rng.choice(CITIES)
        (wire / f"dispatch-{i:05d}.txt").write_text(
            f"{city}, Jan {1 + i % 28} (AFP) - {writer.prose(body)}\n\nxx/yy\n\n{NOTICE}\n", "utf-8")
    plants = []
    candidates = sorted(kept)
    stocks = []
    for j in range(articles):
        own = writer.words_(WORDS_PER_ARTICLE)
        stock_at = None
        if rng.random() < 0.05:
            own[10:10] = STOCK.split()
            stock_at = 10
        planted = []
        if rng.random() < PLANTED_SHARE:
            for _ in range(rng.choice((1, 1, 2))):
                sid = rng.choice(candidates)
                length = rng.randint(15, 80)
                start = rng.randrange(WORDS_PER_ARTICLE - length)
                passage = list(kept[sid][start:start + length])
                edited = rng.random() < 0.5
                if edited:  # light edits: about one word in fifteen replaced
                    for k in range(rng.randrange(7), length, 15):
                        passage[k] = writer.words_(1)[0]
                at = rng.randrange(len(own) + 1)
                while any(p["at"] < at < p["at"] + p["length"] for p in planted):
                    at = rng.randrange(len(own) + 1)
                for p in planted:  # an insertion before an earlier plant moves it
                    if p["at"] >= at:
                        p["at"] += length
                if stock_at is not None and stock_at >= at:
                    stock_at += length
                own[at:at] = passage
                planted.append({"source": sid, "at": at, "length": length, "edited": edited})
        (site / f"article-{j:05d}.txt").write_text(writer.prose(own) + "\n", "utf-8")
        plants.append(planted)
        stocks.append(stock_at)
    return {"plants": plants, "stocks": stocks}


def measure(root: Path, index_path: Path, phase: str) -> dict:
    """One phase ("build" or "scan") in its own process, so each one's peak memory is its own."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from rightscheck.checks.attribution import signal_matches
    from rightscheck.config import Config, SourceDir
    from rightscheck.documents.document import parse
    from rightscheck.packs.pack import load_packs
    from rightscheck.checks.reuse import ReuseChecker, Text, find_passages, signal_spans
    from rightscheck.engine.scanner import Scanner
    from rightscheck.checks.sourceindex import build_index

    global NEW_API
    NEW_API = "sources" not in inspect.signature(find_passages).parameters
    packs = load_packs()
    config = Config(sources=[SourceDir(str(root / "wire"))], licences=frozenset(p.id for p in packs))
    started = time.perf_counter()
    index, stats = build_index(config.sources, packs, config, index_path)
    build_seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if phase == "build":
        index.close()
        return {"source_bytes": stats.bytes_indexed, "sources": stats.added, "build_seconds": build_seconds,
                "build_peak_mb": peak, "index_bytes": index_path.stat().st_size}
    started = time.perf_counter()
    checker = ReuseChecker.of_index(index, packs, config, config.sources)
    load_seconds = time.perf_counter() - started
    site_bytes = sum(p.stat().st_size for p in (root / "site").iterdir())
    runs = []
    for run in range(SCAN_RUNS):  # the median of a few runs: one run on a shared machine is noisy
        if run:
            del checker
            checker = ReuseChecker.of_index(index, packs, config, config.sources)  # cold caches for every run
        started = time.perf_counter()
        result = Scanner(packs, config, checker).run([str(root / "site")])
        runs.append(time.perf_counter() - started)
    scan_seconds = sorted(runs)[len(runs) // 2]
    # recall / precision: passages of every article (same code path as the scan, not timed)
    reported = []
    for path in sorted((root / "site").iterdir()):
        doc = parse(str(path), path.read_bytes(), "text")
        scanned = Text(doc, signal_spans(doc, packs, {p.id: signal_matches(doc, p) for p in packs}))
        passages = find_passages(scanned, checker.lookup, checker.cache) if NEW_API else \
            find_passages(scanned, checker.lookup, checker.sources, checker.cache)  # builds before issue 18
        reported.append([(int(Path(p.source.path).stem.split("-")[1]), p.q_start, p.q_end) for p in passages
                         if p.exact >= 12])
    index.close()
    return {
        "load_seconds": load_seconds, "site_bytes": site_bytes, "articles": result.files,
        "scan_seconds": scan_seconds, "scan_runs": runs, "findings": len(result.findings), "reported": reported,
        "df_cut": getattr(checker.lookup, "limit", None),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def one_article(root: Path) -> float:
    """Wall time of `rightscheck scan` on one article against the built index: the fixed cost a pre-commit
    hook pays per commit."""
    command = [sys.executable, "-m", "rightscheck", "scan", "-q", "--sources", str(root / "wire"), "--index",
               str(root / "index.sqlite"), str(root / "site" / "article-00000.txt")]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True)
        times.append(time.perf_counter() - started)
    return sorted(times)[1]


def copied_span(root: Path, article: int, plant: dict) -> tuple[int, int]:
    """The planted passage without the changed words at its ends: those are not the source's, so no
    detector can report them as copied (a 16-word passage whose first and last words were changed holds
    14 copied words, 0.875 of the planted span). Found by aligning the passage with its source."""
    def words(path: Path) -> np.ndarray:
        return np.array([hash(w) for w in re.findall(r"\w+", path.read_text("utf-8").lower())], dtype=np.int64)

    a, b = plant["at"], plant["at"] + plant["length"]
    if not plant["edited"]:
        return a, b
    passage = words(root / "site" / f"article-{article:05d}.txt")[a:b]
    source = words(root / "wire" / f"dispatch-{plant['source']:05d}.txt")
    windows = np.lib.stride_tricks.sliding_window_view(source, len(passage))
    same = windows[int(np.argmax((windows == passage).sum(axis=1)))] == passage
    copied = np.flatnonzero(same)
    return (a + int(copied[0]), a + int(copied[-1]) + 1) if len(copied) else (a, b)


def score(plants: list[list[dict]], reported: list[list[tuple[int, int, int]]], stocks: list, root: Path) -> dict:
    found = {True: [0, 0], False: [0, 0]}  # edited -> [found, total]
    strict = 0  # edited passages found by 90% of the planted span, changed end words included
    detected = 0  # the right source and at least half the passage: found, whatever its ends
    true_reports = total_reports = 0
    for article, (planted, got) in enumerate(zip(plants, reported)):
        for p in planted:
            a, b = copied_span(root, article, p)
            hit = any(sid == p["source"] and min(b, qe) - max(a, qs) >= 0.9 * (b - a) for sid, qs, qe in got)
            found[p["edited"]][0] += hit
            found[p["edited"]][1] += 1
            a, b = p["at"], p["at"] + p["length"]
            strict += p["edited"] and any(sid == p["source"] and min(b, qe) - max(a, qs) >= 0.9 * p["length"]
                                          for sid, qs, qe in got)
            detected += any(sid == p["source"] and min(b, qe) - max(a, qs) >= 0.5 * p["length"] for sid, qs, qe in got)
        for sid, qs, qe in got:
            total_reports += 1
            true_reports += any(sid == p["source"] and min(qe, p["at"] + p["length"]) - max(qs, p["at"])
                                >= 0.5 * (qe - qs) for p in planted)
    stock_words = len(STOCK.split())
    traps = sum(at is not None for at in stocks)
    sprung = sum(at is not None and any(min(qe, at + stock_words) - max(qs, at) >= stock_words // 2
                                        and not any(min(qe, p["at"] + p["length"]) - max(qs, p["at"]) > 0
                                                    for p in planted)
                                        for _, qs, qe in got)
                 for at, got, planted in zip(stocks, reported, plants))
    return {
        "traps": traps, "sprung": sprung, "detected": detected / max(found[True][1] + found[False][1], 1),
        "recall_verbatim": found[False][0] / max(found[False][1], 1), "planted_verbatim": found[False][1],
        "recall_edited": found[True][0] / max(found[True][1], 1), "planted_edited": found[True][1],
        "recall_edited_strict": strict / max(found[True][1], 1),
        "precision": true_reports / max(total_reports, 1), "reported": total_reports,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="2,000 sources and 500 articles")
    parser.add_argument("--sources", type=int, default=20_000)
    parser.add_argument("--articles", type=int, default=5_000)
    parser.add_argument("--stock-share", type=float, default=0.05,
                        help="share of sources carrying the stock sentence (issue 18's trap: 0.01 of 1,000)")
    parser.add_argument("--dir", type=Path, default=Path(__file__).resolve().parent / ".corpus",
                        help="where the generated corpus lives (reused when present)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--phase", default="build", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        index_path = args.measure / "index.sqlite"
        if args.phase == "build":
            index_path.unlink(missing_ok=True)
        print(json.dumps(measure(args.measure, index_path, args.phase)))
        return
    sources, articles = (2_000, 500) if args.small else (args.sources, args.articles)
    root = args.dir / (f"reuse-{sources}-{articles}" + (f"-stock{args.stock_share}" if args.stock_share != 0.05 else ""))
    truth = root / "planted.json"
    if not truth.exists():
        shutil.rmtree(root, ignore_errors=True)
        started = time.perf_counter()
        plants = generate(root, sources, articles, args.stock_share)
        truth.write_text(json.dumps(plants))
        print(f"generated {root} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    truth_data = json.loads(truth.read_text())
    plants, stocks = truth_data["plants"], truth_data.get("stocks", [None] * len(truth_data["plants"]))
    m = {}
    for phase in ("build", "scan"):
        child = subprocess.run([sys.executable, __file__, "--measure", str(root), "--phase", phase],
                               capture_output=True, text=True)
        if child.returncode:
            sys.exit(child.stderr)
        m.update(json.loads(child.stdout))
    s = score(plants, m["reported"], stocks, root)
    one = one_article(root)
    rows = [
        ("machine", f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, one process"),
        ("sources indexed", f"{m['sources']:,} files, {m['source_bytes'] / 1e6:.1f} MB"),
        ("index build", f"{m['build_seconds']:.1f} s = {m['source_bytes'] / 1e6 / m['build_seconds']:.1f} MB/s, "
                        f"peak memory {m['build_peak_mb']:.0f} MB"),
        ("index open", f"{m['load_seconds']:.2f} s"),
        ("articles scanned", f"{m['articles']:,} files, {m['site_bytes'] / 1e6:.1f} MB"),
        ("scan (all packs + reuse)", f"{m['scan_seconds']:.1f} s = {m['site_bytes'] / 1e6 / m['scan_seconds']:.1f} MB/s"
                                     f" (median of {len(m['scan_runs'])}; "
                                     f"{min(m['scan_runs']):.1f}-{max(m['scan_runs']):.1f} s)"),
        ("index on disk", f"{m['index_bytes'] / 1e6:.0f} MB (boilerplate: posted by more than {m['df_cut']} sources)"),
        ("one-article scan (CLI, index built)", f"{one:.2f} s wall (median of 3, start-up included)"),
        ("scan peak memory", f"{m['peak_mb']:.0f} MB"),
        ("recall, verbatim 15-80 words", f"{s['recall_verbatim']:.4f} of {s['planted_verbatim']}"),
        ("recall, light edits", f"{s['recall_edited']:.4f} of {s['planted_edited']} (counting changed end words "
                                f"as part of the passage: {s['recall_edited_strict']:.4f})"),
        ("recall, passage found (right source, half its words)", f"{s['detected']:.4f}"),
        ("precision", f"{s['precision']:.4f} of {s['reported']} reported passages"),
        ("stock-sentence traps reported", f"{s['sprung']} of {s['traps']} articles carrying the stock sentence"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"| {'measure':<{width}} | value |\n|{'-' * (width + 2)}|-------|")
    for name, value in rows:
        print(f"| {name:<{width}} | {value} |")


if __name__ == "__main__":
    main()
