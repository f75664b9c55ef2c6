"""Visible text of an HTML page, laid over the page's own character offsets.

The stdlib ``html.parser`` tokenizer is tolerant of malformed markup and reports
the position of every token, which is what a linter needs: we paint each piece
of visible text at the offset where it sits in the source and leave markup as
spaces, so an offset in the visible text *is* an offset in the file and every
finding maps back to the original line and column without a lookup table.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

# Content that is never shown as article text.
_HIDDEN = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe", "object"})
# Tags that break a line of text, so line-anchored patterns (datelines) see paragraph starts.
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul", "body", "html", "title",
})


class _Painter(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self._line_starts = [0]
        find = source.find
        pos = find("\n")
        while pos != -1:
            self._line_starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self.paints: list[tuple[int, str]] = []
        self.links: list[tuple[int, str]] = []
        self._hidden: list[str] = []

    def _offset(self) -> int:
        line, col = self.getpos()
        return self._line_starts[line - 1] + col

    def _paint(self, text: str) -> None:
        if not self._hidden and text:
            self.paints.append((self._offset(), text))

    def _paint_after_tag(self, text: str) -> None:
        """Paint on the tag's closing '>' so the text after <p> starts its line with no blank run."""
        if not self._hidden:
            self.paints.append((self._offset() + len(self.get_starttag_text() or "x") - 1, text))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body" and "head" in self._hidden:
            self._hidden.clear()  # <head> left open: the body still shows
        if tag in _HIDDEN:
            self._hidden.append(tag)
            return
        if tag in _BLOCK:
            self._paint_after_tag("\n")
        if tag == "a" and not self._hidden:
            href = dict(attrs).get("href")
            if href:
                self.links.append((self._offset(), href.strip()))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self._paint_after_tag("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._hidden:
            while self._hidden and self._hidden.pop() != tag:
                pass
            return
        if tag in _BLOCK:
            self._paint("\n")

    def handle_data(self, data: str) -> None:
        self._paint(data)

    def handle_entityref(self, name: str) -> None:
        decoded = html.unescape(f"&{name};")
        # An unknown name stays as written (minus the ';' the source may lack), so the paint never outgrows it.
        self._paint("&" + name if decoded == f"&{name};" else decoded)

    def handle_charref(self, name: str) -> None:
        self._paint(html.unescape(f"&#{name};"))


def visible_text(source: str) -> tuple[str, list[tuple[int, str]]]:
    """Return (text, links): ``text`` has the length of ``source`` with markup blanked; links are (offset, href)."""
    painter = _Painter(source)
    painter.feed(source)
    painter.close()
    pieces: list[str] = []
    pos = 0
    for offset, piece in painter.paints:
        if offset < pos:  # defensive: never let a paint shift later offsets
            piece = piece[pos - offset:]
            offset = pos
        pieces.append(" " * (offset - pos))
        pieces.append(piece)
        pos = offset + len(piece)
    text = "".join(pieces)[: len(source)]
    return text + " " * (len(source) - len(text)), painter.links
