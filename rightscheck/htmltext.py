"""Visible text of an HTML page, with a map from every text offset back to the page source.

The visible text is the page's text nodes in order (entities decoded, hidden elements dropped, a line
break for each block element), and each piece remembers where it came from, so a match found in the
text maps back to the original line and column. The page is tokenized with one regular expression
(comments, declarations, end tags, start tags with their attributes, character references; the rest
is text) rather than ``html.parser``: about three times faster, exact source offsets for free, and as
tolerant: anything that is not a well-formed token is text, so no input can raise.
"""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass

# Content that is never shown as article text.
_HIDDEN = frozenset({"script", "style", "noscript", "template", "head", "title", "svg", "iframe", "object"})
# What may stand in <head>; anything else closes it, as browsers do when </head> is missing.
_HEAD_CONTENT = frozenset({"title", "meta", "link", "style", "script", "base", "noscript", "template"})
# Tags that break a line of text, so line-anchored patterns (datelines) see paragraph starts.
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul", "body", "html",
})


@dataclass(frozen=True)
class Image:
    """An image in a page: where it stands in the visible text, what describes it, and its markup's
    source offsets (so a finding points at the tag, not at the text around it)."""

    offset: int
    described: str  # "src alt title": what image matchers search
    markup: tuple[int, int]


@dataclass
class OffsetMap:
    """Text offset -> source offset. Piece ``i`` starts at ``text_starts[i]`` / ``source_starts[i]``;
    a verbatim piece maps character by character, a decoded or inserted one maps to its start."""

    text_starts: list[int]
    source_starts: list[int]
    verbatim: list[bool]

    def source_offset(self, offset: int) -> int:
        i = bisect.bisect_right(self.text_starts, offset) - 1
        if i < 0:
            return 0
        if self.verbatim[i]:
            return self.source_starts[i] + offset - self.text_starts[i]
        return self.source_starts[i]


# One token of markup; what lies between tokens is text. A quote opens an attribute value only after
# "=" (so alt=O'Brien is one value) and the value may then hold ">". Tags are searched only up to the
# last ">" of the page (see _Reader.read): every "<" before it has a ">" to close on, so a tag match
# never fails after its name and never backtracks, and text full of "<" with no ">" after it costs one
# pass, not one per "<".
_TOKEN = re.compile(r"""
    <!--(?:-?>|.*?(?:--!?>|\Z))                            # comment, "<!-->" included; an unclosed one runs on
  | <[!?][^>]*>?                                           # doctype, CDATA, processing instruction
  | </(?P<end>[A-Za-z][^\s/>]*)[^>]*>                       # end tag
  | <(?P<start>[A-Za-z][^\s/>]*)(?P<attrs>(?:[^>="']|=\s*"[^"]*"|=\s*'[^']*'|[="'])*)>   # start tag
  | &(?:\#[0-9]{1,8};?|\#[xX][0-9a-fA-F]{1,8};?|[A-Za-z][A-Za-z0-9]{0,31};?)   # character reference
""", re.S | re.X)
# What can follow the last ">" of a page: character references, and a comment that never closes.
_TAIL = re.compile(r"<!--.*|&(?:\#[0-9]{1,8};?|\#[xX][0-9a-fA-F]{1,8};?|[A-Za-z][A-Za-z0-9]{0,31};?)", re.S)
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
# Elements whose content is raw text up to their end tag (markup inside them is not markup): that end tag.
_RAW_END = {tag: re.compile(rf"</{tag}\b", re.I) for tag in ("script", "style")}


class _Reader:
    def __init__(self, source: str) -> None:
        self._source = source
        self.pieces: list[str] = []
        self.map = OffsetMap([], [], [])
        self.length = 0
        self.links: list[tuple[int, str]] = []
        self.images: list[Image] = []
        self._hidden: list[str] = []

    def read(self) -> None:
        source, pos = self._source, 0
        tags_end = source.rfind(">") + 1
        while True:
            if pos < tags_end:
                match = _TOKEN.search(source, pos, tags_end) or _TAIL.search(source, tags_end)
            else:
                match = _TAIL.search(source, pos)
            start = match.start() if match else len(source)
            if start > pos:
                self._text(source[pos:start], pos)
            if not match:
                return
            pos = match.end()
            if match.re is _TAIL:
                if source.startswith("&", start):
                    self._reference(match.group(), start)
            elif match["start"]:
                pos = self._start_tag(match["start"].lower(), match["attrs"], match.start(), pos)
            elif match["end"]:
                self._end_tag(match["end"].lower(), match.start())
            elif source.startswith("&", start):
                self._reference(match.group(), start)

    def _add(self, text: str, source_offset: int, verbatim: bool) -> None:
        if self._hidden or not text:
            return
        self.map.text_starts.append(self.length)
        self.map.source_starts.append(source_offset)
        self.map.verbatim.append(verbatim)
        self.pieces.append(text)
        self.length += len(text)

    def _leave_head(self) -> None:
        if self._hidden == ["head"]:
            self._hidden.clear()

    def _text(self, data: str, offset: int) -> None:
        if self._hidden == ["head"] and data.strip():
            self._leave_head()  # text straight in <head> means the body has begun
        self._add(data, offset, True)

    def _start_tag(self, tag: str, attrs: str, start: int, end: int) -> int:
        """Handle a start tag ending at ``end``; returns where reading goes on (after raw-text content)."""
        closed = attrs.rstrip().endswith("/")
        if tag == "body" or tag not in _HEAD_CONTENT:
            self._leave_head()
        if tag in _RAW_END and not closed:
            close = _RAW_END[tag].search(self._source, end)
            return len(self._source) if close is None else close.start()  # its end tag comes next
        if tag in _HIDDEN and not closed:
            self._hidden.append(tag)
            return end
        if tag in _BLOCK:
            self._add("\n", start, False)
        if self._hidden:
            return end
        if tag == "a":
            href = self._attributes(attrs).get("href")
            if href:
                self.links.append((self.length, href.strip()))
        elif tag == "img":
            values = self._attributes(attrs)
            described = " ".join(filter(None, (values.get("src"), values.get("alt"), values.get("title"))))
            self.images.append(Image(self.length, described, (start, end)))
        return end

    def _end_tag(self, tag: str, start: int) -> None:
        if tag in self._hidden:
            while self._hidden and self._hidden.pop() != tag:
                pass
            return
        if tag in _RAW_END:  # the end of a raw-text element whose start was read
            return
        if tag in _BLOCK:
            self._add("\n", start, False)

    def _reference(self, text: str, start: int) -> None:
        decoded = html.unescape(text)
        self._add(decoded, start, decoded == text)  # not a known entity: kept as written

    @staticmethod
    def _attributes(attrs: str) -> dict[str, str]:
        values = {}
        for name, value in _ATTR.findall(attrs):
            if value[:1] in ("'", '"'):
                value = value[1:-1]
            values.setdefault(name.lower(), html.unescape(value))
        return values


@dataclass
class Page:
    text: str
    links: list[tuple[int, str]]  # (text offset, href)
    images: list[Image]
    offsets: OffsetMap


def visible_text(source: str) -> Page:
    """The visible text of ``source``, its links and images, and the offset map back to the source."""
    reader = _Reader(source)
    reader.read()
    return Page("".join(reader.pieces), reader.links, reader.images, reader.map)
