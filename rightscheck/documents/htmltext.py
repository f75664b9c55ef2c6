"""Visible text of an HTML page, with a map from every text offset back to the page source.

The visible text is the page's text nodes in order (entities decoded, hidden elements dropped, a line
break for each block element, line breaks of the source inside text read as the spaces a browser shows),
and each piece remembers where it came from, so a match found in the text maps back to the original
line and column. The page is tokenized with one regular expression (comments, declarations, end tags,
start tags with their attributes, character references; the rest is text) rather than ``html.parser``:
about three times faster, exact source offsets for free, and as tolerant: anything that is not a
well-formed token is text, so no input can raise.

While reading, the block elements are recorded with their text extent, the length of their text and
link text and their class/id hints (:class:`Block`), for :mod:`rightscheck.documents.article` to tell the article
from the page's chrome; each image gets the caption that goes with it (its ``<figure>``'s
``<figcaption>``, a caption or credit element after it, else the short line that follows it).
"""

from __future__ import annotations

import array
import bisect
import functools
import html
import re
from dataclasses import dataclass, field, replace
from typing import Callable, Sequence

from rightscheck.documents.blocks import Block, Blocks
from rightscheck.documents.narrow import Narrowed
from rightscheck.documents.packed import PACKED_FROM, PackedText

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
# Block elements recorded for telling the article from chrome: containers, paragraphs, the headline and
# captions (list items, table cells and other headings only break lines: their lists and tables are recorded).
_RECORDED = frozenset({
    "html", "body", "div", "section", "article", "main", "aside", "nav", "header", "footer", "ul", "ol", "table",
    "form", "figure", "figcaption", "p", "h1", "blockquote",
})
_P_ENDERS = _RECORDED - {"html", "body"}  # a <p> ends where one of these starts, as browsers end it
# Inline elements recorded only when their class names them a caption or credit (<span class="credit">).
_INLINE_CAPTION = frozenset({"span", "small", "cite", "em", "i", "b", "strong"})
# Where source line breaks are shown as they are.
_PREFORMATTED = frozenset({"pre", "textarea", "listing", "plaintext"})
# What a tag does, looked up once by its name rather than set by set: break a line, open a recorded block,
# maybe open an inline caption, a link, an image (an <image> start tag is read as <img>, as HTML parsers do).
_LINE, _RECORD, _INLINE, _LINK, _IMG = range(5)
_KINDS = {**dict.fromkeys(_BLOCK - _RECORDED, _LINE), **dict.fromkeys(_RECORDED, _RECORD),
          **dict.fromkeys(_INLINE_CAPTION, _INLINE), "a": _LINK, "img": _IMG, "image": _IMG}
_NAMES = {name: name for name in _KINDS}
BREAK = "\x00"  # a line break of preformatted text while it is read; a NUL of the page is read as U+FFFD
_ABSOLUTE = re.compile(r"\s*(?:https?:)?//", re.I)
_NOWHERE = re.compile(r"\s*(?:#|javascript:|$)", re.I)
CAPTION_LINE = 250  # the line after an image is its caption only if it is at most this long,
CAPTION_ALONE = 600  # or this long if the image and it are alone in a block ("In this image released by ...")
CAPTION_REACH = 400  # a caption or credit element starting this far after an image (visible text) is its caption
CAPTION_LABEL = 40  # a caption line this short ending in ":" ("Photo by:") is a label: the next line goes with it
CREDIT_BEFORE = 120  # text this short between an image and its caption element is its credit line
# Attributes that describe an image (what image matchers search) besides its address: text alternative, tooltip,
# and the credit some CMSs keep in an attribute (copyright, data-credit, data-photo-credit: named like
# _CREDIT_ATTR), which names the picture's owner as alt text does and, like it, is not visible.
_DESCRIBING = ("alt", "title", "data-alt")
_CREDIT_ATTR = re.compile(r"copyright|credit", re.I)
# A lazy-loading placeholder (<div data-src="photo.jpg">, <span data-image="...">) is an image once its
# script runs: the address of the picture it stands for.
_PLACEHOLDER_ATTRS = ("data-src", "data-image")
# What a gallery script shows under such a placeholder's picture: its caption and credit.
_PLACEHOLDER_CAPTION = ("data-caption", "data-description", "data-credit")
_IMAGE_URL = re.compile(r"[^\s?#]+\.(?:jpe?g|png|webp|gif|avif)(?:[?#]\S*)?\s*$", re.I)

# class, id, role, itemprop and itemtype values, where boilerplate and content announce themselves
_HINT_ATTRS = re.compile(r"""(?:^|\s)(?:class|id|role|itemprop|itemtype)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""",
                         re.I)
_CAPTION_HINT = re.compile(r"caption|credit|cutline|photo-?byline|bildunterschrift|legende|légende|pie-?de-?foto",
                           re.I)
_CHROME_HINT = re.compile(
    r"(?<![a-z])(?:nav|navbar|navigation|menu|sidebar|side-bar|rail|related|recommend\w*|promo\w*|popular|"
    r"most-?read|most-?viewed|trending|share|sharing|social|newsletter|subscribe|subscription|signup|comments?|"
    r"disqus|outbrain|taboola|advert\w*|ads?|ad-\w+|sponsor\w*|widget|teasers?|more-?stories|also-?read|"
    r"read-?more|breadcrumbs?|tags|cookie\w*|banner|modal|popup|footer|masthead|site-?header|pagination|"
    r"playlist|carousel|toolbar|byline-?share|next-?up|up-?next|skip-?link|paddles?|prev(?:ious)?|"
    r"(?:next|prev(?:ious)?)-?(?:article|story|post)s?)(?![a-z])", re.I)
_CONTENT_HINT = re.compile(
    r"articlebody|(?<![a-z])(?:article|story|entry|post|content|main|body|text|copy)(?:-?(?:body|content|"
    r"text|main|page|container|wrapper|detail|inner))?(?![a-z])|newsarticle|schema\.org/(?:\w*)article", re.I)
_ARTICLE_BODY = re.compile(r"articlebody|schema\.org/\w*article", re.I)
# the address a browser notes when it saves a page ("Mark of the Web"), in the page's first lines
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d{1,5}\)(\S+?)\s*-->", re.I)
SAVED_FROM_REACH = 1024
SHARED_SPACE = 64  # a piece of white space up to this long is shared by the pieces equal to it
JOINED = 1 << 20  # characters of visible text joined at a time as it is read, and as the text is built

NONE, CONTENT, CHROME, CAPTION, ARTICLE_BODY = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class Image:
    """An image in a page: where it stands in the visible text, what describes it, its markup's source
    offsets (so a finding points at the tag, not at the text around it) and its caption's visible text."""

    offset: int
    described: str  # "src alt title": what image matchers search
    markup: tuple[int, int]
    caption: str = ""


@dataclass
class OffsetMap:
    """Text offset -> source offset. Piece ``i`` starts at ``text_starts[i]`` in the text; a verbatim
    piece maps character by character from ``sources[i]``, a decoded or inserted one (stored as
    ``~start``, so one list says both) maps to its start. A page's are arrays of 4-byte integers (8 for a
    page of 2 GB): as lists of ints they were 60 bytes a piece, 45 MB for a 50 MB page."""

    text_starts: Sequence[int]
    sources: Sequence[int]

    def source_offset(self, offset: int) -> int:
        i = bisect.bisect_right(self.text_starts, offset) - 1
        if i < 0:
            return 0
        source = self.sources[i]
        return source + offset - self.text_starts[i] if source >= 0 else ~source


# One token of markup; what lies between tokens is text. A quote opens an attribute value only after
# "=" (so alt=O'Brien is one value) and the value may then hold ">". Tags are searched only up to the
# last ">" of the page (see _Reader.read): every "<" before it has a ">" to close on, so a tag match
# never fails after its name and never backtracks, and text full of "<" with no ">" after it costs one
# pass, not one per "<". The attributes are written as runs of plain characters between values
# ("unrolled"), not one character per repetition: the same matches, at less than half the cost
# (the per-character loop was two thirds of reading a page).
_TOKEN = re.compile(r"""
    <!--(?:-?>|.*?(?:--!?>|\Z))                            # comment, "<!-->" included; an unclosed one runs on
  | <[!?][^>]*>?                                           # doctype, CDATA, processing instruction
  | </(?P<end>[A-Za-z][^\s/>]*)[^>]*>                       # end tag
  | <(?P<start>[A-Za-z][^\s/>]*)(?P<attrs>[^>="']*(?:(?:=\s*"[^"]*"|=\s*'[^']*'|[="'])[^>="']*)*)>   # start tag
  | &(?:\#[0-9]{1,8};?|\#[xX][0-9a-fA-F]{1,8};?|[A-Za-z][A-Za-z0-9]{0,31};?)   # character reference
""", re.S | re.X)
# What can follow the last ">" of a page: character references, and a comment that never closes.
_TAIL = re.compile(r"<!--.*|&(?:\#[0-9]{1,8};?|\#[xX][0-9a-fA-F]{1,8};?|[A-Za-z][A-Za-z0-9]{0,31};?)", re.S)
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
# Elements whose content is raw text up to their end tag (markup inside them is not markup): that end tag.
_RAW_END = {tag: re.compile(rf"</{tag}\b", re.I) for tag in ("script", "style")}


@functools.lru_cache(maxsize=4096)  # a site repeats its class names on every page and in every list item
def _hint(attrs: str) -> int:
    """What an element's class, id, role, itemprop and itemtype say it is."""
    if "=" not in attrs:
        return NONE
    values = " ".join(a or b or c for a, b, c in _HINT_ATTRS.findall(attrs))
    if not values:
        return NONE
    if _ARTICLE_BODY.search(values):
        return ARTICLE_BODY
    if _CAPTION_HINT.search(values):
        return CAPTION
    if _CHROME_HINT.search(values):
        return CHROME
    return CONTENT if _CONTENT_HINT.search(values) else NONE


class _Reader:
    def __init__(self, source: str | Narrowed) -> None:
        # what the patterns read; a narrowed source's view, the text taken from its real characters (see narrow)
        self._source = source.view if isinstance(source, Narrowed) else source
        self._real = source
        self.text = _Text()  # the visible text, piece by piece, as it is shown (see _add)
        offsets = "i" if len(source) < 1 << 31 else "q"  # a page's text is no longer than its source
        self.starts = array.array(offsets)  # each piece's offset in the text
        self._spaces: dict[str, str] = {}  # white space as read -> as shown, each kept once
        self.sources = array.array(offsets)  # each piece's source offset, ~offset if not verbatim (see OffsetMap)
        self.length = 0
        self.links: list[tuple[int, str]] = []
        # offset, described, markup, figure, innermost block
        self.images: list[tuple[int, str, tuple[int, int], int, int]] = []
        self.blocks: list[Block] | Blocks = Blocks(offsets) if len(source) >= PACKED_FROM else []
        self._held = isinstance(self.blocks, Blocks)  # a big page's blocks are held in columns once closed
        self.captions: list[tuple[int, int, int]] = []  # (image index, text start, text end)
        self._figcaptions: dict[int, list[tuple[int, int]]] = {}  # open figure's block -> its figcaptions
        self._inline_open: dict[str, int] = {}  # recorded inline caption elements open, by tag
        self._inner: dict[str, int] = {}  # unrecorded elements of the same tag open inside them
        self.shown_captions: dict[int, str] = {}  # image index -> caption a gallery shows from the placeholder
        self._open: list[int] = []  # indices of the open blocks, innermost last
        self._open_tags: list[str] = []  # their tags
        # the counts at their start (characters, link characters, images, links): kept in the blocks, they
        # were a fifth of a big page's blocks
        self._opened: list[tuple[int, int, int, int]] = []
        self._figures: list[int] = []  # indices of the open <figure> blocks
        self._hidden: list[str] = []
        self._chars = 0  # characters of visible text so far (not counting pieces that are only white space)
        self._link_chars = 0
        self._in_link = 0
        self._hrefs = 0  # links that lead somewhere (not "#", not "javascript:": those are buttons)
        self._preformatted = 0
        self.url: str | None = None
        self._canonical = False  # the address came from a canonical link (an og:url does not replace it)

    def read(self) -> None:
        source, real, pos = self._source, self._real, 0
        narrowed = source is not real
        tags_end = source.rfind(">") + 1
        while pos < tags_end:
            for match in _TOKEN.finditer(source, pos, tags_end):
                start, end = match.span()
                if start > pos:
                    piece = source[pos:start]
                    self._text(piece if not narrowed or piece.isascii() else real[pos:start], pos)
                pos = end
                end_tag, start_tag, attrs = match.groups()
                if narrowed and (end_tag or start_tag) and not match.group().isascii():  # names, attributes: real
                    end_tag, start_tag, attrs = (real[slice(*match.span(group))] if match.start(group) >= 0 else None
                                                 for group in (1, 2, 3))
                if start_tag:
                    pos = self._start_tag(start_tag.lower(), attrs, start, end)
                    if pos != end:  # raw text (a script) skipped: go on after it
                        break
                elif end_tag:
                    self._end_tag(end_tag.lower(), start)
                elif source[start] == "&":
                    self._reference(match.group(), start)
            else:
                break
        for match in _TAIL.finditer(source, max(pos, tags_end)):
            start = match.start()
            if start > pos:
                self._text(real[pos:start], pos)
            pos = match.end()
            if source[start] == "&":
                self._reference(match.group(), start)
        if pos < len(source):
            self._text(real[pos:], pos)
        while self._open:
            self._close_block()

    def _add(self, text: str, source_offset: int) -> None:
        """Add a piece of text; ``source_offset`` is ``~start`` for one not written as it is (see OffsetMap).
        Its line breaks are made what the text shows piece by piece (source line breaks as spaces, those of
        preformatted text, read as BREAK, as line breaks): done on the joined text, each replacement was one
        more copy of a big page's text (str.translate is ten times slower than these replacements)."""
        if self._hidden or not text:
            return
        self.sources.append(source_offset)
        self.starts.append(self.length)
        self.length += len(text)
        if text.isspace():  # white space between tags is not text; its pieces (indentation) are shared
            shown = self._spaces.get(text)
            if shown is None:
                shown = _shown(text)
                if len(text) <= SHARED_SPACE:
                    self._spaces[text] = shown
        else:
            self._chars += len(text)
            if self._in_link:
                self._link_chars += len(text)
            shown = _shown(text) if "\n" in text or "\r" in text or BREAK in text else text
        self.text.add(shown)

    def _break(self, source_offset: int) -> None:
        """A line break for a block element."""
        if not self._hidden:
            self.sources.append(~source_offset)
            self.starts.append(self.length)
            self.text.add("\n")
            self.length += 1

    def _leave_head(self) -> None:
        if self._hidden == ["head"]:
            self._hidden.clear()

    def _text(self, data: str, offset: int) -> None:
        if self._hidden:
            if self._hidden != ["head"] or not data.strip():
                return
            self._leave_head()  # text straight in <head> means the body has begun
        if self._preformatted:  # its line breaks are shown: kept through the joining
            data = data.replace("\r\n", " \n").replace("\r", "\n").replace("\n", BREAK)
        self._add(data, offset)

    def _start_tag(self, tag: str, attrs: str, start: int, end: int) -> int:
        """Handle a start tag ending at ``end``; returns where reading goes on (after raw-text content)."""
        if tag in _HEAD_CONTENT:
            if tag in ("link", "meta") and ("canonical" in (low := attrs.lower()) or "og:url" in low):
                self._address(tag, self._attributes(attrs))
        elif self._hidden:
            self._leave_head()
        closed = False  # "<br/>", "<img src='a.jpg' />" close themselves; in "<a href=/news/>" the slash ends the value
        if attrs:
            tail = attrs.rstrip()
            closed = tail.endswith("/") and (len(tail) == 1 or tail[-2] in " \t\n\"'")
        if tag in _HIDDEN and not closed:
            if tag in _RAW_END:
                close = _RAW_END[tag].search(self._source, end)
                return len(self._source) if close is None else close.start()  # its end tag comes next
            self._hidden.append(tag)
            return end
        if self._hidden:
            return end
        kind = _KINDS.get(tag)
        if kind == _LINE:
            self._break(start)
        elif kind == _LINK:
            self._link(attrs, closed)
        elif kind == _RECORD:
            if tag in _P_ENDERS and self._open_tags and self._open_tags[-1] == "p":
                self._close_block()
            self._open_block(tag, attrs, start, closed)
        elif kind == _INLINE:
            if ("redit" in attrs or "aption" in attrs) and _hint(attrs) == CAPTION:
                self._open_block(tag, attrs, start, closed, line_break=False)
                self._inline_open[tag] = self._inline_open.get(tag, 0) + (not closed)
            elif self._inline_open.get(tag) and not closed:
                self._inner[tag] = self._inner.get(tag, 0) + 1  # "<span class=credit><span>Name</span>/Agency</span>"
        elif kind == _IMG:
            values = self._attributes(attrs)
            lazy = values.get("data-src", "")  # lazy loading: the picture's address, src a placeholder until then
            address = " ".join(filter(None, (values.get("src"), lazy if lazy and _IMAGE_URL.match(lazy) else None)))
            self._image(_described(values, address), start, end)
        if "data-" in attrs and kind != _IMG and ("data-src" in attrs or "data-image" in attrs):
            self._placeholder(attrs, start, end)
        if tag in _PREFORMATTED and not closed:
            self._preformatted += 1
        return end

    def _link(self, attrs: str, closed: bool) -> None:
        """An ``<a>``: its address, whether it leads somewhere, and what it says of its block's licence."""
        # links do not nest: a new one closes the one left open, as browsers do (so a page's one unclosed <a>
        # does not make the rest of it link text)
        if not closed:
            self._in_link = 1
        values = self._attributes(attrs)
        href = values.get("href")
        if href:
            self.links.append((self.length, href.strip()))
            self._hrefs += not _NOWHERE.match(href)
        if self._open:
            block = self.blocks[self._open[-1]]
            if "rel" in values and "license" in values["rel"].lower().split():
                block.own_licence = block.own_licence is not None
            elif href and block.own_licence is not None and _ABSOLUTE.match(href):
                block.own_licence = None  # it links another work: an attribution of it, not the page's own

    def _placeholder(self, attrs: str, start: int, end: int) -> None:
        """A lazy-loading placeholder element standing for a picture: recorded as an image (inside the
        element, so it goes with the element's block)."""
        values = self._attributes(attrs)
        address = next((values[a] for a in _PLACEHOLDER_ATTRS if _IMAGE_URL.match(values.get(a, ""))), None)
        if address:
            shown = " ".join(" ".join(values[a].split()) for a in _PLACEHOLDER_CAPTION if values.get(a, "").strip())
            if shown:
                self.shown_captions[len(self.images)] = shown
            self._image(_described(values, address.strip()), start, end)

    def _image(self, described: str, start: int, end: int) -> None:
        """Record an image: where it stands in the text, what describes it, its markup, its figure and block."""
        self.images.append((self.length, described, (start, end), self._figures[-1] if self._figures else -1,
                            self._open[-1] if self._open else -1))

    def _open_block(self, tag: str, attrs: str, start: int, void: bool, line_break: bool = True) -> None:
        if line_break:
            self._break(start)
        elif (last := self.text.last()) == "\n" or not last.isspace():  # (nothing read yet: "" is not space)
            self._add(" ", ~start)  # an inline caption or credit is set apart from the text (or line break) before it
        offset = self.length  # after its own break: what came before it (an image) is not in it
        if void:
            return
        parent = self._open[-1] if self._open else -1
        tag = _NAMES[tag]  # one str for every block of a tag (a big page's own were 8 MB)
        self.blocks.append(Block(tag, _hint(attrs) if attrs else NONE, offset, parent, self._chars - self._link_chars))
        self._open.append(len(self.blocks) - 1)
        self._open_tags.append(tag)
        self._opened.append((self._chars, self._link_chars, len(self.images), self._hrefs))
        if tag == "figure":
            self._figures.append(len(self.blocks) - 1)

    def _end_tag(self, tag: str, start: int) -> None:
        if self._hidden:  # inside hidden content only its own end tags count
            if tag in self._hidden:
                while self._hidden and self._hidden.pop() != tag:
                    pass
            return
        kind = _KINDS.get(tag)
        if kind == _LINK:
            self._in_link = 0
            return
        if tag in _PREFORMATTED:
            self._preformatted = max(self._preformatted - 1, 0)
        if kind == _LINE:  # </li>, </td>, </h2>: line breaks only, no block of theirs is open
            self._break(start)
            return
        if kind == _RECORD:
            self._break(start)
        elif kind != _INLINE:  # nothing to do: </span>, or </script> after its raw text was read
            return
        elif self._inner.get(tag):  # the end of an element inside a recorded caption of the same name
            self._inner[tag] -= 1
            return
        tags = self._open_tags
        if tags and tags[-1] == tag:
            self._close_block()
        elif tag in tags:  # an end tag with no open element of its name is ignored, as browsers do
            depth = len(tags) - 1 - tags[::-1].index(tag)
            while len(tags) > depth:
                self._close_block()

    def _close_block(self) -> None:
        index = self._open.pop()
        block, tag = self.blocks[index], self._open_tags.pop()
        chars, links, images, hrefs = self._opened.pop()
        block.close(self.length, self._chars - chars, self._link_chars - links, len(self.images) - images,
                    self._hrefs - hrefs)
        if tag in _INLINE_CAPTION:
            self._inline_open[tag] -= 1
        if block.parent >= 0:
            parent = self.blocks[block.parent]
            # what its links say holds for its parent too
            if block.own_licence is not False and (block.own_licence is None or parent.own_licence is not None):
                parent.own_licence = block.own_licence
            if tag == "p" and block.chars >= 25:  # readability's paragraph score
                points = 1 + block.chars / 100 + min(block.chars // 100, 3)
                parent.score += points
                if parent.parent >= 0:
                    self.blocks[parent.parent].score += points / 2
        if self._held:
            self.blocks.closed(index)
        if tag == "figcaption":  # its figure's images are known when the figure closes (it may come first)
            if self._figures:
                self._figcaptions.setdefault(self._figures[-1], []).append((block.start, block.end))
        elif tag == "figure":
            self._figures.pop()
            for start, end in self._figcaptions.pop(index, ()):
                self.captions.extend((i, start, end) for i in range(images, len(self.images))
                                     if self.images[i][3] == index)
        elif block.hint == CAPTION and self.images:
            last = len(self.images) - 1
            if 0 <= block.start - self.images[last][0] <= CAPTION_REACH:
                self.captions.append((last, block.start, block.end))

    def _address(self, tag: str, values: dict[str, str]) -> None:
        """The page's own address: its first canonical link, else its og:url."""
        if tag == "link" and "canonical" in values.get("rel", "").lower().split() and values.get("href") and (
                not self._canonical):
            self.url, self._canonical = values["href"].strip(), True
        elif tag == "meta" and values.get("property") == "og:url" and values.get("content") and not self.url:
            self.url = values["content"].strip()

    def _reference(self, text: str, start: int) -> None:
        decoded = html.unescape(text)
        self._add(decoded, start if decoded == text else ~start)  # not a known entity: kept as written

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
    blocks: Sequence[Block]
    url: str | None = None  # the address the page gives itself (canonical link, og:url, "saved from url")
    # visible-text ranges of the caption elements of images (a figure's <figcaption>, a caption or credit
    # element after a picture), sorted and disjoint: what credits a picture, not the story around it
    captions: list[tuple[int, int]] = field(default_factory=list)
    kept: list[tuple[int, int]] | None = None  # the ranges of the text kept, when the rest was blanked


def visible_text(source: str, keep: Callable[[Sequence[Block], int], list[tuple[int, int]]] | None = None) -> Page:
    """The visible text of ``source``, its links, images with their captions, block elements, and the
    offset map back to the source. With ``keep`` (the blocks and the text's length -> sorted, disjoint
    ranges of the text), the text outside its ranges is blanked (see :func:`_blanked`; captions are read
    before) and the blocks are not kept."""
    return read_page(source, keep).page()


def read_page(source: str | Narrowed,
              keep: Callable[[Sequence[Block], int], list[tuple[int, int]]] | None = None) -> Reading:
    """:func:`visible_text` but for joining the text, which :meth:`Reading.page` does: the reading holds no
    reference to ``source``, which its caller may let go first (a big page's source and text were each
    held at once)."""
    reader = _Reader(_nuls_shown(source))
    reader.read()
    url = reader.url
    if url is None and (saved := _SAVED_FROM.search(source[:SAVED_FROM_REACH])):
        url = saved.group(1)
    text = reader.text.read()
    images, kept = _captioned(text, reader), None
    if keep is not None:  # the blocks go once the ranges are known
        kept, reader.blocks = keep(reader.blocks, reader.length), []
    captions = _merged(sorted({(start, end) for _, start, end in reader.captions}))
    return Reading(text, Page("", reader.links, images, OffsetMap(reader.starts, reader.sources), reader.blocks, url,
                              captions, kept))


@dataclass
class Reading:
    """A page read, its text not yet joined (``text``: a big one packed), and the page but for its text
    (``unjoined``)."""

    text: str | PackedText
    unjoined: Page

    def page(self) -> Page:
        """The page, its text joined: outside its ``kept`` ranges, if any, blanked (see :func:`_blanked`)."""
        text, self.text = self.text, ""
        kept = self.unjoined.kept
        return replace(self.unjoined, text=text[:] if kept is None else _blanked(text, kept))


def _nuls_shown(source: str | Narrowed) -> str | Narrowed:
    """``source`` with each NUL read as U+FFFD: while the text is read, BREAK (NUL) is a line break."""
    if isinstance(source, Narrowed):
        return source.replaced(BREAK, "\ufffd")
    return source.replace(BREAK, "\ufffd") if BREAK in source else source


class _Text:
    """The visible text as it is read, piece by piece: the latest pieces as they are, the earlier ones joined
    and packed (rightscheck.documents.packed) :data:`JOINED` characters at a time. As strs, a big page's pieces
    were 62 MB of heap, which the process keeps once they are let go; packed, they are a fifth of their
    UTF-8."""

    def __init__(self) -> None:
        self._packed = PackedText()
        self._pieces: list[str] = []
        self._length = 0
        self._full = JOINED  # the length at which the pieces are packed
        self._packed_last = ""  # the last character packed

    def add(self, piece: str) -> None:
        self._pieces.append(piece)
        self._length += len(piece)
        if self._length >= self._full:
            self._packed.append("".join(self._pieces))
            self._pieces, self._full, self._packed_last = [], self._length + JOINED, piece[-1]

    def last(self) -> str:
        """The last character added ("" if none)."""
        return self._pieces[-1][-1] if self._pieces else self._packed_last

    def read(self) -> str | PackedText:
        """The text read: packed if it grew past :data:`JOINED` characters, else a str."""
        if not len(self._packed):
            return "".join(self._pieces)
        if self._pieces:
            self._packed.append("".join(self._pieces))
            self._pieces = []
        return self._packed


def _blanked(text: str | PackedText, kept: list[tuple[int, int]]) -> str:
    """``text`` with everything outside the ``kept`` ranges blanked: a line break, spaces and a line break of
    its own length (it stands between block elements, so the kept lines are what they were). Grown in place,
    :data:`JOINED` characters at a time (see rightscheck.inputs.pieces), a packed ``text`` let go as it is
    read."""
    length = len(text)
    blanked, batch, held, cursor = "", [], 0, 0
    for start, end in [*kept, (length, length)]:  # the last, empty, range: the gap after the last kept one
        start, end = min(start, length), min(end, length)
        if start > cursor:
            batch.append(_gap(start - cursor))
        batch.append(text[start:end])
        held, cursor = held + max(end - cursor, 0), end
        if held >= JOINED or end == length:
            blanked += "".join(batch)
            batch, held = [], 0
            if isinstance(text, PackedText):
                text.release(end)
    return blanked


def _shown(text: str) -> str:
    """A piece as the text shows it: line breaks of the source as spaces, those of preformatted text (read as
    BREAK) as line breaks."""
    return text.replace("\r", " ").replace("\n", " ").replace(BREAK, "\n")


def _gap(length: int) -> str:
    return "\n" + " " * (length - 2) + "\n" if length >= 2 else "\n"


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted ranges with the overlapping and nested ones joined (a credit element inside a figcaption)."""
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return joined


def _described(values: dict[str, str], address: str | None) -> str:
    """What describes an image (image matchers search it): its address, alt text, tooltip and credit attributes."""
    credits = (v for k, v in values.items() if _CREDIT_ATTR.search(k))
    return " ".join(filter(None, (address, *map(values.get, _DESCRIBING), *credits)))


def _captioned(text: str | PackedText, reader: _Reader) -> list[Image]:
    """Images with their captions' text; an image with no caption element takes the next non-blank line
    of text if it is short and comes before the next image."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for index, start, end in reader.captions:
        spans.setdefault(index, []).append((start, end))
    for index, found in spans.items():  # a caption element inside another (a credit in a caption) is said once
        spans[index] = [(a, b) for a, b in found if not any(c <= a and b <= d and (c, d) != (a, b) for c, d in found)]
    images = []
    for index, (offset, described, markup, _, block) in enumerate(reader.images):
        parts = [" ".join(text[a:b].split()) for a, b in spans.get(index, ())]
        if index in reader.shown_captions:
            parts.insert(0, reader.shown_captions[index])
        elif parts:  # a credit line between the image and its caption element (<span class="source">) goes with it
            before = text[offset:min(a for a, _ in spans[index])].strip()
            if before and "\n" not in before and len(before) <= CREDIT_BEFORE:
                parts.insert(0, " ".join(before.split()))
        else:
            following = reader.images[index + 1][0] if index + 1 < len(reader.images) else len(text)
            line, end = _next_line(text, offset, following)
            if line.endswith(":") and len(line) <= CAPTION_LABEL:  # "Photo by:" then the credit on its own line
                more, end = _next_line(text, end, following)
                line = f"{line} {more}".strip()
            if line and (len(line) <= CAPTION_LINE or len(line) <= CAPTION_ALONE
                         and _alone(reader.blocks, block, end, len(line))):
                parts = [line]
        images.append(Image(offset, described, markup, " ".join(parts)))
    return images


def _alone(blocks: Sequence[Block], index: int, end: int, length: int) -> bool:
    """Whether an image (in block ``index``) and the line after it (ending at ``end``, ``length`` long)
    are all that the smallest block holding both holds: a picture and its caption, however long."""
    while index >= 0:
        block = blocks[index]
        if block.end >= end:
            return block.images == 1 and block.chars <= length + 20
        index = block.parent
    return False


def _next_line(text: str | PackedText, offset: int, limit: int) -> tuple[str, int]:
    """The first non-blank line of ``text`` from ``offset``, if it starts before ``limit``, and its end."""
    while offset < limit:
        end = text.find("\n", offset)
        end = len(text) if end == -1 else end
        line = text[offset:end].strip()
        if line:
            return line, end
        offset = end + 1
    return "", offset
