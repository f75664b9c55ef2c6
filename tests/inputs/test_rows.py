"""JSON Lines and CSV exports read row by row: each good row a Record with its line, each bad one a Skipped
with its line, and reading goes on after it; a runaway row is read past, never held."""

from __future__ import annotations

import gzip
import json
import tracemalloc

import pytest

from rightscheck.inputs import rows
from rightscheck.inputs.base import Record, Skipped, is_csv, is_jsonl
from rightscheck.inputs.rows import (
    Fields, csv_records, jsonl_records, parse_fields, row_cap,
)

HTML = "<p>Markets rallied on Friday, the agency said.</p>"


def at(name: str, line: int, **extra) -> dict:
    return {"container": name, "line": line, **extra}


def jsonl(tmp_path, lines: list[str | bytes], fields: Fields = Fields(), limit: int = 1 << 20,
          name: str = "export.jsonl") -> list[Record | Skipped]:
    path = tmp_path / name
    path.write_bytes(b"".join(line if isinstance(line, bytes) else line.encode() for line in lines))
    return list(jsonl_records(str(path), name, fields, limit))


def csv_file(tmp_path, text: str | bytes, fields: Fields = Fields(), limit: int = 1 << 20,
             name: str = "export.csv") -> list[Record | Skipped]:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return list(csv_records(str(path), name, fields, limit))


def test_field_specs_name_the_text_id_url_and_kind_fields():
    assert parse_fields([]) == Fields("text", None, None, None)
    assert parse_fields(["text=content.body", "id = slug", "url=link", "kind=format", "text=body"]) == \
        Fields(text="body", id="slug", url="link", kind="format")


@pytest.mark.parametrize("spec, message", [
    ("body", "--field 'body': expected NAME=FIELD, e.g. text=body"),
    ("text=", "--field 'text=': expected NAME=FIELD, e.g. text=body"),
    ("title=headline", "--field 'title=headline': unknown name 'title' (use text, id, url, kind)"),
])
def test_a_bad_field_spec_is_a_one_line_value_error(spec, message):
    with pytest.raises(ValueError) as error:
        parse_fields(["id=slug", spec])
    assert str(error.value) == message


def test_exports_are_recognised_by_their_names():
    assert [is_jsonl(name) for name in ("a.jsonl", "A.NDJSON", "a.jsonl.gz", "a.json", "a.csv")] == \
        [True, True, True, False, False]
    assert [is_csv(name) for name in ("a.csv", "A.TSV", "a.csv.gz", "a.jsonl")] == [True, True, False, False]


# JSON Lines

def test_json_lines_rows_become_records_with_their_line_id_url_and_kind(tmp_path):
    fields = parse_fields(["text=content.body", "id=id", "url=meta.url", "kind=format"])
    rows = [
        {"id": 101, "meta": {"url": "https://news.example.org/a"}, "content": {"body": HTML}},
        {"id": "b-2", "content": {"body": "# Heading\n\nBody"}, "format": "md"},
        {"content": {"body": "Plain words."}, "format": "text/plain", "meta": {"url": None}},
        {"id": 104, "content.body": "A field whose name has a dot.", "format": "TXT"},
    ]
    lines = [json.dumps(rows[0]) + "\n", "\n", json.dumps(rows[1]) + "\r\n", "   \n",
             json.dumps(rows[2], ensure_ascii=False) + "\n", json.dumps(rows[3])]
    name = "export.jsonl"
    assert jsonl(tmp_path, lines, fields) == [
        Record(name, "html", HTML.encode(), at(name, 1, id=101, url="https://news.example.org/a")),
        Record(name, "markdown", b"# Heading\n\nBody", at(name, 3, id="b-2")),
        Record(name, "text", b"Plain words.", at(name, 5)),
        Record(name, "text", b"A field whose name has a dot.", at(name, 6, id=104)),
    ]


def test_bad_json_lines_are_skipped_with_their_line_and_the_rest_read(tmp_path):
    name = "export.jsonl"
    lines = [
        '{"text": "<p>first</p>"}\n',
        '{"text": "unterminated\n',
        '["text", "an array"]\n',
        '"just a string"\n',
        '{"body": "no text field"}\n',
        '{"text": 42}\n',
        '{"text": null}\n',
        '{"text": ["para 1", "para 2"]}\n',
        '{"text": "", "id": 9}\n',
        b'{"text": "caf\xe9"}\n',
        "[" * 100_000 + "\n",
        '{"text": "x", "n": ' + "9" * 5000 + "}\n",
        '{"text": "<p>last</p>"}\n',
    ]
    assert jsonl(tmp_path, lines, parse_fields(["id=id"])) == [
        Record(name, "html", b"<p>first</p>", at(name, 1)),
        Skipped(name, "line 2: invalid JSON (Invalid control character at column 23)", record=at(name, 2)),
        Skipped(name, "line 3: an array, not a JSON object", record=at(name, 3)),
        Skipped(name, "line 4: a string, not a JSON object", record=at(name, 4)),
        Skipped(name, "line 5: no 'text' field", record=at(name, 5)),
        Skipped(name, "line 6: 'text' is a number, not a string", record=at(name, 6)),
        Skipped(name, "line 7: 'text' is null, not a string", record=at(name, 7)),
        Skipped(name, "line 8: 'text' is an array, not a string", record=at(name, 8)),
        Skipped(name, "line 9: 'text' is empty", problem=False, record=at(name, 9, id=9)),
        Skipped(name, "line 10: not UTF-8", record=at(name, 10)),
        Skipped(name, "line 11: JSON nested too deeply", record=at(name, 11)),
        Skipped(name, "line 12: invalid JSON (Exceeds the limit (4300 digits) for integer string conversion: "
                "value has 5000 digits; use sys.set_int_max_str_digits() to increase the limit)",
                record=at(name, 12)),
        Record(name, "html", b"<p>last</p>", at(name, 13)),
    ]


def test_an_unknown_kind_is_skipped_and_a_missing_one_sniffed(tmp_path):
    name = "export.jsonl"
    lines = ['{"text": "<p>a</p>", "type": "pdf"}\n', '{"text": "<p>b</p>", "type": 3}\n',
             '{"text": "<p>c</p>"}\n', '{"text": "<p>d</p>", "type": ""}\n']
    assert jsonl(tmp_path, lines, parse_fields(["kind=type"])) == [
        Skipped(name, "line 1: 'type' is 'pdf', not html, markdown or text", record=at(name, 1)),
        Skipped(name, "line 2: 'type' is 3, not html, markdown or text", record=at(name, 2)),
        Record(name, "html", b"<p>c</p>", at(name, 3)),
        Record(name, "html", b"<p>d</p>", at(name, 4)),
    ]


def test_a_bom_and_a_lone_surrogate_do_not_stop_a_row(tmp_path):
    name = "export.jsonl"
    lines = [b'\xef\xbb\xbf{"text": "caf\\u00e9"}\n', b'{"text": "half an emoji \\ud83d here"}\n']
    assert jsonl(tmp_path, lines) == [Record(name, "text", "café".encode(), at(name, 1)),
                                      Record(name, "text", b"half an emoji ? here", at(name, 2))]


def test_text_larger_than_the_limit_is_skipped_with_its_size_in_bytes(tmp_path):
    name = "export.jsonl"
    lines = [json.dumps({"text": "é" * 600}) + "\n", '{"text": "small"}\n']
    assert jsonl(tmp_path, lines, limit=1000) == [
        Skipped(name, "line 1: larger than max_file_size (1200 > 1000 bytes)", record=at(name, 1)),
        Record(name, "text", b"small", at(name, 2)),
    ]


def test_a_line_longer_than_the_cap_is_read_past_and_the_next_line_read(tmp_path):
    name = "export.jsonl"
    cap = row_cap(1000)
    lines = ['{"text": "one"}\n', '{"text": "' + "x" * (3 * cap) + '"}\n', '{"text": "three"}\n']
    assert jsonl(tmp_path, lines, limit=1000) == [
        Record(name, "text", b"one", at(name, 1)),
        Skipped(name, f"line 2: longer than {cap} bytes, not read (max_file_size 1000 bytes, with room for "
                "escaping and other fields)", record=at(name, 2)),
        Record(name, "text", b"three", at(name, 3)),
    ]


def test_a_huge_line_is_never_held_whole(tmp_path):
    path = tmp_path / "export.jsonl"
    with open(path, "w") as out:
        out.write('{"text": "' + "x" * (40 << 20) + '"}\n{"text": "after"}\n')
    tracemalloc.start()
    try:
        results = list(jsonl_records(str(path), "export.jsonl", Fields(), 1000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [type(result) for result in results] == [Skipped, Record]
    assert peak < 3 * row_cap(1000)


def test_a_gzipped_export_is_read_and_a_truncated_one_read_up_to_the_cut(tmp_path):
    name = "export.jsonl.gz"
    body = "".join(json.dumps({"text": f"<p>Story {number}</p>", "id": number}) + "\n" for number in range(1, 2001))
    packed = gzip.compress(body.encode())
    (tmp_path / name).write_bytes(packed)
    fields = parse_fields(["id=id"])
    whole = list(jsonl_records(str(tmp_path / name), name, fields, 1000))
    assert whole[0] == Record(name, "html", b"<p>Story 1</p>", at(name, 1, id=1))
    assert [result.record["id"] for result in whole] == list(range(1, 2001))
    (tmp_path / name).write_bytes(packed[:len(packed) // 2])
    cut = list(jsonl_records(str(tmp_path / name), name, fields, 1000))
    assert all(isinstance(result, Record) for result in cut[:-1]) and len(cut) > 10
    read = len(cut) - 1
    assert cut[-1] == Skipped(name, f"read error after line {read} (Compressed file ended before the end-of-stream "
                              "marker was reached): rest not read", record=at(name, read + 1))


def test_a_file_that_is_not_gzip_behind_a_gz_name_is_one_skip(tmp_path):
    name = "export.jsonl.gz"
    assert jsonl(tmp_path, ['{"text": "plain"}\n'], name=name) == [
        Skipped(name, "read error after line 0 (Not a gzipped file (b'{\"')): rest not read", record=at(name, 1))]


def test_an_export_that_cannot_be_opened_raises_oserror(tmp_path):
    with pytest.raises(OSError):
        list(jsonl_records(str(tmp_path / "missing.jsonl"), "missing.jsonl", Fields(), 100))
    with pytest.raises(OSError):
        list(csv_records(str(tmp_path / "missing.csv"), "missing.csv", Fields(), 100))


# CSV

def test_csv_rows_become_records_with_the_line_they_start_on(tmp_path):
    name = "export.csv"
    text = ("\ufeffid,title,body,link,format\r\n"
            f'1,First,"{HTML.replace(",", ",")}",https://news.example.org/1,\r\n'
            '2,Second,"Line one,\r\nline ""two"",\r\n\r\nline four",,txt\r\n'
            "\r\n"
            "3,Third,# Notes,https://news.example.org/3,markdown\r\n"
            "4,Fourth,\r\n"
            "5\r\n"
            "6,Sixth,Words only\r\n")
    fields = parse_fields(["text=body", "id=id", "url=link", "kind=format"])
    assert csv_file(tmp_path, text, fields) == [
        Record(name, "html", HTML.encode(), at(name, 2, id="1", url="https://news.example.org/1")),
        Record(name, "text", b'Line one,\r\nline "two",\r\n\r\nline four', at(name, 3, id="2")),
        Record(name, "markdown", b"# Notes", at(name, 8, id="3", url="https://news.example.org/3")),
        Skipped(name, "row at line 9: 'body' is empty", problem=False, record=at(name, 9, id="4")),
        Skipped(name, "row at line 10: no 'body' field", record=at(name, 10, id="5")),
        Record(name, "text", b"Words only", at(name, 11, id="6")),
    ]


def test_a_tsv_file_is_split_on_tabs(tmp_path):
    name = "export.tsv"
    text = "slug\ttext\nhello\t<p>Hello, world</p>\nquoted\t\"two\tcells? no, one\"\n"
    assert csv_file(tmp_path, text, parse_fields(["id=slug"]), name=name) == [
        Record(name, "html", b"<p>Hello, world</p>", at(name, 2, id="hello")),
        Record(name, "text", b"two\tcells? no, one", at(name, 3, id="quoted")),
    ]


def test_a_csv_without_the_text_column_is_one_skip_naming_the_columns_it_has(tmp_path):
    text = "id,headline,content\n1,A,<p>a</p>\n2,B,<p>b</p>\n"
    assert csv_file(tmp_path, text) == [
        Skipped("export.csv", "no 'text' column (columns: id, headline, content)", record=at("export.csv", 1))]


def test_malformed_quoting_skips_the_row_and_the_next_row_is_read(tmp_path):
    name = "export.csv"
    text = ('id,text\n'
            '1,"closed"then more,"and an open\n'
            'quote closing here"\n'
            '2,after\n'
            '3,"never closed\n'
            '4,swallowed by the open quote\n')
    assert csv_file(tmp_path, text, parse_fields(["id=id"])) == [
        Skipped(name, "row at line 2: ',' expected after '\"' (CSV quoting)", record=at(name, 2)),
        Record(name, "text", b"after", at(name, 4, id="2")),
        Skipped(name, "row at line 5: unexpected end of data (CSV quoting)", record=at(name, 5)),
    ]


def test_a_stray_quote_in_an_unquoted_field_is_text_and_its_row_ends_with_the_line(tmp_path):
    # Counted, the quotes of lines 2 to 4 pair up only at the end of line 4: rows are not where quotes pair.
    name = "export.csv"
    text = 'id,text\n1,a 5" screen\n2,"quoted, ""fine"""\n3,x"y\r\n4,"two\nlines"\n'
    assert csv_file(tmp_path, text, parse_fields(["id=id"])) == [
        Record(name, "text", b'a 5" screen', at(name, 2, id="1")),
        Record(name, "text", b'quoted, "fine"', at(name, 3, id="2")),
        Record(name, "text", b'x"y', at(name, 4, id="3")),
        Record(name, "text", b"two\nlines", at(name, 5, id="4")),
    ]


@pytest.mark.parametrize("read_ahead", [1, 2, 3, 7, 64, 1 << 20])
def test_rows_are_the_same_wherever_the_read_ahead_cuts_them(tmp_path, monkeypatch, read_ahead):
    monkeypatch.setattr(rows, "_READ", read_ahead)
    name = "export.csv"
    text = (b'\xef\xbb\xbfid,text\r\n1,"<p>one,\r\n""two""</p>"\r\n\r\n2,plain\n3,x"y\n4,"bad"quote\n'
            b'5,"caf\xe9"\n6,"caf\xc3\xa9"\n7,"no end"')
    assert csv_file(tmp_path, text, parse_fields(["id=id"])) == [
        Record(name, "html", b'<p>one,\r\n"two"</p>', at(name, 2, id="1")),
        Record(name, "text", b"plain", at(name, 5, id="2")),
        Record(name, "text", b'x"y', at(name, 6, id="3")),
        Skipped(name, "row at line 7: ',' expected after '\"' (CSV quoting)", record=at(name, 7)),
        Skipped(name, "row at line 8: line 8 is not UTF-8 (byte 7)", record=at(name, 8)),
        Record(name, "text", "café".encode(), at(name, 9, id="6")),
        Record(name, "text", b"no end", at(name, 10, id="7")),
    ]


def test_the_text_column_may_also_be_the_id(tmp_path):
    name = "export.csv"
    text = 'text,url\n"<p>a</p>",https://news.example.org/a\nplain,\n'
    assert csv_file(tmp_path, text, parse_fields(["id=text", "url=url"])) == [
        Record(name, "html", b"<p>a</p>", at(name, 2, id="<p>a</p>", url="https://news.example.org/a")),
        Record(name, "text", b"plain", at(name, 3, id="plain")),
    ]


def test_a_row_that_is_not_utf8_is_skipped_with_the_bad_line(tmp_path):
    name = "export.csv"
    text = b'id,text\n1,"caf\xc3\xa9"\n2,"first line\ncaf\xe9"\n3,next\n'
    assert csv_file(tmp_path, text) == [
        Record(name, "text", "café".encode(), at(name, 2)),
        Skipped(name, "row at line 3: line 4 is not UTF-8 (byte 4)", record=at(name, 3)),
        Record(name, "text", b"next", at(name, 5)),
    ]


def test_a_header_that_cannot_be_read_stops_the_file(tmp_path):
    assert csv_file(tmp_path, b'id,t\xffext\n1,a\n') == [
        Skipped("export.csv", "header row at line 1: line 1 is not UTF-8 (byte 5): file not read",
                record=at("export.csv", 1))]


def test_rows_longer_than_the_cap_are_read_past_by_their_quotes_and_the_next_rows_read(tmp_path):
    name = "export.csv"
    cap = row_cap(1000)
    one_line = "x" * (2 * cap)
    many_lines = ('para with a ""quote"", ' * 20 + "\n") * (cap // 400)  # under the cap per line, over it in all
    text = f'id,text\n1,"{one_line}"\n2,small\n3,"{many_lines}end"\n4,"last, ""quoted"""\n'
    last_of_3 = 4 + many_lines.count("\n")
    assert csv_file(tmp_path, text, parse_fields(["id=id"]), limit=1000) == [
        Skipped(name, f"row at line 2: longer than {cap} bytes, not read (lines 2-2)", record=at(name, 2)),
        Record(name, "text", b"small", at(name, 3, id="2")),
        Skipped(name, f"row at line 4: longer than {cap} bytes, not read (lines 4-{last_of_3})", record=at(name, 4)),
        Record(name, "text", b'last, "quoted"', at(name, last_of_3 + 1, id="4")),
    ]


def test_text_larger_than_the_limit_within_the_cap_is_skipped_with_its_size(tmp_path):
    name = "export.csv"
    assert csv_file(tmp_path, "text\n" + "y" * 1001 + "\nz\n", limit=1000) == [
        Skipped(name, "row at line 2: larger than max_file_size (1001 > 1000 bytes)", record=at(name, 2)),
        Record(name, "text", b"z", at(name, 3)),
    ]


def test_a_huge_csv_field_is_never_held_whole(tmp_path):
    path = tmp_path / "export.csv"
    with open(path, "w") as out:
        out.write('text\n"' + ("word " * 99 + "\n") * 80_000 + '"\nafter\n')
    tracemalloc.start()
    try:
        results = list(csv_records(str(path), "export.csv", Fields(), 1000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert path.stat().st_size > 35 << 20
    assert [type(result) for result in results] == [Skipped, Record]
    assert results[1].record == at("export.csv", 80_003)
    assert peak < 12 * row_cap(1000)  # the csv module's field buffer takes 4 bytes a character, and doubles
