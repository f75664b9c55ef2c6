"""What every input hands the scanner: documents (a file to read, or a record with its bytes in hand) and
skips, each with where it came from. A new input (a WARC archive, a CMS export, a web page) is a module
that yields these; nothing after it changes.

A file on disk stays a :class:`~rightscheck.inputs.files.Candidate`, read only when scanned (and by a
worker process); a document held inside a container (a WARC response, a WXR item, a JSON Lines row) or
fetched (stdin, a web page) is a :class:`Record`, which carries its bytes and its ``record`` location."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from dataclasses import dataclass, field

from rightscheck.core.result import Skipped

__all__ = ["DOCUMENT_KINDS", "KINDS", "MEDIA_KINDS", "WARC_NAMES", "Record", "Skipped", "is_csv", "is_jsonl", "is_url", "kind_for", "media_type", "sniff_kind"]

# File extensions a folder walk picks up, and the kind of document each is read as.
KINDS = {
    ".txt": "text", ".text": "text",
    ".md": "markdown", ".markdown": "markdown", ".mdown": "markdown", ".mkd": "markdown",
    ".html": "html", ".htm": "html", ".xhtml": "html",
}
DOCUMENT_KINDS = ("html", "markdown", "text")
WARC_NAMES = (".warc", ".warc.gz", ".wet", ".wet.gz")  # web archives, by the names crawlers give them


def is_jsonl(name: str) -> bool:
    """Whether a file is JSON Lines by its name: ``.jsonl`` or ``.ndjson``, plain or gzipped."""
    return name.lower().removesuffix(".gz").endswith((".jsonl", ".ndjson"))


def is_csv(name: str) -> bool:
    """Whether a file is CSV (``.csv``) or tab-separated (``.tsv``) by its name."""
    return name.lower().endswith((".csv", ".tsv"))


def kind_for(path: str) -> str | None:
    """Document kind by file extension, or None for files a directory walk should not pick up."""
    return KINDS.get(os.path.splitext(path)[1].lower())


@dataclass(frozen=True)
class Record:
    """One document an input holds in memory. ``path`` is what reports show as its file (the container as
    given on the command line, a URL, ``-`` or the stdin name); ``record`` says where in the container it
    is, with keys that suit the input (``container``, ``offset``, ``uri``, ``date`` for WARC; ``line`` and
    ``id`` for JSON Lines and CSV; ``link`` and ``post_id`` for WXR; ``uri`` for a web page), ``None`` for
    a document that is the whole of its file (stdin). ``charset`` is the encoding the container declares
    (an HTTP ``Content-Type``), tried when the bytes are not UTF-8."""

    path: str
    kind: str  # one of DOCUMENT_KINDS
    data: bytes = field(repr=False)
    record: dict | None = None
    charset: str | None = None


_MARKUP = (b"<!doctype", b"<html", b"<head", b"<body", b"<p", b"<div", b"<article", b"<h1", b"<h2", b"<section",
           b"<span", b"<a ", b"<br", b"<table", b"<ul", b"<figure", b"<img", b"<meta")


def sniff_kind(data: bytes) -> str:
    """``html`` when the first non-blank bytes open a common HTML tag, else ``text``: for records whose
    container does not say (a JSON Lines body, a CMS export's content field)."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return "html" if head.startswith(_MARKUP) or b"</p>" in data[:4096].lower() else "text"


_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(arg: str) -> bool:
    """Whether a command-line argument names a resource by URL (``scheme://``) rather than a path: the web
    input fetches ``http`` and ``https`` ones and refuses the rest (``file://``, ``ftp://``) with a reason."""
    return _URL.match(arg) is not None


# Media types read as documents, from an HTTP Content-Type (a web page, a WARC response); any other type
# is not a document.
MEDIA_KINDS = {"text/html": "html", "application/xhtml+xml": "html", "text/plain": "text",
               "text/markdown": "markdown", "text/x-markdown": "markdown"}


@lru_cache(maxsize=256)  # a crawl's records and a site's pages share a few Content-Types
def media_type(content_type: str | None) -> tuple[str, str | None]:
    """The media type of a Content-Type header, lower-cased ("" when absent), and its charset parameter if
    any (cut to 40 characters); of the first value when a server sent the header twice (joined by a comma)."""
    if not content_type:
        return "", None
    media, *params = content_type.split(",")[0].split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip(" \t\"'"):
            charset = value.strip(" \t\"'")[:40]
    return media.strip().lower(), charset
