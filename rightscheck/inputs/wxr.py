"""WordPress WXR exports: every post and page of a site in one XML file (RSS 2.0 with ``wp:``, ``content:``,
``excerpt:`` and ``dc:`` elements), each ``<item>`` one document whose HTML is its ``content:encoded``.

The export is parsed as a stream by defusedxml's parser, whose handlers refuse entity declarations (the
billion laughs, external entities) before expat expands anything. Its ElementTree ``iterparse`` would keep
each item's whole text in the tree until the item ends; here a small target keeps only the fields an item
needs, and no more than ``limit`` characters of its content, so memory stays flat in the export's size
and in any one post's size, and each item's line is known from the parser as its tag opens.

Every post type is scanned except WordPress's own non-article types (:data:`NOT_CONTENT`): custom types
(products, events, live-blog entries) hold text a site publishes. Drafts, pending and private posts are
scanned too, since they get published later; their ``status`` says which they are. Comments, excerpts and
post meta are not read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ErrorString

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from rightscheck.inputs.base import Record, Skipped

# WordPress's built-in post types that are machinery, not articles: media, menus, revisions, block patterns,
# site-editor templates and styles, customizer state, caches and privacy requests.
NOT_CONTENT = frozenset({
    "attachment", "nav_menu_item", "revision", "wp_block", "wp_template", "wp_template_part",
    "wp_global_styles", "wp_navigation", "wp_font_family", "wp_font_face", "custom_css",
    "customize_changeset", "oembed_cache", "user_request",
})

_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_WP = re.compile(r"\{https?://wordpress\.org/export/[^/}]+/\}(post_id|status|post_type)$")
_HEAD_RSS = re.compile(rb"<rss[\s>]")
_HEAD_WP = re.compile(rb"xmlns:[\w.-]+\s*=\s*[\"']https?://wordpress\.org/export/")
_CHUNK = 1 << 16
_META_CHARS = 4096  # a title, link or id longer than this is cut: they only locate the post


def is_wxr(name: str, head: bytes) -> bool:
    """Whether a file is a WordPress export: an ``.xml`` or ``.wxr`` file whose first bytes (4 KB is
    enough: WordPress writes a comment of about 1.5 KB, then the ``<rss>`` tag with its namespaces) open an
    RSS document with a ``wordpress.org/export/`` namespace. Other RSS feeds are not exports."""
    return name.lower().endswith((".xml", ".wxr")) and opens_export(head)


def opens_export(head: bytes) -> bool:
    """Whether a file's first bytes open a WordPress export, whatever the file is called."""
    return _HEAD_RSS.search(head) is not None and _HEAD_WP.search(head) is not None


def wxr_records(fs_path: str, shown: str, limit: int) -> Iterator[Record | Skipped]:
    """Each content item of the export at ``fs_path`` as a Record of kind html, in file order; items not
    scanned as Skipped. Reading stops at the first entity declaration (refused) or XML error, after the
    items before it; both are one Skipped that says where."""
    with open(fs_path, "rb") as stream:
        items = _Items(limit)
        parser = DefusedXMLParser(target=items)
        items.line = lambda: parser.parser.CurrentLineNumber
        offset = 0
        while True:
            failure, line = None, 0
            try:
                chunk = stream.read(_CHUNK)
                if chunk:
                    parser.feed(chunk)
                else:
                    parser.close()
            except DefusedXmlException:  # an entity declaration; expat meets one before any reference
                line = items.line()
                failure = f"entity declarations are refused (line {line})"
            except ParseError as exc:
                line, column = exc.position
                failure = f"malformed XML at line {line}, column {column + 1} ({ErrorString(exc.code)})"
            except OSError as exc:
                failure, line = f"read error after byte {offset} ({exc.strerror or exc})", items.line()
            for item in items.done:
                yield _document(item, shown, limit)
            items.done.clear()
            if failure:
                yield Skipped(shown, f"{failure}: export not read further", record={"container": shown, "line": line})
                return
            if not chunk:
                return
            offset += len(chunk)


def _document(item: dict, shown: str, limit: int) -> Record | Skipped:
    """An item's Record, or why it is not scanned."""
    post_type = item.get("post_type")
    record = {"container": shown, "post_id": item.get("post_id"), "link": item.get("link"),
              "title": item.get("title"), "status": item.get("status"), "line": item["line"]}
    where = f"item at line {item['line']}"
    if post_type in NOT_CONTENT:
        return Skipped(shown, f"{where}: a WordPress {post_type}, not content", problem=False, record=record)
    size = item.get("size", 0)
    if size > limit:
        return Skipped(shown, f"{where}: larger than max_file_size ({size} > {limit} bytes)", record=record)
    data = item.get("content", b"")
    if not data.strip():
        return Skipped(shown, f"{where}: no content", problem=False, record=record)
    return Record(shown, "html", data, record)


class _Items:
    """The parser's target: keeps the fields of the current ``<item>`` (its direct children only) and
    hands each finished item to :attr:`done`; everything else in the export passes through unkept.

    Content is kept up to ``limit`` characters (a character is at least a byte, so more is too large);
    past that only its size in bytes is counted, for the reason that says how large it was."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.line = lambda: 0  # the parser's current line, set once the parser exists
        self.done: list[dict] = []
        self.depth = 0
        self.item: dict | None = None
        self.item_depth = 0
        self.field: str | None = None  # the item field whose text is being collected
        self.parts: list[str] = []
        self.kept = 0  # characters in parts
        self.size = 0  # bytes of content past the limit, counted not kept
        self.names: dict[str, str | None] = {}

    def start(self, tag: str, attrib: dict) -> None:
        self.depth += 1
        if self.item is None:
            if tag == "item":
                self.item = {"line": self.line()}
                self.item_depth = self.depth
        elif self.depth == self.item_depth + 1:
            self.field = self._field(tag)
            self.parts, self.kept, self.size = [], 0, 0

    def data(self, text: str) -> None:
        if self.field is None:
            return
        if self.size:
            self.size += len(text.encode())
            return
        cap = self.limit if self.field == "content" else _META_CHARS
        if self.kept + len(text) <= cap:
            self.parts.append(text)
            self.kept += len(text)
        elif self.field == "content":
            self.size = len("".join(self.parts).encode()) + len(text.encode())
            self.parts = []
        else:
            self.parts.append(text[:cap - self.kept])
            self.kept = cap

    def end(self, tag: str) -> None:
        if self.item is not None:
            if self.field is not None and self.depth == self.item_depth + 1:
                text = "".join(self.parts)
                if self.field == "content":
                    data = text.encode()
                    self.item["content"] = data
                    self.item["size"] = self.size or len(data)
                else:
                    self.item[self.field] = text.strip()
                self.field, self.parts = None, []
            elif self.depth == self.item_depth:
                self.done.append(self.item)
                self.item = None
        self.depth -= 1

    def _field(self, tag: str) -> str | None:
        """The item field a child element holds, or None for one not kept (names cached: they repeat)."""
        if tag not in self.names:
            match = _WP.match(tag)
            self.names[tag] = ("content" if tag == _CONTENT else tag if tag in ("title", "link")
                               else match.group(1) if match else None)
        return self.names[tag]
