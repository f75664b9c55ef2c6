"""Reading a file into a Document: decoding, front matter, visible text and line/column mapping.

Patterns and tokens run on ``text``, the visible text; every offset in it maps back to
the file (plain text and Markdown keep offsets as they are, front matter blanked; HTML
carries an offset map), so findings always name the original line and column.
"""

from __future__ import annotations

import array
import bisect
import codecs
import re
from dataclasses import dataclass, field, replace
from typing import Any

import regex

from rightscheck.documents.article import Spans, article_spans, in_article, region_of
from rightscheck.inputs.pieces import Pieces
from rightscheck.text.confusables import (FORMAT_RUN, fold_confusables, hint_bytes, hints, may_hold_format,
                                         utf8_hints)
from rightscheck.core.errors import RightscheckError
from rightscheck.documents.htmltext import Image, OffsetMap, read_page
from rightscheck.documents.narrow import Narrowed, narrowed
from rightscheck.documents.packed import PackedText, chunks, pack
from rightscheck.text.folded import Folded
from rightscheck.text.keywords import KeywordSearch, breaks_literals, exact_fold, fold_keywords
from rightscheck.core.yamlfile import load_yaml


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
_BOM_STARTS = tuple(bom for bom, _ in _BOMS)
_NULS_WITHIN = 8192  # a NUL in a file's first bytes makes it UTF-16 or binary
# Front matter: a first line "---", then YAML up to the first line "---" or "...". Found as two searches
# with the stdlib engine: one lazy pattern over the whole block was 15x slower.
_FRONT_MATTER_OPEN = re.compile(r"---[ \t]*\r?\n")
_FRONT_MATTER_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.M)
# Front matter keys rightscheck reads (declared source and licence, a file's own licences); the rest of
# a site's front matter is neither constructed nor kept.
SOURCE_KEYS = ("source",)
LICENCE_KEYS = ("licence", "license")
FRONT_MATTER_KEYS = frozenset((*SOURCE_KEYS, *LICENCE_KEYS, "rightscheck"))
_NON_BLANK_LINE = regex.compile(r"(?m)^[^\n]*\S[^\n]*$")
_BLANK_LINE = regex.compile(r"\n[^\S\n]*\n")
_LINE_BREAK = regex.compile(r"\r\n|[\n\r\u2028\u2029]")
_LONE_CR = regex.compile(r"\r(?!\n)")
_BLANK_LINE_BACKWARDS = regex.compile(r"\n[^\S\n]*\n", regex.REVERSE)
_MD_IMAGE = regex.compile(r"!\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"([^\"\n]*)\")?\s*\)")
_MD_LINK = regex.compile(r"\]\(\s*<?([^)\s>]+)|<(https?://[^>\s]+)>")
_BARE_URL = regex.compile(r"https?://[^\s<>\"')\]]+")
# Markdown syntax that is not prose, in two passes (twice as fast as one alternation): heading and quote
# markers (looked for after a line break, which the text is given one of in front: a literal start makes
# the search ten times faster than a "^" tried at every character); then, from the characters that can
# start them, comments, inline HTML tags, whole images (alt text is no more visible than in HTML), link
# brackets with their targets (links and images are read first), emphasis and code markers.
_MD_LINE_SYNTAX = regex.compile(r"\n\h{0,3}(?:#{1,6}|>)(?=\h)")
_MD_SYNTAX = regex.compile(
    r"(?=[<!\[\]*_`])(?:<!--.*?-->|</?[A-Za-z][^<>\n]*>|!\[[^\]\n]*\]\([^)\n]*\)|\[(?=[^\]\n]*\]\()"
    r"|\]\([^)\n]*\)|(?<![\w*])[*_]{1,3}(?=\S)|(?<=\S)[*_]{1,3}(?![\w*])|`+)",
    regex.S,
)


class SkipFile(Exception):
    """The file cannot be scanned as text; the reason is reported, the scan goes on."""


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode bytes to text: BOM, then strict UTF-8, then the charset the container ``declared`` (an HTTP
    header) if the bytes fit it, then a detected charset; raise SkipFile for binary data. Valid UTF-8 wins
    over a declaration, which pages get wrong far more often than UTF-8 happens to validate."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding
    if b"\x00" in data[:_NULS_WITHIN]:
        fragment = _utf16_fragment(data)
        if fragment:  # a UTF-16 passage pasted into UTF-8 text: each part decoded as what it is
            start, end, encoding = fragment
            return (data[:start].decode("utf-8", "replace") + data[start:end].decode(encoding, "replace")
                    + data[end:].decode("utf-8", "replace"), f"utf-8+{encoding}")
        guess = _utf16_without_bom(data)
        if guess is None:
            raise SkipFile("binary file (NUL bytes)")
        return guess
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            return data.decode(declared), codecs.lookup(declared).name
        except (LookupError, UnicodeDecodeError):
            pass  # an unknown name, or bytes the declaration does not fit: detected like any file
    from charset_normalizer import from_bytes  # deferred: only non-UTF-8 files pay for the import

    matches = from_bytes(data)
    best = matches.best()
    if best is None or best.encoding is None:
        raise SkipFile("binary file (no text encoding fits)")
    # Short Western text often fits several code pages equally well; on a tie prefer windows-1252,
    # the legacy default browsers apply (WHATWG Encoding), so "Genève" does not come out as "Genčve".
    for match in matches:
        if match.encoding == "cp1252" and (match.chaos, match.coherence) == (best.chaos, best.coherence):
            best = match
    return str(best), best.encoding


def _read(data: bytes | Pieces, declared: str | None,
          narrow: bool = False) -> tuple[str | Narrowed, str, tuple[bool | None, bool | None]]:
    """:func:`decode`, and the :func:`~rightscheck.text.confusables.utf8_hints` of UTF-8 bytes; a big file's
    pieces are decoded one by one, let go as they are (rightscheck.inputs.pieces), unless the file has a
    byte-order mark or NULs at its start, or is not UTF-8; with ``narrow``, to a narrowed text if it pays
    (rightscheck.documents.narrow)."""
    if isinstance(data, Pieces):
        head = data.head(_NULS_WITHIN)
        decoded = None if head.startswith(_BOM_STARTS) or b"\x00" in head else (
            narrowed(data, hint_bytes) if narrow else data.utf8(hint_bytes))
        if decoded:
            return decoded[0], "utf-8", hints(decoded[1])
        data = data.joined()
    text, encoding = decode(data, declared)
    return text, encoding, utf8_hints(data) if encoding == "utf-8" else (None, None)


FRAGMENT_MARGIN = 64  # bytes without NULs before or after the NULs that make them a fragment, not the file


def _utf16_fragment(data: bytes) -> tuple[int, int, str] | None:
    """(start, end, encoding) of a UTF-16 passage inside otherwise NUL-free text ("AFP" pasted from a
    UTF-16 source as "A\0F\0P\0"): its NULs all on one side of each byte pair, NUL-free text around it.
    Read as one UTF-16 file, the surrounding text would be mojibake and its dateline lost."""
    first, last = data.find(b"\x00"), data.rfind(b"\x00")
    odd = first % 2  # UTF-16LE puts the NUL of an ASCII character second: at odd offsets from the passage start
    start, end = first - 1 if odd else first, last + 1 if odd else last + 2
    if start < 0 or end > len(data) or (start < FRAGMENT_MARGIN and len(data) - end < FRAGMENT_MARGIN):
        return None
    passage = data[start:end]
    pairs = len(passage) // 2
    nul_side, other_side = passage[1::2].count(0), passage[0::2].count(0)
    if other_side or nul_side < 0.6 * pairs:
        return None
    return start, end, "utf-16-le" if odd else "utf-16-be"


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text without a byte-order mark: mostly Latin text puts a NUL in every other byte."""
    sample = data[:8192]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = max(len(sample) // 2, 1)
    encoding = "utf-16-le" if odd > 0.3 * half and even < 0.05 * half else \
        "utf-16-be" if even > 0.3 * half and odd < 0.05 * half else None
    if encoding is None or len(data) % 2:
        return None
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError:
        return None


def _unify_breaks(text: str) -> str:
    """Every line break as one "\n" (CRLF becomes " \n"; CR, U+2028 and U+2029 become "\n"), keeping
    the length, so line-anchored patterns work whatever the file used."""
    if "\r" in text:
        text = _LONE_CR.sub("\n", text).replace("\r", " ")
    if "\u2028" in text or "\u2029" in text:
        text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    return text


@dataclass
class Document:
    """One scanned file: its source text (a big page's packed once read: rightscheck.documents.packed), the
    visible text patterns run on, and what it declares."""

    path: str
    kind: str
    source: str | PackedText
    text: str
    encoding: str = "utf-8"
    links: list[tuple[int, str]] = field(default_factory=list)
    front_matter: dict[str, Any] = field(default_factory=dict)
    front_matter_lines: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    offsets: OffsetMap | None = None  # visible text -> source offsets, where markup was removed
    images: list[Image] = field(default_factory=list)
    article: Spans | None = None  # HTML: the ranges of the visible text that are the article, not the page's chrome
    url: str | None = None  # HTML: the address the page gives itself (canonical link, og:url)
    captions: list[tuple[int, int]] = field(default_factory=list)  # HTML: ranges of image caption elements
    spent: dict[Any, float] = field(default_factory=dict, repr=False)  # seconds each pack pattern has run on it
    keywords_present: frozenset[str] | None = None  # pack keywords in the text, when a prefilter found them
    folded: Folded | None = None  # the text folded for required literals (rightscheck.text.folded), once known
    breaks_literals: bool = False  # the text holds a character that voids required literals
    _line_starts: array.array | None = field(default=None, repr=False)  # 8 bytes a line, not a list's 36
    _targets: dict[str, str] = field(default_factory=dict, repr=False)  # "links"/"images" -> their text, folded
    _regions: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict, repr=False)
    _captions: dict[tuple[int, int], str] | None = field(default=None, repr=False)

    def caption_of(self, markup: tuple[int, int]) -> str | None:
        """The caption of the image whose markup is at ``markup`` (a dict built once: a gallery page asks
        for hundreds)."""
        if self._captions is None:
            self._captions = {image.markup: image.caption for image in self.images}
        return self._captions.get(markup)

    def mentions(self, keywords: tuple[str, ...], target: str = "text") -> bool:
        """Whether any (case-folded) keyword occurs in the visible text, or in the link targets or image
        attributes or captions for ``target`` "links" / "images" / "captions"; no keywords means yes (if there
        are links or images)."""
        if target != "text":
            items = self.links if target == "links" else self.images
            if not items or not keywords:
                return bool(items)
            if target not in self._targets:
                values = ([href for _, href in self.links] if target == "links" else
                          [i.caption if target == "captions" else i.described for i in self.images])
                self._targets[target] = fold_keywords("\n".join(values))
            return any(keyword in self._targets[target] for keyword in keywords)
        if not keywords:
            return True
        if self.keywords_present is None:  # not prefiltered (a single check): the same rule, for these keywords
            return bool(KeywordSearch(keywords).find(self.text))
        return not self.keywords_present.isdisjoint(keywords)

    def may_hold(self, literals: tuple[tuple[bytes, ...], ...]) -> bool:
        """False when the text lacks every string of some group of ``literals``, the case-folded strings a
        pattern's matches must contain (rightscheck.text.literals): then the pattern need not run."""
        if self.folded is None:
            self.folded, self.breaks_literals = Folded(False, 0, exact_fold(self.text)), breaks_literals(self.text)
        return self.breaks_literals or self.folded.holds(literals)

    def in_caption(self, start: int, end: int) -> bool:
        """Whether the visible text [start, end) lies inside an image's caption element."""
        i = bisect.bisect_right(self.captions, (start, float("inf"))) - 1
        return i >= 0 and end <= self.captions[i][1]

    def region_at(self, offset: int) -> str | None:
        """"article" or "chrome" for a visible-text offset of an HTML page; None for other documents."""
        return None if self.article is None else region_of(self.article, offset)

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in characters) of a visible-text offset, in the original file."""
        if self.offsets is not None:
            offset = self.offsets.source_offset(offset)
        return self.source_line_col(offset)

    def end_line_col(self, end: int) -> tuple[int, int]:
        """Line and (exclusive) column just after the character before visible-text offset ``end``."""
        if end <= 0:
            return self.line_col(0)
        last = self.offsets.source_offset(end - 1) if self.offsets is not None else end - 1
        return self.source_line_col(last + 1)

    def source_line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of an offset in the file's own text (markup included)."""
        starts = self._starts()
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    def source_between(self, line: int, column: int, end_line: int, end_column: int) -> str:
        """The file's own text from a line and column to an end line and (exclusive) column, as
        :meth:`source_line_col` counts them: a finding's region."""
        return self.source[self._source_offset(line, column):self._source_offset(end_line, end_column)]

    def _source_offset(self, line: int, column: int) -> int:
        starts = self._starts()
        return min(starts[line - 1] + column - 1, len(self.source)) if line <= len(starts) else len(self.source)

    def _starts(self) -> array.array:
        if self._line_starts is None:  # CRLF, CR, LF, U+2028 and U+2029 each end a line, as in editors
            self._line_starts = array.array("q", [0])
            for base, chunk in chunks(self.source):
                self._line_starts.extend(base + m.end() for m in _LINE_BREAK.finditer(chunk))
        return self._line_starts

    def paragraph(self, start: int, end: int) -> tuple[int, int]:
        """Widen [start, end) to the run of non-blank lines around it."""
        before = _BLANK_LINE_BACKWARDS.search(self.text, 0, start)
        after = _BLANK_LINE.search(self.text, end)
        return (before.end() if before else 0), (after.start() if after else len(self.text))

    def region(self, within: tuple[str, int] | None) -> tuple[int, int]:
        """Offsets [start, end) of the part of the visible text a ``within`` constraint allows."""
        if within is None:
            return 0, len(self.text)
        if within not in self._regions:
            self._regions[within] = self._region(*within)
        return self._regions[within]

    def around(self, offset: int, count: int) -> tuple[int, int]:
        """Offsets of the line holding ``offset`` widened by ``count`` non-blank lines each way."""
        text = self.text
        start, seen = text.rfind("\n", 0, offset) + 1, 0
        while seen < count and start > 0:
            previous = text.rfind("\n", 0, start - 1) + 1
            seen += bool(text[previous:start - 1].strip())
            start = previous
        end = text.find("\n", offset)
        end, seen = (len(text) if end == -1 else end), 0
        while seen < count and end < len(text):
            following = text.find("\n", end + 1)
            following = len(text) if following == -1 else following
            seen += bool(text[end + 1:following].strip())
            end = following
        return start, end

    def _region(self, where: str, count: int) -> tuple[int, int]:
        if where == "near":  # relative to evidence: the caller narrows the search (see attribution.check)
            return 0, len(self.text)
        if where == "first_lines":
            end = 0
            for seen, match in enumerate(_NON_BLANK_LINE.finditer(self.text), 1):
                end = match.end()
                if seen == count:
                    break
            return 0, end
        start, end, seen = len(self.text), len(self.text), 0
        while seen < count and end > 0:  # walk back over lines from the end
            line_start = self.text.rfind("\n", 0, end) + 1
            if not self.text[line_start:end].isspace() and line_start < end:
                seen += 1
                start = line_start
            end = line_start - 1
        return (start, len(self.text)) if seen else (0, 0)



def parse(path: str, data: bytes | Pieces, kind: str = "text", scope: str = "article",
          charset: str | None = None) -> Document:
    """Build a Document from raw bytes (a big file's in pieces); ``path`` is the display path used in
    findings. With ``scope`` "article", an HTML page's chrome is blanked from the text (offsets kept) and its
    links and images dropped, so packs judge only the article and count lines from it; "page" keeps the
    whole page. ``data`` is let go once decoded (when the caller holds no reference of its own); ``charset``
    is the encoding a container declares for it (see :func:`decode`)."""
    source, encoding, (lookalikes, formats) = _read(data, charset, narrow=kind == "html")
    del data  # not kept while the text is read: for a big file, the bytes were a third of the peak
    fragment = encoding.split("+")[1:]  # "utf-8+utf-16-le": a UTF-16 passage decoded apart from the rest
    if kind == "html":  # with scope "article", the page's chrome is blanked as its text is joined
        reading = read_page(source, article_spans if scope == "article" else None)
        source = pack(source)  # a big page's source is let go before its text is joined
        page = reading.page()
        article = page.kept if scope == "article" else article_spans(page.blocks, len(page.text))
        doc = Document(path, kind, source, page.text, encoding, page.links, offsets=page.offsets, images=page.images,
                       article=article, url=page.url, captions=page.captions)
        if scope == "article":
            _keep_article(doc)
    else:
        doc = Document(path, kind, source, source, encoding)
        if kind == "markdown":
            _read_front_matter(doc)
            doc.links = [(m.start(), m.group(1) or m.group(2)) for m in _MD_LINK.finditer(doc.text)]
            doc.images = [Image(m.start(), " ".join(filter(None, (m.group(2), m.group(1), m.group(3)))), m.span())
                          for m in _MD_IMAGE.finditer(doc.text)]
            doc.text = _MD_SYNTAX.sub(_blank_markup, _MD_LINE_SYNTAX.sub(_blank_markup, "\n" + doc.text)[1:])
    doc.text = fold_confusables(_unify_breaks(doc.text), lookalikes)
    if may_hold_format(doc.text, formats):
        _strip_format(doc)
    doc.links.extend((m.start(), m.group()) for m in _BARE_URL.finditer(doc.text))
    if fragment:
        doc.notes.append(f"a {fragment[0].upper()} passage inside UTF-8 text was decoded apart from the rest")
    return doc


def _keep_article(doc: Document) -> None:
    """The links and images of the page's chrome dropped (its text is blanked by visible_text)."""
    spans = doc.article
    doc.links = in_article(spans, doc.links, [offset for offset, _ in doc.links])
    doc.images = in_article(spans, doc.images, [image.offset for image in doc.images])


class ChainedMap:
    """Text offset -> source offset through two maps: the text without its format characters -> the
    visible text -> the page (see :func:`_strip_format`)."""

    def __init__(self, first: OffsetMap, then: OffsetMap) -> None:
        self.first, self.then = first, then

    def source_offset(self, offset: int) -> int:
        return self.then.source_offset(self.first.source_offset(offset))


def _strip_format(doc: Document) -> None:
    """Zero-width and other format characters removed from the text patterns see ("A\u200bFP" reads
    "AFP"), every offset of the document (links, images, captions, article) moved to match, and the
    offset map extended so findings still point into the file."""
    runs = [match.span() for match in FORMAT_RUN.finditer(doc.text)]
    if not runs:
        return
    kept_starts, new_starts, pieces, cursor, length, removed = [], [], [], 0, 0, [0]
    for start, end in [*runs, (len(doc.text), len(doc.text))]:
        if start > cursor:  # the text kept between two runs: verbatim from ``cursor``
            kept_starts.append(cursor)
            new_starts.append(length)
            pieces.append(doc.text[cursor:start])
            length += start - cursor
        cursor = end
        removed.append(removed[-1] + end - start)
    ends = [end for _, end in runs]

    def moved(offset: int) -> int:
        i = bisect.bisect_right(ends, offset)  # runs wholly before the offset
        inside = offset - runs[i][0] if i < len(runs) and runs[i][0] < offset else 0
        return offset - removed[i] - inside

    doc.text = "".join(pieces)
    doc.links = [(moved(offset), href) for offset, href in doc.links]
    doc.images = [replace(image, offset=moved(image.offset)) for image in doc.images]
    doc.captions = [(moved(start), moved(end)) for start, end in doc.captions]
    if doc.article is not None:
        doc.article = [(moved(start), moved(end)) for start, end in doc.article]
    own = OffsetMap(new_starts, kept_starts)
    doc.offsets = own if doc.offsets is None else ChainedMap(own, doc.offsets)


def _blank_markup(match: regex.Match) -> str:
    """Markup as spaces (line breaks kept), so offsets stay those of the file."""
    return _blank(match.group())


def _blank(markup: str) -> str:
    if "\n" not in markup:
        return " " * len(markup)
    return "\n".join(" " * len(line) for line in markup.split("\n"))


def _read_front_matter(doc: Document) -> None:
    opening = _FRONT_MATTER_OPEN.match(doc.source)
    closing = _FRONT_MATTER_CLOSE.search(doc.source, opening.end()) if opening else None
    if not closing:
        return
    block = doc.source[opening.end():closing.start()]
    block = block[:-2] if block.endswith("\r\n") else block[:-1] if block.endswith("\n") else block
    try:
        data, lines = load_yaml(block, doc.path, keys=FRONT_MATTER_KEYS)
    except RightscheckError as exc:
        doc.notes.append(f"front matter ignored: {exc.message}")
        data = None
    if not isinstance(data, dict):
        if data is not None:
            doc.notes.append("front matter ignored: not a mapping of keys")
        return  # not front matter after all: its text stays visible
    doc.front_matter = {str(k): v for k, v in data.items()}
    first_line = len(_LINE_BREAK.findall(doc.source, 0, opening.end())) + 1  # not line_col: that maps the whole file
    for key in doc.front_matter:
        line = lines.line_for((key,))
        doc.front_matter_lines[key] = first_line + (line - 1 if line else 0)
    # Blank the front matter so patterns see only the article, keeping offsets and line breaks.
    doc.text = _blank(doc.source[:closing.end()]) + doc.source[closing.end():]
