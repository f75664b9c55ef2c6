"""Every input reports what a folder scan of the same documents reports: the documents of examples/site
(with its config and wire archive, so attribution, licences and reused text all take part) packed into
each container, scanned, and their findings compared document by document with the folder scan's."""

from __future__ import annotations

import csv
import os
import json
import shutil
from pathlib import Path

import pytest

from rightscheck.inputs.base import kind_for

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"
PLACE = ("path", "record")  # where a finding is: differs by input; everything else must not


@pytest.fixture
def newsroom(tmp_path, monkeypatch):
    """A copy of examples/ as the working directory: its config, its sources, its site."""
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    monkeypatch.chdir(tmp_path / "examples")
    return tmp_path / "examples"


def _documents(root: Path) -> list[tuple[str, str, bytes]]:
    """(path under site/, kind, bytes) of every document a folder scan of site/ reads."""
    return [(p.relative_to(root / "site").as_posix(), kind_for(p.name), p.read_bytes())
            for p in sorted((root / "site").rglob("*")) if p.is_file() and kind_for(p.name)]


def _scan(cli, *args: str, input: bytes | None = None) -> dict:
    result = cli("scan", "--format", "json", *args, input=input)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


def _by_document(findings: list[dict], name) -> dict[str, list[dict]]:
    """Findings grouped by the document ``name(finding)`` says they are in, without their place."""
    grouped: dict[str, list[dict]] = {}
    for finding in findings:
        grouped.setdefault(name(finding), []).append({k: v for k, v in finding.items() if k not in PLACE})
    return grouped


def _folder(cli, kinds=("html", "markdown", "text")) -> dict[str, list[dict]]:
    report = _scan(cli, "site")
    by_doc = _by_document(report["findings"], lambda f: f["path"].removeprefix("site/"))
    return {doc: found for doc, found in by_doc.items() if kind_for(doc) in kinds}


@pytest.fixture
def cli_here(newsroom):
    from click.testing import CliRunner

    from rightscheck.cli.main import main

    return lambda *args, input=None: CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_the_folder_scan_finds_something_in_several_documents(newsroom, cli_here):
    found = _folder(cli_here)
    assert len(found) >= 5 and any(f.get("source") for doc in found.values() for f in doc)


def test_json_lines_rows_report_the_folder_scans_findings(newsroom, cli_here):
    with open("dump.jsonl", "w", encoding="utf-8") as out:
        for name, kind, data in _documents(newsroom):
            out.write(json.dumps({"slug": name, "post": {"body": data.decode("utf-8")}, "format": kind}) + "\n")
    report = _scan(cli_here, "dump.jsonl", "--field", "text=post.body", "--field", "id=slug", "--field", "kind=format")
    assert {f["record"]["container"] for f in report["findings"]} == {"dump.jsonl"}
    assert _by_document(report["findings"], lambda f: f["record"]["id"]) == _folder(cli_here)


def test_csv_rows_report_the_folder_scans_findings(newsroom, cli_here):
    with open("dump.csv", "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["slug", "body", "format"])
        for name, kind, data in _documents(newsroom):
            writer.writerow([name, data.decode("utf-8"), kind])
    report = _scan(cli_here, "dump.csv", "--field", "text=body", "--field", "id=slug", "--field", "kind=format")
    assert _by_document(report["findings"], lambda f: f["record"]["id"]) == _folder(cli_here)


def test_a_wordpress_export_reports_the_folder_scans_findings_for_its_pages(newsroom, cli_here):
    items = "".join(
        f"<item><title>{name}</title><link>https://news.example/{name}</link><wp:post_id>{i}</wp:post_id>"
        f"<wp:post_type>post</wp:post_type><wp:status>publish</wp:status>"
        f"<content:encoded><![CDATA[{data.decode('utf-8')}]]></content:encoded></item>\n"
        for i, (name, kind, data) in enumerate(_documents(newsroom)) if kind == "html")
    Path("export.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wp="http://wordpress.org/export/1.2/"><channel>\n' + items + "</channel></rss>\n", encoding="utf-8")
    report = _scan(cli_here, "export.xml")
    found = _by_document(report["findings"], lambda f: f["record"]["link"].removeprefix("https://news.example/"))
    assert found == _folder(cli_here, kinds=("html",))


def test_standard_input_reports_what_the_file_does(newsroom, cli_here):
    for name, kind, data in _documents(newsroom):
        report = _scan(cli_here, "-", "--stdin-name", f"site/{name}", input=data)
        assert report["findings"] == _scan(cli_here, f"site/{name}")["findings"], name


def test_standard_input_takes_its_kind_from_the_option(newsroom, cli_here):
    page = next(data for name, kind, data in _documents(newsroom) if kind == "html" and _folder(cli_here).get(name))
    as_html = _scan(cli_here, "-", "--stdin-kind", "html", input=page)
    as_text = _scan(cli_here, "-", "--stdin-kind", "txt", input=page)
    assert as_html["findings"] and {f["path"] for f in as_html["findings"]} == {"-"}
    assert as_html["findings"] != as_text["findings"]  # markup is text to a text document


def test_a_web_archive_reports_the_folder_scans_findings(newsroom, cli_here):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter
    import io

    types = {"html": "text/html; charset=utf-8", "markdown": "text/markdown", "text": "text/plain; charset=utf-8"}
    with open("crawl.warc.gz", "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for name, kind, data in _documents(newsroom):
            headers = StatusAndHeaders("200 OK", [("Content-Type", types[kind])], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"https://news.example/{name}", "response",
                                                          payload=io.BytesIO(data), http_headers=headers))
    report = _scan(cli_here, "crawl.warc.gz")
    found = _by_document(report["findings"], lambda f: f["record"]["uri"].removeprefix("https://news.example/"))
    assert found == _folder(cli_here)
    assert all(f["record"]["container"] == "crawl.warc.gz" and f["record"]["offset"] >= 0 for f in report["findings"])


def test_live_pages_from_a_sitemap_report_the_folder_scans_findings(newsroom, cli_here):
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    docs = _documents(newsroom)
    types = {"html": "text/html; charset=utf-8", "markdown": "text/markdown; charset=utf-8",
             "text": "text/plain; charset=utf-8"}
    kinds = {name: kind for name, kind, _ in docs}

    class Site(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(newsroom / "site"), **kwargs)

        def guess_type(self, path):
            return types.get(kinds.get(os.path.relpath(path, newsroom / "site")), "application/octet-stream")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    (newsroom / "site" / "sitemap.xml").write_text(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>{base}/{name}</loc></url>" for name, _, _ in docs) + "</urlset>")
    with open(".rightscheck.yaml", "a", encoding="utf-8") as config:
        config.write("\nweb: {interval: 0}\n")  # one local host: no need to be polite to ourselves
    try:
        report = _scan(cli_here, f"{base}/sitemap.xml")
    finally:
        server.shutdown()
        (newsroom / "site" / "sitemap.xml").unlink()
    assert {f["record"]["status"] for f in report["findings"]} == {200}
    assert _by_document(report["findings"], lambda f: f["path"].removeprefix(base + "/")) == _folder(cli_here)


def test_an_agency_archive_in_json_lines_is_a_source_like_a_folder_of_files(newsroom, cli_here):
    """The wire archive as one JSON Lines file: each row a source; the same passages are found, the source
    named as the archive with the row's id."""
    with open("wire.jsonl", "w", encoding="utf-8") as out:
        for path in sorted((newsroom / "sources").iterdir()):
            out.write(json.dumps({"id": path.name, "text": path.read_text("utf-8")}) + "\n")
    from_folder = _scan(cli_here, "site", "--sources", "sources")["findings"]
    from_rows = _scan(cli_here, "site", "--sources", "wire.jsonl", "--field", "id=id")["findings"]
    reused = [f for f in from_folder if f.get("source")]
    assert reused and len(from_rows) == len(from_folder)
    for folder_finding, row_finding in zip(from_folder, from_rows):
        source = folder_finding.get("source")
        if source:  # the source is named as the row of the archive, wherever the finding names it
            name = source["path"].removeprefix("sources/")
            assert row_finding["source"]["path"] == f"wire.jsonl [id {name}]"
            folder_finding = json.loads(json.dumps(folder_finding).replace(source["path"], f"wire.jsonl [id {name}]"))
        assert row_finding == folder_finding


def test_an_agency_archive_as_a_web_archive_is_a_source_too(newsroom, cli_here):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter
    import io

    with open("wire.warc.gz", "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for path in sorted((newsroom / "sources").iterdir()):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/plain; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"https://wire.example/{path.name}", "response",
                                                          payload=io.BytesIO(path.read_bytes()), http_headers=headers))
    from_folder = _scan(cli_here, "site", "--sources", "sources")["findings"]
    from_warc = _scan(cli_here, "site", "--sources", "wire.warc.gz")["findings"]
    assert [f["rule"] for f in from_warc] == [f["rule"] for f in from_folder]
    assert {f["source"]["path"] for f in from_warc if f.get("source")} >= {
        "wire.warc.gz [https://wire.example/reuters-swiss-watchmakers.txt]"}
