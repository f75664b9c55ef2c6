"""Each input against a folder scan of the same documents, in the same run: documents/s, MB/s, peak memory.

The documents are scan_bench's seeded corpus (news articles as HTML, Markdown and text, a share carrying
agency copy). They are written once as files and packed into a gzipped WARC (one HTTP response per
document, made with warcio as a crawler writes them), a JSON Lines dump and a CSV dump; a WordPress
export holds the HTML documents (up to --wxr-posts), set against a folder of those same pages. Every run
is a cold `rightscheck scan` with --jobs, its JSON Lines report written to a file; a run's findings are
counted and must equal the folder scan's. Live pages are fetched from a local server that answers after
--latency seconds, through a sitemap.

    python bench/inputs_bench.py --size 1000 --work /tmp/inputs-bench   # the 1 GB WARC of the README
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scan_bench import find_rightscheck, generate, machine_line, run_measured  # noqa: E402

CONTENT_TYPES = {"html": "text/html; charset=utf-8", "markdown": "text/markdown; charset=utf-8",
                 "text": "text/plain; charset=utf-8"}
EXTENSIONS = {".html": "html", ".md": "markdown", ".txt": "text"}


def documents(root: Path) -> list[tuple[str, str, Path]]:
    """(name under root, kind, path) of every document, in a stable order."""
    found = []
    for path in sorted(root.rglob("*")):
        kind = EXTENSIONS.get(path.suffix)
        if kind and path.is_file():
            found.append((path.relative_to(root).as_posix(), kind, path))
    return found


def write_warc(docs: list[tuple[str, str, Path]], out: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(out, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for name, kind, path in docs:
            data = path.read_bytes()
            headers = StatusAndHeaders("200 OK", [("Content-Type", CONTENT_TYPES[kind]),
                                                  ("Content-Length", str(len(data)))], protocol="HTTP/1.1")
            record = writer.create_warc_record(f"https://bench.example/{name}", "response",
                                               payload=_BytesReader(data), http_headers=headers)
            writer.write_record(record)


class _BytesReader:
    """A payload stream for warcio (it reads the body from a file-like object)."""

    def __init__(self, data: bytes) -> None:
        import io

        self._io = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._io.read(size)


def write_jsonl(docs, out: Path) -> None:
    with open(out, "w", encoding="utf-8") as stream:
        for name, kind, path in docs:
            stream.write(json.dumps({"id": name, "kind": kind, "body": path.read_text("utf-8")},
                                    ensure_ascii=False) + "\n")


def write_csv(docs, out: Path) -> None:
    with open(out, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "kind", "body"])
        for name, kind, path in docs:
            writer.writerow([name, kind, path.read_text("utf-8")])


def write_wxr(docs, out: Path) -> None:
    with open(out, "w", encoding="utf-8") as stream:
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
                     'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                     'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n<title>Bench</title>\n')
        for i, (name, _, path) in enumerate(docs):
            body = path.read_text("utf-8").replace("]]>", "]]]]><![CDATA[>")
            stream.write(f"<item><title>{i}</title><link>https://bench.example/{name}</link>"
                         f"<wp:post_id>{i}</wp:post_id><wp:post_type>post</wp:post_type>"
                         f"<wp:status>publish</wp:status><content:encoded><![CDATA[{body}]]></content:encoded>"
                         "</item>\n")
        stream.write("</channel>\n</rss>\n")


def scan(exe: str, args: list[str], cwd: Path, jobs: int, out: Path) -> dict:
    """One cold scan; its findings counted from the JSON Lines report."""
    measured = run_measured([exe, "scan", *args, "--format", "jsonl", "-o", str(out), "-q", "--jobs", str(jobs)],
                            cwd, out.with_suffix(".stdout"))
    if measured["rc"] not in (0, 1):
        sys.exit(f"inputs_bench: {' '.join(args)} failed: {measured['stderr'].strip()}")
    lines = out.read_text("utf-8").splitlines()
    summary = json.loads(lines[-1])["summary"]
    return {**measured, "findings": summary["findings"], "documents": summary["files"]}


def serve(root: Path, latency: float, pages: list[str]) -> ThreadingHTTPServer:
    """A local site: the pages under ``root`` and a sitemap of ``pages``, each answer after ``latency`` s."""
    sitemap = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               + "".join(f"<url><loc>{{base}}/{name}</loc></url>" for name in pages) + "</urlset>")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            time.sleep(latency)
            if self.path == "/sitemap.xml":
                body, kind = sitemap.replace("{base}", f"http://{self.headers['Host']}").encode(), "application/xml"
            elif self.path == "/robots.txt":
                body, kind = b"User-agent: *\nAllow: /\n", "text/plain"
            else:
                target = root / self.path.lstrip("/")
                if not target.is_file():
                    self.send_error(404)
                    return
                body, kind = target.read_bytes(), CONTENT_TYPES[EXTENSIONS[target.suffix]]
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=float, default=200, help="MB of documents (default 200)")
    parser.add_argument("--wxr-posts", type=int, default=10_000, help="HTML pages in the WordPress export")
    parser.add_argument("--web-pages", type=int, default=120, help="pages fetched from the local server")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds the local server waits per request")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3,
                        help="rounds over every input, interleaved; each figure is the median round (default 3)")
    parser.add_argument("--work", type=Path, required=True, help="folder for the corpus and containers")
    parser.add_argument("--rightscheck", help="rightscheck executable (default: beside this Python)")
    parser.add_argument("--only", help="comma-separated inputs to run (folder,warc,jsonl,csv,wxr,web)")
    args = parser.parse_args()
    exe, python = find_rightscheck(args.rightscheck)
    work = args.work
    corpus = work / "corpus"
    if not corpus.exists():
        print(f"generating {args.size:.0f} MB of documents in {corpus} ...", file=sys.stderr)
        generate(corpus, int(args.size * 1e6))
    docs = documents(corpus)
    html = [d for d in docs if d[1] == "html"][: args.wxr_posts]
    pages = work / "pages"  # the WordPress export's documents as a folder of their own
    if not pages.exists():
        for name, _, path in html:
            (pages / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, pages / name)
    made = {"crawl.warc.gz": write_warc, "dump.jsonl": write_jsonl, "dump.csv": write_csv}
    for name, write in made.items():
        if not (work / name).exists():
            print(f"writing {name} ...", file=sys.stderr)
            write(docs, work / name)
    if not (work / "export.xml").exists():
        write_wxr(html, work / "export.xml")
    fields = ["--field", "text=body", "--field", "id=id", "--field", "kind=kind"]
    runs = {
        "folder": (["corpus"], "folder"),
        "warc": (["crawl.warc.gz"], "folder"),
        "jsonl": (["dump.jsonl", *fields], "folder"),
        "csv": (["dump.csv", *fields], "folder"),
        "wxr-folder": (["pages"], "wxr-folder"),
        "wxr": (["export.xml"], "wxr-folder"),
    }
    only = set(args.only.split(",")) if args.only else None
    out = work / "out"
    out.mkdir(exist_ok=True)
    chosen = [label for label in runs
              if not only or label in only or (label.endswith("folder") and only & {"warc", "jsonl", "csv", "wxr"})]
    rounds: dict[str, list[dict]] = {label: [] for label in chosen}
    for round_ in range(args.runs):  # interleaved: a noisy minute on a shared machine hits every input alike
        for label in chosen:
            print(f"round {round_ + 1}: scanning {label} ...", file=sys.stderr)
            rounds[label].append(scan(exe, runs[label][0], work, args.jobs, out / f"{label}.jsonl"))
    results = {label: sorted(measured, key=lambda r: r["wall"])[len(measured) // 2] for label, measured in rounds.items()}
    sizes = {"folder": sum(p.stat().st_size for _, _, p in docs), "wxr-folder": sum(p.stat().st_size for _, _, p in html)}
    print(f"\n{machine_line(python)}; --jobs {args.jobs}; {len(docs)} documents, {sizes['folder'] / 1e6:.0f} MB; "
          f"median of {args.runs} interleaved rounds\n")
    print("| input | file | documents | findings | wall s | documents/s | MB/s of documents | vs folder | peak MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label, r in results.items():
        base = results.get(runs[label][1])
        size = sizes[runs[label][1]]
        container = work / runs[label][0][0]
        on_disk = sum(p.stat().st_size for p in container.rglob("*")) if container.is_dir() else container.stat().st_size
        ratio = f"{(r['documents'] / r['wall']) / (base['documents'] / base['wall']):.2f}" if base else "-"
        same = "" if not base or base["findings"] == r["findings"] else " (differs!)"
        print(f"| {label} | {on_disk / 1e6:.0f} MB | {r['documents']} | {r['findings']}{same} | {r['wall']:.1f} | "
              f"{r['documents'] / r['wall']:.0f} | {size / 1e6 / r['wall']:.1f} | {ratio} | {r['peak_mb']:.0f} |")
    if not only or "web" in only:
        web_pages = [name for name, _, _ in docs[: args.web_pages]]
        server = serve(corpus, args.latency, web_pages)
        url = f"http://127.0.0.1:{server.server_address[1]}/sitemap.xml"
        r = scan(exe, [url], work, args.jobs, out / "web.jsonl")
        server.shutdown()
        print(f"\nlive pages: {r['documents']} pages through a sitemap on one local host answering after "
              f"{args.latency * 1000:.0f} ms: {r['wall']:.1f} s, {r['documents'] / r['wall']:.2f} pages/s "
              f"(default concurrency and per-host interval), peak {r['peak_mb']:.0f} MB")
    print(f"\ncommand: {' '.join(['python', 'bench/inputs_bench.py', *sys.argv[1:]])}")


if __name__ == "__main__":
    main()
