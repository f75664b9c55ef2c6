"""Visible text of an HTML page, with a map from every text offset back to the page source.

The stdlib ``html.parser`` tokenizer is tolerant of malformed markup and reports the
position of every token, which is what a linter needs: the visible text is the page's
text nodes in order (entities decoded, hidden elements dropped, a line break for each
block element), and each piece remembers where it came from, so a match found in the
text maps back to the original line and column.
"""

from __future__ import annotations

import bisect
import html
from dataclasses import dataclass
from html.parser import HTMLParser

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


class _Reader(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self._source = source
        self._line_starts = [0]
        find = source.find
        pos = find("\n")
        while pos != -1:
            self._line_starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self.pieces: list[str] = []
        self.map = OffsetMap([], [], [])
        self.length = 0
        self.links: list[tuple[int, str]] = []
        self.images: list[Image] = []
        self._hidden: list[str] = []

    def _offset(self) -> int:
        line, col = self.getpos()
        return self._line_starts[line - 1] + col

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

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body" or tag not in _HEAD_CONTENT:
            self._leave_head()
        if tag in _HIDDEN:
            self._hidden.append(tag)
            return
        if tag in _BLOCK:
            self._add("\n", self._offset(), False)
        if tag == "a" and not self._hidden:
            href = dict(attrs).get("href")
            if href:
                self.links.append((self.length, href.strip()))
        self._image(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HEAD_CONTENT:
            self._leave_head()
        if tag in _BLOCK:
            self._add("\n", self._offset(), False)
        self._image(tag, attrs)

    def _image(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img" and not self._hidden:
            values = dict(attrs)
            described = " ".join(filter(None, (values.get("src"), values.get("alt"), values.get("title"))))
            start = self._offset()
            self.images.append(Image(self.length, described, (start, start + len(self.get_starttag_text() or ""))))

    def handle_endtag(self, tag: str) -> None:
        if tag in self._hidden:
            while self._hidden and self._hidden.pop() != tag:
                pass
            return
        if tag in _BLOCK:
            self._add("\n", self._offset(), False)

    def handle_data(self, data: str) -> None:
        if data.strip():
            self._leave_head()  # text straight in <head> means the body has begun
        self._add(data, self._offset(), True)

    def handle_entityref(self, name: str) -> None:
        offset = self._offset()
        decoded = html.unescape(f"&{name};")
        if decoded == f"&{name};":  # not an entity: keep it as written
            end = offset + len(name) + 1
            decoded = self._source[offset:end + (self._source[end:end + 1] == ";")]
        self._add(decoded, offset, False)

    def handle_charref(self, name: str) -> None:
        self._add(html.unescape(f"&#{name};"), self._offset(), False)


@dataclass
class Page:
    text: str
    links: list[tuple[int, str]]  # (text offset, href)
    images: list[Image]
    offsets: OffsetMap


def visible_text(source: str) -> Page:
    """The visible text of ``source``, its links and images, and the offset map back to the source."""
    reader = _Reader(source)
    reader.feed(source)
    reader.close()
    return Page("".join(reader.pieces), reader.links, reader.images, reader.map)
