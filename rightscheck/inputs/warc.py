"""Web archives (ISO 28500 WARC, and WET, the extracted-text form) as documents: each HTTP 200 ``response``
with an HTML or text payload, each WET ``conversion`` record and each text ``resource`` record is one
Record, in file order; every other record is a Skipped that says what it is and where.

warcio's StatusAndHeadersParser reads the WARC and HTTP headers, with one shortcut: a header block that
lies whole in the buffer at hand, ends at its first CRLF CRLF, is UTF-8 and has no folded or blank-looking
line (a crawler's block) is read in one pass by :func:`_parse` to the fields warcio's parser gives it (a
test holds the two together): called a line at a time through this module's readline, warcio's parser
was most of what reading a gzipped crawl cost beyond gunzipping it. Every other block (cut by a buffer's
end, Latin-1, folded, LF-only, past the size limit) is read by warcio as before, and warcio's LimitReader
bounds each record's block.

The framing around the headers is done here because a scan has to get
through damage that warcio's ArchiveIterator stops at (it raises on a corrupt gzip member or stray bytes
between records) or passes over without a word (a truncated last record is dropped; a Content-Length past
the end of a plain file swallows every record after it). Here a record counts only when its block ends
where its Content-Length says (followed by the blank lines that close a record, or the end of its gzip
member); anything else is a Skipped with the record's offset, and reading resumes at the next gzip member
that opens a WARC record, or in an uncompressed file at the next ``WARC/1.`` line. HTTP bodies are
unchunked and gunzipped here too: warcio's readers hold a whole chunk in memory, write a gzip error halfway
through a body to stderr and return the body cut short, and raise on ``br`` with Google's brotli package
(warcio expects brotlipy); ``br`` is not decoded, so such a body is a skip.

Memory is flat in the archive's size: the file is read and gunzipped 64 KB at a time, a payload is kept
only up to ``limit`` bytes (decoded), and whatever is past that is read through without being kept."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from warcio.limitreader import LimitReader
from warcio.recordloader import ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeadersParser, StatusAndHeadersParserException

from rightscheck.inputs.base import MEDIA_KINDS, Record, Skipped, WARC_NAMES, media_type

_CHUNK = 1 << 16
_SCAN = 1 << 20  # bytes searched at a time for the next record after damage
_HEADERS_MAX = 1 << 18  # a record's WARC and HTTP headers together; real ones are a few KB
_LINE_MAX = 1024  # a chunk-size line of a chunked HTTP body
_GZIP = b"\x1f\x8b\x08"  # a gzip member's magic and its one compression method, deflate
_FOLDED = re.compile(r"\n[ \t]")  # a header line continuing the one before (obsolete line folding)
_CHUNK_SIZE = re.compile(rb"[ \t]*([0-9A-Fa-f]{1,15})[ \t]*(?:;[^\r\n]*)?\r?\n")


def is_warc(name: str, head: bytes) -> bool:
    """Whether a file is a web archive: by its name, or by its first bytes (gunzipped when they are a gzip
    member) opening a WARC record, so a crawl saved under another name is still read as one."""
    if name.lower().endswith(WARC_NAMES):
        return True
    if head.startswith(b"\x1f\x8b"):
        try:
            head = zlib.decompressobj(31).decompress(head, 16)
        except zlib.error:
            return False
    return head.startswith((b"WARC/1.0", b"WARC/1.1"))


def warc_records(fs_path: str, shown: str, limit: int) -> Iterator[Record | Skipped]:
    """The documents of the archive at ``fs_path`` (gzipped per record, as one gzip stream, or not at all),
    in file order; every record that is not one is a Skipped, a damaged one with ``problem`` set. Each
    location is ``{"container": shown, "offset", "uri", "date", "id"}``, ``offset`` being where the record
    starts in the file as stored: for a gzipped archive, the start of the gzip member it begins in. Only
    opening the file raises (OSError); anything wrong after that is a Skipped."""
    with open(fs_path, "rb") as file:
        yield from _records(_Stream(file), shown, limit)


class _Damage(Exception):
    """The archive cannot be read as WARC here; ``at`` is the file offset where that was found."""

    def __init__(self, message: str, at: int) -> None:
        super().__init__(message)
        self.at = at


class _Unreadable(Exception):
    """A record whose framing is sound but whose payload cannot be had (a broken or unsupported HTTP
    encoding): it is skipped as a problem and the archive read on."""


class _Stream:
    """The archive's bytes, gunzipped member after member when it is gzipped, read as lines and blocks.

    Each buffer of bytes comes from one gzip member, so :meth:`next_record` knows the member a record starts
    in; reads go on across members as gzip does. :meth:`resync` moves past damage to the next place a record
    can begin. ``budget``, while set, bounds the bytes :meth:`readline` gives out (a record's headers),
    so a header that never ends is damage, not a line held in memory."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.gz = file.read(2) == b"\x1f\x8b"
        file.seek(0)
        self.buf = b""
        self.pos = 0
        self.base = 0  # gzip: file offset of the member buf came from; plain: file offset of buf[0]
        self.raw = b""  # gzip: bytes read from the file and not yet gunzipped
        self.raw_at = 0  # file offset of raw[0] (plain: of the next byte to read)
        self.unzip = None  # the decompressor of the member being read; None between members
        self.budget: int | None = None

    def _fill(self) -> bool | None:
        """Replace the spent buffer with the next bytes: True when there are some, False at the end of a
        gzip member that gave none (the next call opens the next member), None at the end of the file."""
        if not self.gz:
            data = self.file.read(_CHUNK)
            self.base, self.raw_at = self.raw_at, self.raw_at + len(data)
            self.buf, self.pos = data, 0
            return True if data else None
        while True:
            if self.unzip is None and not self._open_member():
                return None
            ended = False
            if not self.raw:
                self.raw = self.file.read(_CHUNK)
                ended = not self.raw
            unzip = self.unzip
            try:
                out = unzip.decompress(self.raw, _CHUNK)
            except zlib.error as exc:
                raise _Damage(f"corrupt gzip data ({exc})", self.base) from None
            rest = unzip.unused_data if unzip.eof else unzip.unconsumed_tail
            self.raw_at += len(self.raw) - len(rest)
            self.raw = rest
            if unzip.eof:
                self.unzip = None
            if out:
                self.buf, self.pos = out, 0
                return True
            if unzip.eof:
                return False
            if ended:
                raise _Damage("the file ends inside a gzip member", self.base)

    def _open_member(self) -> bool:
        """Start the gzip member at the read position; False at the end of the file."""
        while len(self.raw) < len(_GZIP):
            more = self.file.read(_CHUNK)
            if not more:
                break
            self.raw += more
        if not self.raw:
            return False
        if not self.raw.startswith(_GZIP):
            raise _Damage("bytes that are not a gzip member", self.raw_at)
        self.unzip, self.base = zlib.decompressobj(31), self.raw_at
        return True

    def _more(self) -> bool:
        """Bytes at the current position, from the next member if this one is spent; False at the end."""
        while self.pos >= len(self.buf):
            if self._fill() is None:
                return False
        return True

    def peek(self, size: int) -> bytes:
        """Up to ``size`` bytes from the current position without consuming them, from this gzip member
        only (fewer when it ends first)."""
        while len(self.buf) - self.pos < size and (self.unzip is not None or not self.gz):
            rest, base = self.buf[self.pos:], self.base + self.pos
            if not self._fill():
                self.buf, self.pos = rest, 0
                if not self.gz:
                    self.base, self.raw_at = base, base + len(rest)
                break
            self.buf = rest + self.buf
            if not self.gz:
                self.base = base
        return self.buf[self.pos:self.pos + size]

    def at(self, prefix: bytes) -> bool:
        """Whether the bytes from the current position, in this gzip member, begin with ``prefix``."""
        if len(self.buf) - self.pos >= len(prefix):
            return self.buf.startswith(prefix, self.pos)
        return self.peek(len(prefix)) == prefix

    def read(self, size: int = -1) -> bytes:
        """At most ``size`` bytes (at most a buffer's worth); empty only at the end of the file."""
        if not self._more():
            return b""
        end = len(self.buf) if size is None or size < 0 else self.pos + size
        data = self.buf[self.pos:end]
        self.pos += len(data)
        return data

    def readline(self, size: int | None = None) -> bytes:
        """A line with its newline, or at most ``size`` bytes of it; raises _Damage past the budget."""
        cap = size if size is not None and size >= 0 else 1 << 62
        if self.budget is not None:
            cap = min(cap, self.budget + 1)
        parts, got = [], 0
        while got < cap and self._more():
            stop = min(len(self.buf), self.pos + cap - got)
            end = self.buf.find(b"\n", self.pos, stop)
            stop = end + 1 if end >= 0 else stop
            parts.append(self.buf[self.pos:stop])
            got += stop - self.pos
            self.pos = stop
            if end >= 0:
                break
        if self.budget is not None:
            self.budget -= got
            if self.budget < 0:
                raise _Damage(f"headers longer than {_HEADERS_MAX} bytes", self.base)
        return b"".join(parts)

    def next_record(self) -> int | None:
        """Pass the blank lines between records: the offset locating the record that starts there (for a
        gzipped archive, the start of the member it is in), None at the end of the file."""
        while self._more():
            buf, pos = self.buf, self.pos
            while pos < len(buf) and buf[pos] in b"\r\n":
                pos += 1
            self.pos = pos
            if pos < len(buf):
                return self.base if self.gz else self.base + pos
        return None

    def member_check(self) -> None:
        """When the bytes read so far end a gzip member, gunzip the rest of it, so that its checksum is
        verified (a corrupt member raises _Damage) before its record is handed on."""
        if self.gz and self.pos >= len(self.buf) and self.unzip is not None:
            self._fill()

    def resync(self, after: int) -> bool:
        """Go to the first place past file offset ``after`` where a record can start: a gzip member whose
        first bytes gunzip to ``WARC/``, or in a plain file a line opening with ``WARC/1.``. False when
        there is none."""
        if self.gz:
            found = self._search(after + 1, _GZIP, self._opens_record)
        else:
            found = self._search(after, b"\nWARC/1.", lambda at: True)
            found = None if found is None else found + 1
        if found is None:
            return False
        self.file.seek(found)
        self.buf, self.pos, self.raw, self.unzip = b"", 0, b"", None
        self.base = self.raw_at = found
        return True

    def _search(self, start: int, pattern: bytes, fits) -> int | None:
        """File offset of the first ``pattern`` at or after ``start`` that ``fits``; read a MB at a time."""
        carry, at = b"", start
        while True:
            self.file.seek(at)
            block = self.file.read(_SCAN)
            if not block:
                return None
            data, data_at = carry + block, at - len(carry)
            hit = data.find(pattern)
            while hit >= 0:
                if fits(data_at + hit):
                    return data_at + hit
                hit = data.find(pattern, hit + 1)
            carry, at = data[-(len(pattern) - 1):], at + len(block)

    def _opens_record(self, at: int) -> bool:
        """Whether a gzip member starting at ``at`` begins with a WARC record."""
        self.file.seek(at)
        try:
            return zlib.decompressobj(31).decompress(self.file.read(_CHUNK), 8).startswith(b"WARC/")
        except zlib.error:
            return False


_VERSIONS = tuple(ArcWarcRecordLoader.WARC_TYPES)  # the WARC versions warcio reads
_WARC = StatusAndHeadersParser(_VERSIONS)
_HTTP = StatusAndHeadersParser([], verify=False)


def _records(stream: _Stream, shown: str, limit: int) -> Iterator[Record | Skipped]:
    """Read records one after another; after damage, one Skipped and on from the next record."""
    resume = None  # the offset of the damage to read on from
    while True:
        start = None
        try:
            if resume is not None and not stream.resync(resume):
                return
            resume = None
            start = stream.next_record()
            if start is None:
                return
            result = _record(stream, start, shown, limit)
        except _Damage as damage:
            resume = damage.at if start is None else start
            yield Skipped(shown, f"record at offset {resume}: {damage}",
                          record={"container": shown, "offset": resume})
            continue
        except OSError as exc:
            at = start if start is not None else stream.raw_at
            yield Skipped(shown, f"read error after offset {at} ({exc.strerror or exc}): rest not read",
                          record={"container": shown, "offset": at})
            return
        if result is not None:
            yield result


def _record(stream: _Stream, start: int, shown: str, limit: int) -> Record | Skipped | None:
    """The record at the current position, read to its end: a Record, a Skipped, or None (warcinfo). It
    is handed on only once its block has ended where its Content-Length says, else it is damage."""
    if not stream.at(b"WARC/"):
        raise _Damage("no WARC record here (stray bytes or a damaged record)", start)
    try:
        protocol, _, headers, repeated = _head(stream, None, _WARC)
    except (StatusAndHeadersParserException, EOFError):
        raise _Damage("broken WARC header", start) from None
    if not protocol.upper().startswith(_VERSIONS):  # warcio's check, for a block read in one pass
        raise _Damage("broken WARC header", start)
    declared = (headers.get("content-length") or "").strip()
    if not declared.isdigit():
        raise _Damage(f"WARC header without a valid Content-Length ({declared[:40]!r})", start)
    block = LimitReader(stream, int(declared) if declared.isdecimal() else 0)  # warcio: no number, no block
    where = f"record at offset {start}"
    uri = headers.get("warc-target-uri")
    if uri and "warc-target-uri" not in repeated:  # warcio mends wget's <URI> and spaces in the last such field
        uri = (uri[1:-1] if uri[0] == "<" and uri[-1] == ">" else uri).replace(" ", "%20")
    location = {"container": shown, "offset": start, "uri": uri, "date": headers.get("warc-date"),
                "id": headers.get("warc-record-id")}
    rec_type = headers.get("warc-type")
    if rec_type == "warcinfo":
        result = None
    elif rec_type == "resource" and (uri or "").startswith("metadata:"):
        result = Skipped(shown, f"{where}: the crawler's own resource record ({uri[:80]})", problem=False,
                         record=location)
    elif rec_type in ("response", "resource", "conversion"):
        try:
            result = _document(stream, headers, block, where, location, limit)
        except _Unreadable as exc:
            result = Skipped(shown, f"{where}: {exc}", record=location)
    else:
        result = Skipped(shown, f"{where}: WARC {(rec_type or 'untyped')[:40]} record", problem=rec_type is None,
                         record=location)
    while block.limit and block.read(_CHUNK):
        pass
    if block.limit:
        raise _Damage(f"truncated: the file ends {block.limit} bytes short of its Content-Length ({declared})",
                      start)
    if stream.at(b"\r\n\r\n"):
        stream.pos += 4
    else:  # a lenient close: other newlines, then the end (of the file or member) or the next record
        after = stream.peek(9).lstrip(b"\r\n")
        if after and not after.startswith(b"WARC/"):
            raise _Damage(f"its Content-Length ({declared}) does not end where the record does", start)
    stream.member_check()
    return result


def _document(stream: _Stream, headers: dict, block: LimitReader, where: str, location: dict,
              limit: int) -> Record | Skipped:
    """A response, resource or conversion record's payload as a Record, or why it is not one. A response
    in HTTP is read for its status and headers; any other record's block is its payload."""
    shown = location["container"]
    content_type = headers.get("content-type")
    chunked, encoding = False, ""
    in_http = (content_type or "application/http").lower().startswith("application/http")
    if headers.get("warc-type") == "response" and in_http:
        try:
            protocol, statusline, http, _ = _head(stream, block, _HTTP)
        except EOFError:
            raise _Unreadable("no HTTP response in the record") from None
        if not protocol.upper().startswith("HTTP/"):
            raise _Unreadable(f"no HTTP status line ({protocol[:40]!r})")
        status = statusline.split(" ", 1)[0]
        if status != "200":
            return Skipped(shown, f"{where}: HTTP {status[:20] or 'status missing'}", problem=False,
                           record=location)
        content_type = http.get("content-type")
        chunked = "chunked" in (http.get("transfer-encoding") or "").lower()
        encoding = (http.get("content-encoding") or "").strip().lower()
    media, charset = media_type(content_type)
    kind = MEDIA_KINDS.get(media)
    if kind is None:
        return Skipped(shown, f"{where}: not HTML or text ({media[:80] or 'no Content-Type'})", problem=False,
                       record=location)
    cut = headers.get("warc-truncated")
    if cut:
        raise _Unreadable(f"payload cut short by the crawler (WARC-Truncated: {cut[:40]})")
    if headers.get("warc-segment-number"):
        raise _Unreadable("a segmented record (its continuation records are not joined)")
    if chunked or encoding not in ("", "identity"):
        parts, size = [], 0
        for piece in _decoded(_dechunked(block) if chunked else _pieces(block), encoding):
            size += len(piece)
            if size > limit:
                return Skipped(shown, f"{where}: larger than max_file_size (over {limit} bytes decoded)",
                               record=location)
            parts.append(piece)
        data = b"".join(parts)
    elif block.limit > limit:
        return Skipped(shown, f"{where}: larger than max_file_size ({block.limit} > {limit} bytes)",
                       record=location)
    else:  # the payload is the rest of the block, within the limit and mostly in the buffer at hand
        data = block.read(block.limit)
        if block.limit:
            data = b"".join([data, *_pieces(block)])
    if not data:
        return Skipped(shown, f"{where}: empty payload", problem=False, record=location)
    return Record(shown, kind, data, location, charset)


def _head(stream: _Stream, block: LimitReader | None, parser: StatusAndHeadersParser) -> tuple[str, str, dict, tuple]:
    """The header block at the stream's position (WARC headers, or with ``block`` the HTTP headers that
    open it), read past: the status line's protocol and the rest of it, the fields by lower-cased name
    (the first of each, as warcio's get_header gives), and the names that came more than once."""
    buf, pos = stream.buf, stream.pos
    room = _HEADERS_MAX if block is None or block.limit > _HEADERS_MAX else block.limit
    end = buf.find(b"\r\n\r\n", pos, pos + room)  # the block whole in the buffer and within its limits?
    if end >= 0:
        try:
            parsed = _parse(buf[pos:end].decode())
        except UnicodeDecodeError:  # each line that is not UTF-8 is Latin-1 to warcio
            parsed = None
        if parsed is not None:
            stream.pos = end + 4
            if block is not None:
                block.limit -= end + 4 - pos
            return parsed
    stream.budget = _HEADERS_MAX
    try:
        head = parser.parse(stream if block is None else block)
    finally:
        stream.budget = None
    fields, repeated = {}, ()
    for name, value in head.headers:
        key = name.lower()
        if key in fields:
            repeated += (key,)
        else:
            fields[key] = value
    return head.protocol, head.statusline, fields, repeated


def _parse(text: str) -> tuple[str, str, dict, tuple] | None:
    """A header block read as warcio's StatusAndHeadersParser reads it (lines split at LF and right-
    stripped, a field's name and value split at its first colon and stripped, a line without one
    dropped), or None for a block with a line it reads otherwise: folded, or blank before the end."""
    if _FOLDED.search(text):
        return None
    first, *lines = text.split("\n")
    first = first.rstrip()
    if not first:
        return None
    protocol, _, statusline = first.partition(" ")
    fields, repeated = {}, ()
    for line in lines:
        name, colon, value = line.partition(":")
        if colon:
            key = name.rstrip(" \t").lower()
            if key in fields:
                repeated += (key,)
            else:
                fields[key] = value.strip()
        elif not name.strip():
            return None
    return protocol, statusline.strip(), fields, repeated


def _pieces(block: LimitReader) -> Iterator[bytes]:
    """A record's remaining block, a buffer at a time."""
    while piece := block.read(_CHUNK):
        yield piece


def _dechunked(block: LimitReader) -> Iterator[bytes]:
    """An HTTP body in chunked transfer coding, unchunked as it is read. A body whose first line is no
    chunk size was stored unchunked whatever the header says, and is taken as it is."""
    line = block.readline(_LINE_MAX)
    size = _CHUNK_SIZE.fullmatch(line)
    if size is None:
        yield line
        yield from _pieces(block)
        return
    left = int(size[1], 16)
    while left:
        while left:
            piece = block.read(min(left, _CHUNK))
            if not piece:
                raise _Unreadable("chunked HTTP body ends inside a chunk")
            left -= len(piece)
            yield piece
        line = block.readline(_LINE_MAX)
        size = _CHUNK_SIZE.fullmatch(block.readline(_LINE_MAX)) if line.strip() == b"" else None
        if size is None:
            raise _Unreadable("broken chunked HTTP body (no chunk size after a chunk)")
        left = int(size[1], 16)


def _decoded(pieces: Iterator[bytes], encoding: str) -> Iterator[bytes]:
    """The payload without its Content-Encoding (gzip or deflate), a bounded piece at a time, so a small
    body that inflates hugely is cut at ``limit`` by the caller, never held. A body that does not open as
    the encoding it is labelled with was stored decoded (crawlers differ) and is taken as it is."""
    if encoding in ("", "identity"):
        yield from pieces
        return
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise _Unreadable(f"Content-Encoding {encoding[:40]} is not decoded")
    head = b""
    while len(head) < 2 and (piece := next(pieces, None)) is not None:
        head += piece
    if not head:
        return
    if head.startswith(b"\x1f\x8b"):
        wbits = 31
    elif head[0] & 0x0F == 8 and int.from_bytes(head[:2], "big") % 31 == 0:
        wbits = 15  # a zlib stream, which is what HTTP means by deflate
    elif encoding == "deflate":
        wbits = -15  # raw deflate, which some servers send for it
    else:
        yield head
        yield from pieces
        return
    unzip, piece, started = zlib.decompressobj(wbits), head, False
    while True:
        while piece and not unzip.eof:
            try:
                out = unzip.decompress(piece, _CHUNK)
            except zlib.error as exc:
                if wbits == -15 and not started:  # not raw deflate either: not encoded
                    yield head
                    yield from pieces
                    return
                raise _Unreadable(f"corrupt {encoding} Content-Encoding ({exc})") from None
            started, piece = True, unzip.unconsumed_tail
            yield out
        if unzip.eof:
            return
        piece = next(pieces, None)
        if piece is None:
            break
    while not unzip.eof:  # the body is all read; zlib may still hold output
        out = unzip.decompress(b"", _CHUNK)
        if not out:
            raise _Unreadable(f"{encoding} Content-Encoding ends early")
        yield out

