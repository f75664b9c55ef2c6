"""The inputs from the command line: what a folder walk picks up, forcing a reader, standard input's
rules, bad arguments as one line and exit 2, damaged containers as skips that --strict fails on."""

from __future__ import annotations

import gzip
import io
import json

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

DISPATCH = b"<p>Baghdad, Jan 18 (AFP) - Iraqi forces said on Tuesday they had retaken the last district.</p>"


def _warc(pages: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for uri, body in pages:
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=headers))
    return out.getvalue()


def _json(result) -> dict:
    return json.loads(result.output)


def test_a_folder_walk_reads_web_archives_and_exports_but_rows_only_with_fields(cli, write):
    write("site/crawl.warc.gz", _warc([("https://news.example/a", DISPATCH)]))
    write("site/data.jsonl", json.dumps({"text": DISPATCH.decode()}) + "\n")
    write("site/feed.xml", "<rss><channel><item><title>Not an export</title></item></channel></rss>")
    found = _json(cli("scan", "site", "--format", "json"))
    assert [f["path"] for f in found["findings"]] == ["site/crawl.warc.gz"]
    assert found["summary"]["files"] == 1 and found["skipped"] == []  # the RSS feed is not a document
    with_fields = _json(cli("scan", "site", "--format", "json", "--field", "text=text"))
    assert sorted(f["path"] for f in with_fields["findings"]) == ["site/crawl.warc.gz", "site/data.jsonl"]


def test_a_crawl_without_its_usual_name_is_known_by_its_first_bytes(cli, write):
    write("crawl-2026.dat", _warc([("https://news.example/a", DISPATCH)]))
    found = _json(cli("scan", "crawl-2026.dat", "--format", "json"))["findings"]
    assert found and found[0]["record"]["uri"] == "https://news.example/a"


def test_input_format_forces_the_reader_of_named_files(cli, write):
    write("export.dump", json.dumps({"body": DISPATCH.decode()}) + "\n")
    as_text = _json(cli("scan", "export.dump", "--format", "json"))["findings"]
    as_rows = _json(cli("scan", "export.dump", "--format", "json", "--input-format", "jsonl",
                        "--field", "text=body"))["findings"]
    assert [f.get("record") for f in as_text] == [None] * len(as_text)
    assert as_rows and as_rows[0]["record"] == {"container": "export.dump", "line": 1}
    as_files = _json(cli("scan", "export.dump", "--format", "json", "--input-format", "files"))["findings"]
    assert as_files == as_text


def test_a_damaged_archive_is_read_around_the_damage_and_strict_fails_on_it(cli, write):
    good = _warc([("https://news.example/a", DISPATCH)])
    write("crawl.warc.gz", good + b"\x1f\x8b\x08\x00garbage that is no gzip member" + good)
    result = cli("scan", "crawl.warc.gz", "--format", "json")
    report = _json(result)
    assert result.exit_code == 1 and len(report["findings"]) == 2
    assert report["skipped"][0]["record"]["offset"] == len(good) and "crawl.warc.gz" == report["skipped"][0]["path"]
    strict = cli("scan", "crawl.warc.gz", "--strict", "-q")
    assert strict.exit_code == 2 and "could not be scanned (--strict)" in strict.output


def test_verbose_names_each_skipped_record(cli, write):
    write("dump.jsonl", '{"text": "fine"}\nnot json\n')
    result = cli("scan", "dump.jsonl", "-v")
    assert "rightscheck: skipped dump.jsonl [line 2]: " in result.output


def test_standard_input_is_read_once_and_bad_fields_are_one_line(cli):
    twice = cli("scan", "-", "-")
    assert twice.exit_code == 2 and twice.output.strip() == "rightscheck: error: -: standard input can be read once"
    bad = cli("scan", "x.jsonl", "--field", "body")
    assert bad.exit_code == 2 and bad.output.count("\n") == 1 and bad.output.startswith("rightscheck: error: ")


def test_standard_input_larger_than_max_file_size_is_skipped(cli, write):
    write(".rightscheck.yaml", "max_file_size: 100\n")
    from click.testing import CliRunner
    from rightscheck.cli.main import main

    result = CliRunner().invoke(main, ["scan", "-", "-v"], input=DISPATCH * 3)
    assert result.exit_code == 0 and "skipped -: larger than max_file_size (100 bytes)" in result.output


def test_urls_from_a_file_that_cannot_be_fetched_are_skips_with_reasons(cli, write):
    write("urls.txt", "# to check\nftp://example.org/a.txt\n\nfile:///etc/passwd\n")
    result = cli("scan", "--urls", "urls.txt", "-v")
    assert result.exit_code == 0
    assert result.output.count("only http and https URLs are fetched") == 2


def test_a_gzipped_json_lines_dump_is_read_as_rows(cli, write):
    write("dump.jsonl.gz", gzip.compress(json.dumps({"text": DISPATCH.decode(), "id": "x"}).encode() + b"\n"))
    found = _json(cli("scan", "dump.jsonl.gz", "--format", "json", "--field", "id=id"))["findings"]
    assert found and found[0]["record"]["id"] == "x"


STORY = ("Freight rates on the route have risen by about forty percent since November according to the growers "
         "forum as airlines moved cargo capacity to busier routes in Asia on {day} said the chairman of the board")


def _wire(write, rows):
    """The agency's archive as JSON Lines: each dispatch opens with its dateline, so it is the agency's."""
    write("wire.jsonl", "".join(json.dumps({"guid": guid, "text": f"PARIS, Jan 18 (AFP) - {text}."}) + "\n"
                                for guid, text in rows))


def test_a_source_record_edited_in_place_is_indexed_again(cli, write):
    write("site/a.txt", STORY.format(day="Friday") + ".\n")
    _wire(write, [("g1", STORY.format(day="Monday"))])
    first = cli("scan", "site", "--sources", "wire.jsonl", "--field", "id=guid", "--format", "json")
    assert "[-Monday-]" in first.output  # the source said Monday, the article says Friday
    _wire(write, [("g1", STORY.format(day="Friday"))])  # the same length: only the content hash tells
    again = cli("scan", "site", "--sources", "wire.jsonl", "--field", "id=guid", "-v")
    assert "1 updated" in again.output and "Monday" not in again.output


def test_two_records_with_the_same_name_are_both_sources(cli, write):
    other = "The council met on Tuesday to discuss the budget for the coming year and the new ferry timetable."
    write("site/a.txt", STORY.format(day="Friday") + ".\n")
    _wire(write, [("g1", other), ("g1", STORY.format(day="Friday"))])
    found = json.loads(cli("scan", "site", "--sources", "wire.jsonl", "--field", "id=guid", "--format",
                           "json").output)["findings"]
    assert any(f.get("source", {}).get("path") == "wire.jsonl [id g1]" for f in found)


def test_a_wordpress_export_without_its_usual_name_is_known_by_its_first_bytes(cli, write):
    write("export-2026", '<?xml version="1.0"?>\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/'
          'content/" xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><link>https://n.example/a</link>'
          '<wp:post_id>7</wp:post_id><wp:post_type>post</wp:post_type><content:encoded><![CDATA['
          + DISPATCH.decode() + "]]></content:encoded></item></channel></rss>\n")
    found = json.loads(cli("scan", "export-2026", "--format", "json").output)["findings"]
    assert found and found[0]["record"]["post_id"] == "7"
