"""What the article finder costs an HTML scan: the same build, the same packs, with and without it.

A before/after comparison across builds mixes the finder with everything else that changed (new packs
cost every kind of file); this one isolates it. Each run is a fresh process scanning a folder of HTML
pages with `--jobs 1` and every built-in pack; "without" switches the finder off inside that process:
the reader records no blocks (their tags only break lines) and the whole page is the article, so no
captions from figures and no chrome is cut. Runs alternate (with, without, with, ...) so drift in a
shared machine's load falls on both; the table gives the median wall time of each and the finder's
share of the scan time.

    .venv/bin/python bench/finder_cost.py /tmp/scan-corpus/corpus/html      # the scan_bench corpus's HTML
    .venv/bin/python bench/finder_cost.py /tmp/realpages --runs 7

The "without" switch reaches into rightscheck.documents.htmltext and rightscheck.documents.document (private names): if
they change, this script fails loudly rather than measure something else.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scan_bench import machine_line


def scan(folder: str, report: str, finder: bool) -> float:
    """Wall seconds of one in-process scan of ``folder`` (this is the child's side)."""
    if not finder:
        import rightscheck.documents.document as documents
        import rightscheck.documents.htmltext as htmltext

        htmltext._KINDS.update({tag: htmltext._LINE for tag, kind in htmltext._KINDS.items()
                                if kind == htmltext._RECORD})
        documents.article_spans = lambda blocks, length: [(0, length + 1)]
    from rightscheck.cli.main import main

    started = time.perf_counter()
    try:
        main(["scan", "--jobs", "1", "--format", "json", "-o", report, folder])
    except SystemExit as exit_:
        if exit_.code not in (0, 1):
            sys.exit(f"rightscheck failed ({exit_.code})")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", help="folder of HTML pages")
    parser.add_argument("--runs", type=int, default=5, help="runs of each (default 5)")
    parser.add_argument("--child", choices=("with", "without"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        with tempfile.TemporaryDirectory() as work:
            print(scan(args.folder, str(Path(work, "report.json")), args.child == "with"))
        return
    times: dict[str, list[float]] = {"with": [], "without": []}
    for _ in range(args.runs):
        for mode in times:
            done = subprocess.run([sys.executable, __file__, args.folder, "--child", mode], capture_output=True,
                                  text=True, check=True)
            times[mode].append(float(done.stdout.split()[-1]))
    with_, without = statistics.median(times["with"]), statistics.median(times["without"])
    print(f"machine: {machine_line(sys.executable)}")
    print(f"command: `python bench/finder_cost.py {args.folder} --runs {args.runs}`\n")
    print("| HTML scan, `--jobs 1` | median s | runs (s) |")
    print("|---|---:|---|")
    for label, mode in (("with the article finder", "with"), ("without it", "without")):
        runs = ", ".join(f"{t:.2f}" for t in times[mode])
        print(f"| {label} | {statistics.median(times[mode]):.2f} | {runs} |")
    print(f"\nthe finder's share of the scan time: {1 - without / with_:.1%}")


if __name__ == "__main__":
    main()
