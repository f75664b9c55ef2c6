"""rightscheck on real saved news pages, scored against hand labels.

Scans a folder of saved pages (none are kept in this repository: see ../shared/realpages/) with every
built-in pack and no declared licence, once judging each page's article (the default) and once the
whole page, and prints: findings by rule and region, time, and, with labels, precision and recall per
finding kind at the level of (page, pack, kind) and the labelled agency content the scan did not report.

    python bench/realpages.py /tmp/realpages                            # labels: bench/realpages-labels.yaml
    python bench/realpages.py /tmp/realpages --rightscheck /tmp/old/.venv/bin/rightscheck   # another build

Labels (``bench/realpages-labels.yaml``) were written by reading each page, not from the tool's output:
``page`` (path under the folder), ``expect`` (the PACK/KIND findings the article should give with
``licences: []``), ``chrome`` and ``note`` (what the page carries, in a few words; no page content), and
``lang`` for a page not in English (its figures are also given per language).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
LABELS = HERE / "realpages-labels.yaml"
KINDS = ("missing-attribution", "unlicensed-content", "incomplete-attribution")


def scan(rightscheck: str, folder: Path, scope: str | None) -> tuple[dict, float]:
    """The JSON report of one scan of ``folder`` and its wall time."""
    with tempfile.TemporaryDirectory() as work:
        config = Path(work, "config.yaml")
        config.write_text("licences: []\n")
        report = Path(work, "report.json")
        command = [rightscheck, "scan", str(folder), "--config", str(config), "--format", "json", "-o", str(report)]
        if scope:
            command += ["--scope", scope]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if done.returncode not in (0, 1):
            sys.exit(f"rightscheck failed ({done.returncode}): {done.stderr.strip()}")
        return json.loads(report.read_text()), elapsed


def reported(report: dict, folder: Path, region: str | None = "article") -> set[tuple[str, str, str]]:
    """(page, pack, kind) of the findings in ``region`` (None: anywhere)."""
    out = set()
    for finding in report["findings"]:
        if region is None or finding.get("region", "article") == region:
            page = os.path.relpath(finding["path"], folder)
            out.add((page, finding["pack"], finding["kind"]))
    return out


def expected(labels: list[dict]) -> set[tuple[str, str, str]]:
    out = set()
    for label in labels:
        for item in label["expect"] or ():
            pack, kind = item.split("/")
            out.add((label["page"], pack, kind))
    return out


def score(found: set, truth: set, pages: set[str]) -> list[tuple[str, int, int, int, str, str]]:
    """Per kind: (kind, true positives, reported, expected, precision, recall) over the labelled pages."""
    rows = []
    found = {f for f in found if f[0] in pages}
    for kind in (*KINDS, "all"):
        f = {x for x in found if kind == "all" or x[2] == kind}
        t = {x for x in truth if kind == "all" or x[2] == kind}
        hit = len(f & t)
        rows.append((kind, hit, len(f), len(t), f"{hit / len(f):.2f}" if f else "-", f"{hit / len(t):.2f}" if t else "-"))
    return rows


def table(header: tuple, rows: list) -> str:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)]
    line = lambda row: "| " + " | ".join(str(x).ljust(w) for x, w in zip(row, widths)) + " |"
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--rightscheck", default=str(Path(sys.executable).with_name("rightscheck")))
    parser.add_argument("--errors", action="store_true", help="also list every false positive")
    args = parser.parse_args()
    folder = args.folder.resolve()
    labels = yaml.safe_load(args.labels.read_text()) if args.labels.exists() else []
    pages = {label["page"] for label in labels}
    truth = expected(labels)

    helps = subprocess.run([args.rightscheck, "scan", "--help"], capture_output=True, text=True).stdout
    if "--scope" in helps:
        scopes = {scope: scan(args.rightscheck, folder, scope) for scope in ("article", "page")}
    else:  # a build from before article finding judged the whole page: its findings all count
        print("this build has no --scope: it judges whole pages; its findings are scored as the article's")
        scopes = dict.fromkeys(("article", "page"), scan(args.rightscheck, folder, None))
    article_report, article_time = scopes["article"]
    page_report, page_time = scopes["page"]
    files = article_report["summary"]["files"]
    print(f"{files} pages, {sum(p.stat().st_size for p in folder.rglob('*.htm*')) / 1e6:.1f} MB; "
          f"scan {article_time:.2f} s (article scope), {page_time:.2f} s (page scope)\n")

    by_rule = collections.Counter()
    for scope, (report, _) in scopes.items():
        for finding in report["findings"]:
            by_rule[(finding["rule"], scope, finding.get("region", "-"))] += 1
    print(table(("rule", "scope", "region", "findings"), [(*key, n) for key, n in sorted(by_rule.items())]))

    if labels:
        found = reported(article_report, folder)
        print(f"\nAgainst hand labels ({len(pages)} pages, {len(truth)} expected findings), article scope:\n")
        print(table(("kind", "correct", "reported", "expected", "precision", "recall"), score(found, truth, pages)))
        languages = sorted({label["lang"] for label in labels if label.get("lang")})
        if languages:  # pages not in English, as their labels say (issue 19)
            print("\nPages not in English, all kinds, article scope:\n")
            rows = []
            for lang in languages:
                these = {label["page"] for label in labels if label.get("lang") == lang}
                _, hit, got, want, precision, recall = score(found, {t for t in truth if t[0] in these}, these)[-1]
                rows.append((lang, len(these), hit, got, want, precision, recall))
            print(table(("language", "pages", "correct", "reported", "expected", "precision", "recall"), rows))
        cc = {f for f in found if f[1].startswith("cc-") and f not in truth}
        print(f"\nCreative Commons findings not in the labels (e.g. a site's own licence): {len(cc)}")
        missed = sorted(truth - found)
        print(f"Labelled findings not reported: {len(missed)}")
        for page, pack, kind in missed:
            print(f"  missed: {page}: {pack}/{kind}")
        if args.errors:
            for page, pack, kind in sorted((found & {(p, k, d) for p, k, d in found if p in pages}) - truth):
                print(f"  false positive: {page}: {pack}/{kind}")
    print()


if __name__ == "__main__":
    main()
