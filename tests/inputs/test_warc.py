"""Web archives read record by record: archives written here with warcio's own writer (gzipped per record
and plain, WARC and WET), then damaged the ways real ones are (cut short, a corrupt gzip member, a broken
header, stray bytes, a lying Content-Length), each damage one Skipped with its offset and the rest read."""

from __future__ import annotations

import gzip
import io
import struct
import tracemalloc
import zlib

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.warcwriter import WARCWriter

from rightscheck.inputs.base import Record, Skipped
from rightscheck.inputs.warc import _CHUNK, _parse, is_warc, warc_records

LIMIT = 1 << 20
PAGE = b"<!DOCTYPE html><html><body><p>Storm hits the coast. (c) Example Wire</p></body></html>"


def response(uri, body, status="200 OK", content_type="text/html; charset=utf-8", headers=()):
    """An HTTP response record as a crawler stores it: the status line and headers, then the body as sent."""
    fields = ([("Content-Type", content_type)] if content_type else []) + list(headers)

    def make(writer):
        http = StatusAndHeaders(status, fields, protocol="HTTP/1.1")
        return writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http)

    return make


def request(uri):
    def make(writer):
        http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.example.org")], is_http_request=True)
        return writer.create_warc_record(uri, "request", payload=io.BytesIO(b""), http_headers=http)

    return make


def block(uri, record_type, body, content_type):
    """A record whose block is the payload itself: resource, conversion (WET), metadata."""
    return lambda writer: writer.create_warc_record(uri, record_type, payload=io.BytesIO(body),
                                                    warc_content_type=content_type)


def warcinfo(writer):
    return writer.create_warcinfo_record("crawl.warc.gz", {"software": "Wget/1.21.4", "format": "WARC 1.1"})


def revisit(uri):
    def make(writer):
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        return writer.create_revisit_record(uri, "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ", uri,
                                            "2024-03-01T09:00:00Z", http_headers=http)

    return make


def write(path, records, gz=True) -> list[int]:
    """Write the records with warcio's WARCWriter; the offset of each in the file."""
    offsets = []
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=gz)
        for make in records:
            offsets.append(out.tell())
            writer.write_record(make(writer))
    return offsets


def read(path, limit=LIMIT) -> list[tuple]:
    """What the reader yields, as comparable tuples: a document's offset, kind, bytes and charset; a skip's
    offset, reason and whether it is a problem."""
    out = []
    for item in warc_records(str(path), "crawl.warc", limit):
        assert item.path == "crawl.warc" and item.record["container"] == "crawl.warc"
        if isinstance(item, Record):
            out.append(("doc", item.record["offset"], item.kind, item.data, item.charset))
        else:
            assert isinstance(item, Skipped)
            out.append(("skip", item.record["offset"], item.reason, item.problem))
    return out


def pages(n):
    return [response(f"https://news.example.org/{i}", PAGE.replace(b"Storm", b"Storm %d" % i)) for i in range(n)]


def doc(offset, i):
    return ("doc", offset, "html", PAGE.replace(b"Storm", b"Storm %d" % i), "utf-8")


MIXED = [
    warcinfo,
    request("https://news.example.org/a"),
    response("https://news.example.org/a", PAGE),
    block("metadata://news.example.org/a", "metadata", b"outlink: https://news.example.org/b\r\n",
          "application/warc-fields"),
    revisit("https://news.example.org/a"),
    response("https://news.example.org/gone", b"<p>Not found</p>", status="404 Not Found"),
    response("https://news.example.org/logo.jpg", b"\xff\xd8\xff\xe0" + bytes(200), content_type="image/jpeg"),
    response("https://news.example.org/a.txt", b"Plain words.\n", content_type="text/plain"),
    response("https://news.example.org/a.md", b"# Title\n\nWords.\n", content_type="text/markdown; charset=utf-8"),
    response("https://news.example.org/a.xhtml", PAGE, content_type="application/xhtml+xml"),
    response("https://news.example.org/feed", b"{}", content_type="application/json"),
]


def expected_mixed(o):
    return [
        ("skip", o[1], f"record at offset {o[1]}: WARC request record", False),
        ("doc", o[2], "html", PAGE, "utf-8"),
        ("skip", o[3], f"record at offset {o[3]}: WARC metadata record", False),
        ("skip", o[4], f"record at offset {o[4]}: WARC revisit record", False),
        ("skip", o[5], f"record at offset {o[5]}: HTTP 404", False),
        ("skip", o[6], f"record at offset {o[6]}: not HTML or text (image/jpeg)", False),
        ("doc", o[7], "text", b"Plain words.\n", None),
        ("doc", o[8], "markdown", b"# Title\n\nWords.\n", "utf-8"),
        ("doc", o[9], "html", PAGE, None),
        ("skip", o[10], f"record at offset {o[10]}: not HTML or text (application/json)", False),
    ]


@pytest.mark.parametrize("gz", [True, False], ids=["gzip per record", "uncompressed"])
def test_each_text_response_of_200_is_a_document_and_every_other_record_a_skip_saying_what_it_is(tmp_path, gz):
    path = tmp_path / "crawl.warc"
    offsets = write(path, MIXED, gz)
    assert read(path) == expected_mixed(offsets)


def test_a_record_is_located_by_its_uri_date_and_id(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    write(path, [warcinfo, response("https://news.example.org/a?x=1", PAGE)])
    (record,) = warc_records(str(path), "crawl.warc.gz", LIMIT)
    assert record.record["uri"] == "https://news.example.org/a?x=1"
    assert record.record["date"].startswith("20") and record.record["id"].startswith("<urn:uuid:")
    assert set(record.record) == {"container", "offset", "uri", "date", "id"}


def chunked(body: bytes, size: int = 7) -> bytes:
    parts = [b"%x;ext=1\r\n%s\r\n" % (len(body[i:i + size]), body[i:i + size]) for i in range(0, len(body), size)]
    return b"".join(parts) + b"0\r\nX-Trailer: yes\r\n\r\n"


def raw_deflate(body: bytes) -> bytes:
    squeeze = zlib.compressobj(wbits=-15)
    return squeeze.compress(body) + squeeze.flush()


def test_chunked_and_compressed_http_bodies_are_decoded(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    te, ce = ("Transfer-Encoding", "chunked"), "Content-Encoding"
    offsets = write(path, [
        response("https://a/1", chunked(PAGE), headers=[te]),
        response("https://a/2", gzip.compress(PAGE), headers=[(ce, "gzip")]),
        response("https://a/3", chunked(gzip.compress(PAGE), 5), headers=[te, (ce, "gzip")]),
        response("https://a/4", zlib.compress(PAGE), headers=[(ce, "deflate")]),
        response("https://a/5", raw_deflate(PAGE), headers=[(ce, "deflate")]),
        # stored decoded under its original headers, as some crawlers do: taken as it is
        response("https://a/6", PAGE, headers=[te, (ce, "gzip")]),
        response("https://a/7", PAGE, headers=[(ce, "deflate")]),
    ])
    assert read(path) == [("doc", offset, "html", PAGE, "utf-8") for offset in offsets]


def test_an_unsupported_or_corrupt_encoding_is_a_problem_skip_and_the_archive_read_on(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    broken = bytearray(gzip.compress(PAGE * 50))
    broken[40:60] = bytes(20)
    offsets = write(path, [
        response("https://a/1", b"\x8b\x03\x80<p>x</p>\x03", headers=[("Content-Encoding", "br")]),
        response("https://a/2", bytes(broken), headers=[("Content-Encoding", "gzip")]),
        response("https://a/3", gzip.compress(PAGE)[:-30], headers=[("Content-Encoding", "gzip")]),
        response("https://a/4", b"5\r\nabcde\r\nzz\r\n", headers=[("Transfer-Encoding", "chunked")]),
        response("https://a/5", PAGE),
    ])
    result = read(path)
    assert result[0] == ("skip", offsets[0], f"record at offset {offsets[0]}: Content-Encoding br is not decoded",
                         True)
    assert result[1][:2] == ("skip", offsets[1]) and "corrupt gzip Content-Encoding" in result[1][2]
    assert result[1][3] is True
    assert result[2] == ("skip", offsets[2], f"record at offset {offsets[2]}: gzip Content-Encoding ends early",
                         True)
    assert result[3] == ("skip", offsets[3], f"record at offset {offsets[3]}: broken chunked HTTP body "
                         "(no chunk size after a chunk)", True)
    assert result[4] == ("doc", offsets[4], "html", PAGE, "utf-8")


def test_a_declared_charset_is_handed_on_with_the_bytes_undecoded(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    latin = "<p>Genève, le 3 mars — Agence</p>".encode("windows-1252")
    write(path, [response("https://a/fr", latin, content_type='text/html; charset="Windows-1252"')])
    assert read(path) == [("doc", 0, "html", latin, "Windows-1252")]


def test_wet_conversion_records_are_text_documents(tmp_path):
    path = tmp_path / "crawl.warc.wet.gz"
    text = "Storm hits the coast\nReporting by Example Wire\n".encode()
    offsets = write(path, [
        warcinfo,
        block("https://news.example.org/a", "conversion", text, "text/plain"),
        block("https://news.example.org/b", "conversion", "Zweite Seite äöü\n".encode(), "text/plain"),
    ])
    assert read(path) == [("doc", offsets[1], "text", text, None),
                          ("doc", offsets[2], "text", "Zweite Seite äöü\n".encode(), None)]


def test_resource_records_with_text_are_documents_but_not_the_crawlers_own_log(tmp_path):
    path = tmp_path / "crawl.warc"
    offsets = write(path, [
        block("https://news.example.org/saved.html", "resource", PAGE, "text/html; charset=utf-8"),
        block("metadata://gnu.org/software/wget/warc/wget.log", "resource", b"Opening WARC file\n", "text/plain"),
        block("https://news.example.org/photo.png", "resource", b"\x89PNG\r\n", "image/png"),
    ], gz=False)
    assert read(path) == [
        ("doc", offsets[0], "html", PAGE, "utf-8"),
        ("skip", offsets[1], f"record at offset {offsets[1]}: the crawler's own resource record "
         "(metadata://gnu.org/software/wget/warc/wget.log)", False),
        ("skip", offsets[2], f"record at offset {offsets[2]}: not HTML or text (image/png)", False),
    ]


def test_a_record_the_crawler_cut_short_is_a_problem_skip(tmp_path):
    path = tmp_path / "crawl.warc.gz"

    def cut(writer):
        record = response("https://a/long", PAGE[:40])(writer)
        record.rec_headers.add_header("WARC-Truncated", "length")
        return record

    write(path, [cut])
    assert read(path) == [("skip", 0, "record at offset 0: payload cut short by the crawler (WARC-Truncated: length)",
                           True)]


@pytest.mark.parametrize("name, head, expected", [
    ("crawl-00001.warc.gz", b"", True),
    ("CC-MAIN-20240301.warc.wet.gz", b"", True),
    ("site.WARC", b"", True),
    ("crawl.dat", b"WARC/1.1\r\nWARC-Type: warcinfo\r\n", True),
    ("crawl.dat", gzip.compress(b"WARC/1.0\r\nWARC-Type: warcinfo\r\n" + bytes(2000))[:512], True),
    ("notes.txt", b"WARC files are archives.\n", False),
    ("page.gz", gzip.compress(b"<html>not a crawl</html>"), False),
    ("broken.gz", b"\x1f\x8b\x08\x00garbage", False),
])
def test_an_archive_is_known_by_its_name_or_by_its_first_bytes(name, head, expected):
    assert is_warc(name, head) is expected


def test_a_payload_over_max_file_size_is_skipped_and_the_rest_read(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    bomb = gzip.compress(b"<p>" + b"a" * 5_000_000)  # 5 KB that inflates to 5 MB
    offsets = write(path, [
        response("https://a/big", b"<p>" + b"x" * 2000 + b"</p>"),
        response("https://a/bomb", bomb, headers=[("Content-Encoding", "gzip")]),
        response("https://a/ok", PAGE),
    ])
    assert read(path, limit=1000) == [
        ("skip", offsets[0], f"record at offset {offsets[0]}: larger than max_file_size (2007 > 1000 bytes)", True),
        ("skip", offsets[1], f"record at offset {offsets[1]}: larger than max_file_size (over 1000 bytes decoded)",
         True),
        ("doc", offsets[2], "html", PAGE, "utf-8"),
    ]


def test_a_large_record_is_read_past_without_being_held(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    offsets = write(path, [response("https://a/huge", b"<p>" + b"news " * 6_000_000), response("https://a/ok", PAGE)])
    tracemalloc.start()
    try:
        result = read(path, limit=100_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [item[:2] for item in result] == [("skip", offsets[0]), ("doc", offsets[1])]
    assert peak < 2_000_000  # the record is 30 MB


def test_a_header_that_never_ends_is_a_skip_not_a_line_held_in_memory(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    offsets = write(path, pages(2))
    endless = lambda r: r.replace(b"\r\n", b"\r\nX-Junk: " + b"a" * 20_000_000 + b"\r\n", 1)  # noqa: E731
    old = path.read_bytes()
    path.write_bytes(regzip(old, offsets, 0, endless))
    shift = path.stat().st_size - len(old)
    tracemalloc.start()
    try:
        result = read(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result == [("skip", 0, "record at offset 0: headers longer than 262144 bytes", True),
                      doc(offsets[1] + shift, 1)]
    assert peak < 2_000_000


def member(data: bytes, offsets: list[int], i: int) -> bytes:
    end = offsets[i + 1] if i + 1 < len(offsets) else len(data)
    return data[offsets[i]:end]


def test_a_truncated_gzip_archive_ends_with_a_skip_of_its_last_record(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    offsets = write(path, pages(3))
    path.write_bytes(path.read_bytes()[:offsets[2] + 60])
    assert read(path) == [doc(offsets[0], 0), doc(offsets[1], 1),
                          ("skip", offsets[2], f"record at offset {offsets[2]}: the file ends inside a gzip member",
                           True)]


def test_a_truncated_uncompressed_archive_ends_with_a_skip_of_its_last_record(tmp_path):
    path = tmp_path / "crawl.warc"
    offsets = write(path, pages(3), gz=False)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) - 30])
    (*first, last) = read(path)
    assert first == [doc(offsets[0], 0), doc(offsets[1], 1)]
    assert last[:2] == ("skip", offsets[2]) and last[3] is True
    assert last[2].startswith(f"record at offset {offsets[2]}: truncated: the file ends 26 bytes short")


def test_a_corrupt_gzip_member_is_skipped_and_the_rest_read(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    offsets = write(path, pages(4))
    data = bytearray(path.read_bytes())
    data[offsets[1] + 80:offsets[1] + 100] = bytes(20)
    path.write_bytes(data)
    result = read(path)
    assert result[0] == doc(offsets[0], 0) and result[2:] == [doc(offsets[2], 2), doc(offsets[3], 3)]
    assert result[1][:2] == ("skip", offsets[1]) and result[1][3] is True
    assert result[1][2].startswith(f"record at offset {offsets[1]}: corrupt gzip data")


def test_a_member_whose_checksum_fails_is_not_handed_on(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    offsets = write(path, pages(2))
    data = bytearray(path.read_bytes())
    data[offsets[1] - 8] ^= 0xFF  # the CRC-32 in the first member's trailer
    path.write_bytes(data)
    assert read(path) == [("skip", 0, "record at offset 0: corrupt gzip data (Error -3 while decompressing data: "
                           "incorrect data check)", True), doc(offsets[1], 1)]


@pytest.mark.parametrize("late", [5, 8])  # the whole CRC-32 in the next read
def test_a_record_is_not_handed_on_before_its_members_checksum_is_read(tmp_path, late):
    """The checksum ends a member: when it comes in a later read of the file than the record's bytes, the
    record still waits for it."""
    path = tmp_path / "crawl.warc.gz"
    offsets = write(path, pages(2), gz=False)
    data = path.read_bytes()
    record = data[:offsets[1]]
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = squeeze.compress(record) + squeeze.flush()
    name = b"n" * (_CHUNK + late - 8 - 10 - 1 - len(deflated))  # the member's last `late` bytes in the next read
    first = b"\x1f\x8b\x08\x08" + bytes(6) + name + b"\0" + deflated + struct.pack("<II", zlib.crc32(record) ^ 1,
                                                                                  len(record))
    assert len(first) == _CHUNK + late
    path.write_bytes(first + gzip.compress(data[offsets[1]:]))
    assert read(path) == [("skip", 0, "record at offset 0: corrupt gzip data (Error -3 while decompressing data: "
                           "incorrect data check)", True), doc(len(first), 1)]


def regzip(data: bytes, offsets: list[int], i: int, change) -> bytes:
    """The archive with member ``i`` gunzipped, changed and gzipped again."""
    old = member(data, offsets, i)
    return data[:offsets[i]] + gzip.compress(change(gzip.decompress(old))) + data[offsets[i] + len(old):]


@pytest.mark.parametrize("change, reason", [
    (lambda r: r.replace(b"WARC/1.0", b"WARC/9.9", 1), "broken WARC header"),
    (lambda r: r.replace(b"Content-Length:", b"Content-Lenxth:", 1),
     "WARC header without a valid Content-Length ('')"),
    (lambda r: b"<html>" + r, "no WARC record here (stray bytes or a damaged record)"),
])
def test_a_record_with_a_broken_header_is_skipped_and_the_rest_read(tmp_path, change, reason):
    gz, plain = tmp_path / "crawl.warc.gz", tmp_path / "crawl.warc"
    offsets = write(gz, pages(3))
    old = gz.read_bytes()
    gz.write_bytes(regzip(old, offsets, 1, change))
    shift = gz.stat().st_size - len(old)
    assert read(gz) == [doc(offsets[0], 0), ("skip", offsets[1], f"record at offset {offsets[1]}: {reason}", True),
                        doc(offsets[2] + shift, 2)]
    offsets = write(plain, pages(3), gz=False)
    old = plain.read_bytes()
    plain.write_bytes(old[:offsets[1]] + change(old[offsets[1]:offsets[2]]) + old[offsets[2]:])
    shift = plain.stat().st_size - len(old)
    assert read(plain) == [doc(offsets[0], 0), ("skip", offsets[1], f"record at offset {offsets[1]}: {reason}", True),
                           doc(offsets[2] + shift, 2)]


def test_stray_bytes_between_gzip_members_are_one_skip_and_the_rest_read(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    offsets = write(path, pages(3))
    data = path.read_bytes()
    path.write_bytes(data[:offsets[1]] + b"\x1f\x8bjunk" * 40 + data[offsets[1]:])
    assert read(path) == [doc(offsets[0], 0),
                          ("skip", offsets[1], f"record at offset {offsets[1]}: bytes that are not a gzip member",
                           True),
                          doc(offsets[1] + 240, 1), doc(offsets[2] + 240, 2)]


def test_stray_bytes_between_uncompressed_records_are_one_skip_and_the_rest_read(tmp_path):
    path = tmp_path / "crawl.warc"
    offsets = write(path, pages(3), gz=False)
    data = path.read_bytes()
    path.write_bytes(data[:offsets[1]] + b"HTTP/1.1 200 OK\r\nWARC junk\r\n" * 3 + data[offsets[1]:])
    assert read(path) == [doc(offsets[0], 0),
                          ("skip", offsets[1], f"record at offset {offsets[1]}: no WARC record here (stray bytes or "
                           "a damaged record)", True),
                          doc(offsets[1] + 84, 1), doc(offsets[2] + 84, 2)]


@pytest.mark.parametrize("gz", [True, False], ids=["gzip per record", "uncompressed"])
def test_a_record_claiming_ten_gigabytes_is_skipped_as_truncated_and_the_next_ones_read(tmp_path, gz):
    path = tmp_path / "crawl.warc"
    offsets = write(path, pages(3), gz=gz)
    lie = lambda r: r.replace(b"Content-Length: ", b"Content-Length: 100000000", 1)  # noqa: E731
    old = path.read_bytes()
    data = regzip(old, offsets, 0, lie) if gz else lie(old[:offsets[1]]) + old[offsets[1]:]
    path.write_bytes(data)
    shift = len(data) - len(old)
    (first, *rest) = read(path)
    assert first[:2] == ("skip", 0) and first[3] is True
    assert first[2].startswith("record at offset 0: truncated: the file ends ")
    assert "bytes short of its Content-Length (100000000" in first[2]
    assert rest == [doc(offsets[1] + shift, 1), doc(offsets[2] + shift, 2)]


def test_a_content_length_too_short_is_a_skip_not_a_cut_document(tmp_path):
    path = tmp_path / "crawl.warc"
    offsets = write(path, pages(2), gz=False)
    data = path.read_bytes()
    length = data[:offsets[1]].split(b"Content-Length: ")[1].split(b"\r\n")[0]
    shorter = str(int(length) - 10).encode()
    data = data[:offsets[1]].replace(b"Content-Length: " + length, b"Content-Length: " + shorter) + data[offsets[1]:]
    path.write_bytes(data)
    shift = len(shorter) - len(length)
    assert read(path) == [
        ("skip", 0, f"record at offset 0: its Content-Length ({shorter.decode()}) does not end where the record does",
         True),
        doc(offsets[1] + shift, 1),
    ]


def test_a_whole_file_gzip_is_read_with_every_record_at_the_streams_offset(tmp_path):
    plain, path = tmp_path / "crawl.warc", tmp_path / "crawl.warc.gz"
    write(plain, pages(3), gz=False)
    path.write_bytes(gzip.compress(plain.read_bytes()))
    assert read(path) == [doc(0, 0), doc(0, 1), doc(0, 2)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 40), st.sampled_from([b"\x00", b"\xff", b""])),
                     min_size=1, max_size=4))
def test_any_damage_to_a_gzipped_archive_yields_only_intact_documents_and_never_raises(tmp_path, cuts):
    path = tmp_path / "crawl.warc.gz"
    write(path, pages(8) + [request("https://a/r"), response("https://a/404", PAGE, status="404 Not Found")])
    data = bytearray(path.read_bytes())
    originals = {PAGE.replace(b"Storm", b"Storm %d" % i) for i in range(8)}
    for at, size, fill in cuts:  # overwrite, or with b"" cut out, a run of bytes
        at %= len(data)
        data[at:at + size] = fill * size
    path.write_bytes(data)
    for item in warc_records(str(path), "crawl.warc.gz", LIMIT):
        if isinstance(item, Record):
            assert item.data in originals
        else:
            assert item.reason.startswith(f"record at offset {item.record['offset']}: ")


def raw_record(warc_fields: bytes, block: bytes, version: bytes = b"WARC/1.0") -> bytes:
    """A record as bytes, its header fields as given (CRLF-ended lines), with the block's Content-Length."""
    return (version + b"\r\n" + warc_fields + b"Content-Length: %d\r\n\r\n" % len(block) + block + b"\r\n\r\n")


def http_record(uri: bytes, http_head: bytes, body: bytes) -> bytes:
    fields = b"WARC-Type: response\r\nWARC-Target-URI: " + uri + b"\r\nContent-Type: application/http\r\n"
    return raw_record(fields, http_head + body)


@pytest.mark.parametrize("data, expected", [
    # a folded field: its next line continues its value
    (http_record(b"https://a/1", b"HTTP/1.1 200 OK\r\nContent-Type: text/html;\r\n\tcharset=latin-1\r\n\r\n", PAGE),
     ("doc", 0, "html", PAGE, "latin-1")),
    # LF-only HTTP headers, as some servers send them
    (http_record(b"https://a/2", b"HTTP/1.1 200 OK\nContent-Type: text/plain\n\n", b"Plain words.\n"),
     ("doc", 0, "text", b"Plain words.\n", None)),
    # a Latin-1 byte in a field, and a line without a colon, which warcio drops
    (http_record(b"https://a/3", b"HTTP/1.1 200 OK\r\nX-Note: caf\xe9\r\nno colon here\r\nContent-Type: text/html\r\n"
                 b"\r\n", PAGE), ("doc", 0, "html", PAGE, None)),
    # a field name with blanks before its colon; names in any case
    (raw_record(b"warc-type : conversion\r\nWARC-TARGET-URI:https://a/4\r\nContent-Type:  text/plain  \r\n",
                b"Words.\n"), ("doc", 0, "text", b"Words.\n", None)),
    # a blank-looking line ends the headers for warcio, so the Content-Length after it is not one
    (raw_record(b"WARC-Type: conversion\r\n\x0b\r\n", b"Words.\n"),
     ("skip", 0, "record at offset 0: WARC header without a valid Content-Length ('')", True)),
    # an HTTP status that is not one
    (http_record(b"https://a/5", b"\r\nContent-Type: text/html\r\n\r\n", PAGE),
     ("skip", 0, "record at offset 0: no HTTP status line ('')", True)),
    (raw_record(b"WARC-Type: conversion\r\n", b"Words.\n", version=b"WARC/2.0"),
     ("skip", 0, "record at offset 0: broken WARC header", True)),
    # the first Content-Length counts; a digit that is no decimal one is no length to warcio (an empty block)
    (raw_record(b"WARC-Type: conversion\r\nContent-Length: \xc2\xb2\r\n", b"Words.\n"),
     ("skip", 0, "record at offset 0: its Content-Length (\u00b2) does not end where the record does", True)),
], ids=["folded", "LF-only", "Latin-1", "name blanks", "blank line", "no status", "WARC version", "superscript"])
def test_header_fields_are_read_as_warcio_reads_them(tmp_path, data, expected):
    path = tmp_path / "crawl.warc"
    path.write_bytes(data)
    assert read(path) == [expected]


@pytest.mark.parametrize("fields, uri", [
    (b"WARC-Target-URI: <https://a/b c>\r\n", "https://a/b%20c"),  # wget's brackets, and a space
    # repeated: warcio mends the last field, and the first is the one read
    (b"WARC-Target-URI: <https://a/1>\r\nWARC-Target-URI: <https://a/2>\r\n", "<https://a/1>"),
])
def test_a_target_uri_is_mended_as_warcio_mends_it(tmp_path, fields, uri):
    path = tmp_path / "crawl.warc"
    path.write_bytes(raw_record(b"WARC-Type: conversion\r\n" + fields, b"Words.\n"))
    (record,) = warc_records(str(path), "crawl.warc", LIMIT)
    assert record.record["uri"] == uri


@pytest.mark.parametrize("whole_gzip", [False, True], ids=["uncompressed", "one gzip stream"])
def test_headers_that_a_buffer_boundary_cuts_are_read_whole(tmp_path, whole_gzip):
    """The file (or its gunzipped stream) is read 64 KB at a time: a record's WARC headers, then another's
    HTTP headers, are made to straddle the first two boundaries."""
    plain, path = tmp_path / "crawl.warc", tmp_path / "crawl.warc.gz"
    bodies = [b"<p>" + b"x" * 60_000, b"<p>" + b"y" * 60_000, PAGE]
    for i, cut in enumerate([100, 500]):  # how far before the boundary the next record starts
        offsets = write(plain, [response(f"https://a/{n}", body) for n, body in enumerate(bodies)], gz=False)
        bodies[i] += b"z" * ((i + 1) * _CHUNK - cut - offsets[i + 1])
    offsets = write(plain, [response(f"https://a/{n}", body) for n, body in enumerate(bodies)], gz=False)
    assert [offsets[1] - _CHUNK, offsets[2] - 2 * _CHUNK] == [-100, -500]
    expected = [("doc", offset, "html", body, "utf-8") for offset, body in zip(offsets, bodies)]
    if whole_gzip:
        path.write_bytes(gzip.compress(plain.read_bytes()))
        expected = [("doc", 0, *item[2:]) for item in expected]
    assert read(path if whole_gzip else plain) == expected


LINES = st.lists(st.text(alphabet="Ab:- \t\r\x0b\x1cé\x85", max_size=10), min_size=1, max_size=6)


@settings(max_examples=400, deadline=None)
@given(lines=LINES, ends=st.lists(st.sampled_from(["\r\n", "\n"]), min_size=6, max_size=6))
def test_a_header_block_read_in_one_pass_has_the_fields_warcio_reads(lines, ends):
    """Wherever the one-pass reading answers (else warcio reads the block), it is warcio's reading: same
    status line, same first field of each name, same repeated names, and the block ends where warcio stops."""
    text = lines[0] + "".join(end + line for end, line in zip(ends, lines[1:]))
    data = text.encode() + b"\r\n\r\n"
    assume(data.find(b"\r\n\r\n") == len(data) - 4)
    parsed = _parse(text)
    if parsed is None:
        return
    stream = io.BytesIO(data)
    head = StatusAndHeadersParser([], verify=False).parse(stream)
    assert stream.tell() == len(data)
    fields, names = {}, [name.lower() for name, _ in head.headers]
    for name, value in head.headers:
        fields.setdefault(name.lower(), value)
    protocol, statusline, parsed_fields, repeated = parsed
    assert (protocol, statusline, parsed_fields) == (head.protocol, head.statusline, fields)
    assert set(repeated) == {name for name in names if names.count(name) > 1}


def test_a_crawlers_header_block_is_read_in_one_pass():
    text = "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://a/x\r\nContent-Length: 5"
    assert _parse(text) == ("WARC/1.0", "", {"warc-type": "response", "warc-target-uri": "https://a/x",
                                             "content-length": "5"}, ())
