"""JSON Lines and CSV exports: one document per line or row, its text in one field (``--field text=body``),
optionally with fields naming it (``id``, ``url``) and saying its kind (``kind``: html, markdown or text;
without it the kind is sniffed from the text). Headless CMSs, scrapers and data warehouses export this way.

Both readers stream with a cap on what one line (JSON Lines) or one row (CSV) may hold, so a runaway row
never sits whole in memory: :func:`row_cap` allows the text at ``max_file_size`` plus room for escaping
and the other fields. A row over the cap is skipped unread; the rare cost is a row whose text is within
``max_file_size`` but whose other fields or escaping (JSON's ``\\u00XX`` for control characters) take more
than that room: it is skipped as too long, with its line, rather than scanned."""

from __future__ import annotations

import csv
import gzip
import json
import re
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from rightscheck.inputs.base import DOCUMENT_KINDS, Record, Skipped, sniff_kind

_NAMES = ("text", "id", "url", "kind")
# What a kind field may say, as written by CMSs (a MIME type, a short name), and the document kind it means.
_KINDS = {**{kind: kind for kind in DOCUMENT_KINDS}, "md": "markdown", "txt": "text",
          "text/html": "html", "text/markdown": "markdown", "text/plain": "text"}
_MISSING = object()
_CUT = object()  # a CSV row the read-ahead buffer holds only part of
_CHUNK = 1 << 16
_READ = 1 << 20  # CSV read-ahead, from which whole rows are taken
# A quote in a quoted CSV field. re's sub() undoes HTML's many faster than bytes.replace(), but holds a piece
# per quote until it joins them: fields longer than _SUB_MAX take replace().
_DOUBLED = re.compile(b'""')
_SUB_MAX = 1 << 18
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Fields:
    """Which field of a row holds each part of a document. JSON Lines paths may be dotted to reach into
    nested objects (``content.body``); CSV names are header names as written."""

    text: str = "text"
    id: str | None = None
    url: str | None = None
    kind: str | None = None  # a field holding html, markdown or text (or md, txt, a text/* MIME type)


def parse_fields(specs: Iterable[str]) -> Fields:
    """Fields from ``--field`` specs such as ``text=body``, ``id=slug``, ``url=link`` (a later spec for the
    same name wins). ValueError with a one-line message for a spec that is not NAME=FIELD or names no
    field of :class:`Fields`."""
    chosen: dict[str, str] = {}
    for spec in specs:
        name, equals, path = (part.strip() for part in spec.partition("="))
        if not equals or not name or not path:
            raise ValueError(f"--field {spec!r}: expected NAME=FIELD, e.g. text=body")
        if name not in _NAMES:
            raise ValueError(f"--field {spec!r}: unknown name {name!r} (use {', '.join(_NAMES)})")
        chosen[name] = path
    return Fields(**chosen)


def row_cap(limit: int) -> int:
    """Bytes one line or row may take: three times ``limit`` (JSON's ``\\uXXXX`` escapes triple the size of
    non-Latin text; CSV doubles quotes) and 1 MiB for the other fields."""
    return 3 * limit + (1 << 20)


def jsonl_records(fs_path: str, shown: str, fields: Fields, limit: int) -> Iterator[Record | Skipped]:
    """Each line of the JSON Lines file at ``fs_path`` (gzipped if its name ends ``.gz``) that is an object
    with a string text field, as a Record; other lines as Skipped with their line number, blank lines
    ignored. A line longer than :func:`row_cap` is read past in chunks, never held whole."""
    cap = row_cap(limit)
    with (gzip.open if fs_path.lower().endswith(".gz") else open)(fs_path, "rb") as stream:
        number = 0
        while True:
            try:
                raw = stream.readline(cap + 1)
                too_long = len(raw) > cap
                if too_long:
                    _read_past_line(stream, raw)
            except (OSError, EOFError, zlib.error) as exc:  # a read error, a broken or truncated gzip stream
                yield Skipped(shown, f"read error after line {number} ({exc}): rest not read",
                              record={"container": shown, "line": number + 1})
                return
            if not raw:
                return
            number += 1
            where = f"line {number}"
            location = {"container": shown, "line": number}
            if too_long:
                yield Skipped(shown, f"{where}: longer than {cap} bytes, not read (max_file_size {limit} bytes, "
                              "with room for escaping and other fields)", record=location)
                continue
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except json.JSONDecodeError as exc:
                problem = f"{exc.msg.removesuffix(' at')} at column {exc.colno}"
                yield Skipped(shown, f"{where}: invalid JSON ({problem})", record=location)
                continue
            except UnicodeDecodeError:
                yield Skipped(shown, f"{where}: not UTF-8", record=location)
                continue
            except ValueError as exc:  # a number too long to convert
                yield Skipped(shown, f"{where}: invalid JSON ({exc})", record=location)
                continue
            except RecursionError:
                yield Skipped(shown, f"{where}: JSON nested too deeply", record=location)
                continue
            if not isinstance(row, dict):
                yield Skipped(shown, f"{where}: {_describe(row)}, not a JSON object", record=location)
                continue
            yield _document(lambda path: _lookup(row, path), fields, shown, where, location, limit)


def csv_records(fs_path: str, shown: str, fields: Fields, limit: int) -> Iterator[Record | Skipped]:
    """Each row after the header of the CSV file at ``fs_path`` (tab-separated when it ends ``.tsv``;
    UTF-8 with or without a BOM; quoted fields may span lines) as a Record, its line the one it starts
    on; rows that cannot be read as Skipped with that line, and reading goes on with the next row. A file
    without the text column is one Skipped naming the columns it has.

    A row longer than :func:`row_cap`, malformed quoting or bytes that are not UTF-8 skip the row: the
    rest of it is read past in chunks, counting quotes to find where it ends. The rare cost: a skipped row
    that also holds a stray quote inside an unquoted field (which CSV readers take as text) looks like it
    opens a quoted field, and the skip runs on to the next line that pairs it; the reason gives the lines.

    Rows in plain quoting are split without the ``csv`` module (see :meth:`_Lines.plain_row`), the rest
    go through it line by line. The ``csv`` module's field size limit is process-wide; it is raised to the
    cap (never lowered), since no row reaches the module longer than that."""
    cap = row_cap(limit)
    if csv.field_size_limit() < cap:
        csv.field_size_limit(cap)
    delimiter = "\t" if fs_path.lower().endswith(".tsv") else ","
    with open(fs_path, "rb") as stream:
        lines = _Lines(stream, cap, delimiter)
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        header: dict[str, int] | None = None
        text_column = None  # once the header is read, the text's column (kept as bytes) if no other field reads it
        resync = False
        while True:
            problem = None
            try:
                if resync:  # the rest of a row the csv module gave up on
                    lines.read_past_row(ended=True)
                    resync = False
                lines.new_row()
                row = lines.plain_row(text_column)
                if row is None:
                    row = next(reader)
            except StopIteration:
                return
            except _BadRow as exc:
                problem = str(exc)
            except csv.Error as exc:  # malformed quoting, or the file ends inside a quoted field
                problem, resync = f"{exc} (CSV quoting)", True
            except OSError as exc:
                yield Skipped(shown, f"read error after line {lines.number} ({exc.strerror or exc}): rest not read",
                              record={"container": shown, "line": lines.number + 1})
                return
            where = f"row at line {lines.start}"
            location = {"container": shown, "line": lines.start}
            if problem and header is None:
                yield Skipped(shown, f"header {where}: {problem}: file not read", record=location)
                return
            if problem:
                yield Skipped(shown, f"{where}: {problem}", record=location)
            elif not row:
                continue  # a blank line
            elif header is None:
                header = {}
                for index, name in enumerate(row):
                    header.setdefault(name.strip(), index)  # a repeated column: the first one counts
                if fields.text not in header:
                    yield Skipped(shown, f"no '{fields.text}' column (columns: {', '.join(header)})", record=location)
                    return
                if fields.text not in (fields.id, fields.url, fields.kind):
                    text_column = header[fields.text]
            else:
                yield _document(lambda name: _cell(row, header, name), fields, shown, where, location, limit)


def _document(get: Callable[[str], Any], fields: Fields, shown: str, where: str, location: dict,
              limit: int) -> Record | Skipped:
    """A row as a Record, or why it is not one. ``get`` gives a field's value, or _MISSING."""
    for name in ("id", "url"):
        path = getattr(fields, name)
        value = _MISSING if path is None else get(path)
        if value is not _MISSING and value is not None and value != "":
            location[name] = value
    text = get(fields.text)
    if text is _MISSING:
        return Skipped(shown, f"{where}: no '{fields.text}' field", record=location)
    if isinstance(text, str):
        data = text.encode("utf-8", "replace")  # a lone surrogate (JSON "\ud800", half an emoji) becomes "?"
    elif isinstance(text, bytes):  # a CSV cell as read, known to be UTF-8: not decoded only to be encoded
        data = text
    else:
        return Skipped(shown, f"{where}: '{fields.text}' is {_describe(text)}, not a string", record=location)
    if len(data) > limit:
        return Skipped(shown, f"{where}: larger than max_file_size ({len(data)} > {limit} bytes)", record=location)
    if not data.strip():
        return Skipped(shown, f"{where}: '{fields.text}' is empty", problem=False, record=location)
    said = get(fields.kind) if fields.kind is not None else None
    if said is _MISSING or said is None or said == "":  # no kind given: the text's own first bytes say
        return Record(shown, sniff_kind(data), data, location)
    kind = _KINDS.get(said.strip().lower()) if isinstance(said, str) else None
    if kind is None:
        return Skipped(shown, f"{where}: '{fields.kind}' is {said!r}, not html, markdown or text", record=location)
    return Record(shown, kind, data, location)


def _lookup(row: dict, path: str) -> Any:
    """A JSON field by name, or by dotted path into nested objects when no field has the whole name."""
    if path in row:
        return row[path]
    value: Any = row
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return _MISSING
        value = value[key]
    return value


def _cell(row: list[str], header: dict[str, int], name: str) -> str | object:
    """A CSV cell by column name, or _MISSING for a column the file or this (short) row lacks."""
    index = header.get(name)
    return row[index] if index is not None and index < len(row) else _MISSING


def _describe(value: Any) -> str:
    """A JSON value's type, for reasons."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return {dict: "an object", list: "an array", str: "a string"}[type(value)]


def _read_past_line(stream: IO[bytes], raw: bytes) -> None:
    """Read to the end of a line whose start was ``raw``, a chunk at a time."""
    while raw and not raw.endswith(b"\n"):
        raw = stream.readline(_CHUNK)


class _BadRow(Exception):
    """A CSV row that cannot be read, raised through csv.reader after the line source has read past it."""


class _Lines:
    """A CSV file's lines, decoded, for csv.reader, which asks for one line at a time and hands back the
    row they make. Counts lines (for the line a row starts on), caps each row at ``cap`` bytes, and counts
    quotes: a row ends at a line end where its quotes pair up, which is how a bad row is read past.

    A Python call per line and the csv module's parsing are most of what reading costs, so each row is
    first tried whole by :meth:`plain_row`, from a read-ahead buffer that lines are also served from."""

    def __init__(self, stream: IO[bytes], cap: int, delimiter: str) -> None:
        self.stream = stream
        self.cap = cap
        self.number = 0  # lines read
        self.start = 1  # line the current row starts on
        self.size = 0  # bytes of the current row so far
        self.quoted = 0  # 1 while the current row's quotes do not pair up: inside a quoted field
        self.buffer = b""  # read ahead of the stream
        self.at = 0  # where the unread part of the buffer starts
        self.delimiter = delimiter.encode()
        separator = re.escape(self.delimiter)
        # A field in plain quoting (quoted all through with its quotes doubled, or without quotes) and the
        # delimiter or line end after it; the closing quote is optional so that a field cut off by the end
        # of the buffer still matches up to there. Possessive, or re would keep a backtracking point for
        # every doubled quote: hundreds of MB for a long field. Before Python 3.11 (no possessive
        # quantifiers) every row goes to csv.reader.
        self.field = re.compile(rb'("[^"]*+(?:""[^"]*+)*+"?|[^"\r\n' + separator + rb']*+)(' + separator +
                                rb'|\r?\n)?') if sys.version_info >= (3, 11) else None

    def new_row(self) -> None:
        """The reader is about to read a row."""
        self.start, self.size, self.quoted = self.number + 1, 0, 0

    def plain_row(self, raw_column: int | None) -> list[str | bytes] | None:
        """The next row's cells when it is in plain quoting: each field quoted all through (quotes doubled
        inside) or holding no quote, the row ending LF or CRLF, UTF-8 and within the cap; ``[]`` for a
        blank line. csv.reader (strict, default dialect) makes the same cells of such a row from the same
        lines. Cell ``raw_column`` stays bytes, to be scanned as it is. None for any other row (a stray
        quote, bad quoting, too long, the last line without an end): csv.reader then reads it line by line."""
        while self.field is not None:
            row = self._split(raw_column)
            if row is not _CUT:
                return row
            if not self._fill():
                break
        return None

    def _split(self, raw_column: int | None) -> list[str | bytes] | None | object:
        """:meth:`plain_row` on what the buffer holds: the row, None, or _CUT when the buffer ends within
        the row (or perhaps between its CR and LF) short of the cap."""
        buffer, at, field, delimiter = self.buffer, self.at, self.field.match, self.delimiter
        stop = min(len(buffer), at + self.cap)
        position = at + 3 if self.number == 0 and buffer.startswith(_BOM, at) else at
        if position > stop:  # a cap smaller than the BOM
            return None
        cells = []
        if buffer.startswith((b"\n", b"\r\n"), position, stop):  # a blank line: a row of no cells
            position = buffer.index(b"\n", position) + 1
        else:
            while True:
                match = field(buffer, position, stop)
                after = match[2]
                if after is None:
                    cut = stop == len(buffer) < at + self.cap and match.end() >= stop - 1
                    return _CUT if cut else None
                begin, end = match.span(1)
                if begin < end and buffer[begin] == 0x22:  # quoted: its doubled quotes undone
                    inner = buffer[begin + 1:end - 1]
                    cells.append(_DOUBLED.sub(b'"', inner) if end - begin <= _SUB_MAX else inner.replace(b'""', b'"'))
                else:
                    cells.append(buffer[begin:end])
                position = match.end()
                if after != delimiter:
                    break
        row: list[str | bytes] = []
        try:
            for index, cell in enumerate(cells):
                if index != raw_column:
                    row.append(cell.decode())
                else:
                    if not cell.isascii():
                        cell.decode()  # to know it is UTF-8
                    row.append(cell)
        except UnicodeDecodeError:
            return None
        self.number += buffer.count(b"\n", at, position)
        self.at = position
        return row

    def _fill(self) -> bool:
        """Read on into the buffer, keeping its unread part: _READ, or as much again as that part so that a
        long row is scanned a few times rather than once a chunk, never past the cap. False at the end."""
        unread = len(self.buffer) - self.at
        more = self.stream.read(min(max(_READ, unread), self.cap - unread))
        if not more:
            return False
        self.buffer, self.at = self.buffer[self.at:] + more, 0
        return True

    def _readline(self, limit: int) -> bytes:
        """What ``stream.readline(limit)`` would give, the buffer's unread part first."""
        buffer, at = self.buffer, self.at
        if at == len(buffer):
            return self.stream.readline(limit)
        end = buffer.find(b"\n", at, at + limit)
        stop = end + 1 if end >= 0 else min(len(buffer), at + limit)
        line = buffer[at:stop]
        if stop == len(buffer):
            self.buffer, self.at = b"", 0
            if end < 0 and len(line) < limit:  # the line goes on past the buffer
                line += self.stream.readline(limit - len(line))
        else:
            self.at = stop
        return line

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        raw = self._readline(self.cap - self.size + 1)
        if not raw:
            raise StopIteration
        self.number += 1
        self.size += len(raw)
        self.quoted ^= raw.count(b'"') & 1
        if self.size > self.cap:
            self.read_past_row(ended=raw.endswith(b"\n"))
            raise _BadRow(f"longer than {self.cap} bytes, not read (lines {self.start}-{self.number})")
        if self.number == 1:
            raw = raw.removeprefix(_BOM)
        try:
            return raw.decode()
        except UnicodeDecodeError as exc:
            line = self.number
            self.read_past_row(ended=raw.endswith(b"\n"))
            raise _BadRow(f"line {line} is not UTF-8 (byte {exc.start + 1})") from None

    def read_past_row(self, ended: bool) -> None:
        """Read past the rest of the current row: to the end of the line being read (unless ``ended``),
        then on while its quotes do not pair up."""
        while not ended or self.quoted:
            raw = self._readline(_CHUNK)
            if not raw:
                return
            if ended:
                self.number += 1
            self.quoted ^= raw.count(b'"') & 1
            ended = raw.endswith(b"\n")
