"""Big documents (issue 18): `rightscheck scan` on one 50 MB plain-text file and one 50 MB HTML page.

Generates (seeded) a plain-text file and an HTML page of invented wire-style news paragraphs (the
sentence generator of bench/scan_bench.py), with a dozen agency credits and notices planted through
them (datelines, copyright lines, reporting lines, "PA Media reported", bylines), and scans each with
the default packs, `max_file_size` raised by a config file in a temporary folder (never the repository)
and a JSON report. Each build named by `--code` (a folder put first on PYTHONPATH; default: the checkout
this script is in) runs in the same session, interleaved, so before and after share the machine's load.

It prints a Markdown table: file size, wall time, MB/s, peak RSS (the child's own, from os.wait4), peak
RSS / file size, patterns disabled or warned slow (from the report's stderr lines; must be none),
findings and exit code, with the machine line and the command.

    .venv/bin/python bench/bigdoc_bench.py                               # this checkout, ~1 min
    .venv/bin/python bench/bigdoc_bench.py --code /work/main --code .    # before / after
    .venv/bin/python bench/bigdoc_bench.py --mb 10 --keep /tmp/bigdocs   # smaller files, kept for reuse
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shlex
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scan_bench import MENTIONS, Site, Wire, agency_material, run_measured  # noqa: E402

SEED = 20261818
POOL = 4000  # distinct paragraphs drawn from: generating 50 MB sentence by sentence would take minutes
PLANTED = 12  # agency credits and notices spread through each file
PLANTED_AGENCIES = ("reuters", "ap", "afp", "pa-media", "reuters", "dpa")


def paragraphs(rng: random.Random, size: int) -> list[str]:
    """Wire paragraphs adding up to about ``size`` bytes, with :data:`PLANTED` agency pieces spread evenly
    (a credit at a paragraph's start, closing lines of their own, a mention in passing)."""
    w = Wire(rng)
    pool = [" ".join(w.paragraphs(60)[:2]) for _ in range(POOL)]
    out, total = [], 0
    while total < size:
        para = rng.choice(pool)
        out.append(para)
        total += len(para.encode()) + 2
    for k in range(PLANTED):
        at = (k + 1) * len(out) // (PLANTED + 1)
        agency = PLANTED_AGENCIES[k % len(PLANTED_AGENCIES)]
        if agency == "pa-media":
            out[at:at] = [f"{w.name()} said on {rng.choice(('Monday', 'Friday'))} the talks would resume, "
                          "PA Media reported.", f"By {w.name()}, PA Political Correspondent"]
            continue
        m = agency_material(w, agency, stripped=False)
        out[at] = m["dateline"] + out[at]
        out[at + 1:at + 1] = [line for line in [m["byline"], *m["tail"]] if line]
        out.insert(at + 2, w.fill(rng.choice(MENTIONS).replace("{name}", w.name())))
    return out


def plain_text(rng: random.Random, size: int) -> bytes:
    return "\n\n".join(paragraphs(rng, size)).encode() + b"\n"


def html_page(rng: random.Random, size: int) -> bytes:
    """One site page (head, navigation, ad slots, scripts, footer) whose article holds all the paragraphs."""
    w = Wire(rng)
    paras = paragraphs(rng, size * 9 // 10)  # markup adds about a tenth
    a = {"id": "0000001", "title": w.headline(), "slug": "big-document", "section": "world",
         "date": "2026-03-01T08:00:00Z", "author": w.name(), "byline": "", "paragraphs": paras, "tail": [],
         "tags": ["trade", "energy"], "words": sum(p.count(" ") + 1 for p in paras), "summary": w.sentence(),
         "caption": f"A view of {w.town()}.", "photo": f"Photo: {w.name()}"}
    return Site(w, 0).page(w, a).encode()


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def scan(code: Path, path: Path, work: Path) -> dict:
    """One cold `rightscheck scan` of ``path`` with the build at ``code``."""
    env = {**os.environ, "PYTHONPATH": str(code), "RIGHTSCHECK_CACHE_DIR": str(work / "cache")}
    out = work / "report.json"
    cmd = [sys.executable, "-m", "rightscheck", "scan", str(path), "--config", str(work / "config.yaml"),
           "--format", "json", "--output", str(out)]
    run = run_measured(cmd, work, work / "stdout.txt", env)
    lines = run["stderr"].splitlines()
    run["disabled"] = sum("skipped" in line and "pattern" in line for line in lines)
    run["slow"] = sum("warning:" in line and "pattern took" in line for line in lines)
    run["findings"] = len(json.loads(out.read_text())["findings"]) if out.exists() else None
    if out.exists():
        out.unlink()
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", action="append", type=Path,
                        help="a checkout to put on PYTHONPATH (repeat for before/after; default: this one)")
    parser.add_argument("--mb", type=float, default=50, help="size of each file in MB (default 50)")
    parser.add_argument("--runs", type=int, default=1, help="runs per build and file (the fastest is shown)")
    parser.add_argument("--keep", type=Path, help="folder for the generated files, reused when present")
    args = parser.parse_args()
    codes = [c.resolve() for c in (args.code or [Path(__file__).resolve().parent.parent])]
    size = int(args.mb * 1_000_000)
    with tempfile.TemporaryDirectory(prefix="bigdoc-") as tmp:
        work = Path(tmp)
        (work / "config.yaml").write_text(f"max_file_size: {2 * size}\n")
        folder = args.keep or work
        folder.mkdir(parents=True, exist_ok=True)
        files = {}
        for kind, make in (("txt", plain_text), ("html", html_page)):
            path = folder / f"bigdoc-{args.mb:g}mb-{SEED}.{kind}"
            if not path.exists():
                path.write_bytes(make(random.Random(SEED), size))
            files[kind] = path
        sizes = {kind: path.stat().st_size / 1e6 for kind, path in files.items()}  # the folder goes at the end
        rows = {}
        for _ in range(args.runs):
            for kind, path in files.items():
                for code in codes:  # interleaved: before and after see the same load
                    run = scan(code, path, work)
                    best = rows.get((code, kind))
                    if best is None or run["wall"] < best["wall"]:
                        rows[(code, kind)] = run
    command = " ".join(shlex.quote(a) for a in [Path(sys.executable).name, *sys.argv])
    print(f"Machine: {machine()}\n\nCommand: `{command}`\n")
    print("| build | file | size MB | wall s | MB/s | peak RSS MB | RSS / size | disabled | slow | findings | exit |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (code, kind), run in rows.items():
        mb = sizes[kind]
        print(f"| {code} | {kind} | {mb:.1f} | {run['wall']:.1f} | {mb / run['wall']:.1f} | {run['peak_mb']:.0f} | "
              f"{run['peak_mb'] / mb:.2f} | {run['disabled']} | {run['slow']} | {run['findings']} | {run['rc']} |")
    for (code, kind), run in rows.items():
        for line in run["stderr"].splitlines():
            if "pattern" in line:
                print(f"\n{code} {kind}: {line}", file=sys.stderr)


if __name__ == "__main__":
    main()
