"""Property-based and fuzz tests (hypothesis): random bytes, random text and random rule packs drawn from
the pack schema never make the reader, the loader or the scanner raise anything but the errors meant for
users, and each example finishes within hypothesis' deadline."""

from __future__ import annotations

import json
import tempfile
from importlib import resources
from pathlib import Path

import regex
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from rightscheck.checks.attribution import check, signal_matches
from rightscheck.documents.document import SkipFile, parse
from rightscheck.core.errors import RightscheckError
from rightscheck.documents.htmltext import visible_text
from rightscheck.packs.pack import load_pack, load_packs

PACKS = load_packs()
SCHEMA = json.loads(resources.files("rightscheck.core").joinpath("schema", "rulepack.schema.json").read_text())
FAST = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
KINDS = st.sampled_from(["text", "markdown", "html"])
LINE_BREAK = regex.compile(r"\r\n|[\n\r\u2028\u2029]")


def _scan_document(data: bytes, kind: str) -> None:
    try:
        doc = parse("fuzz", data, kind)
    except SkipFile:
        return
    for pack in PACKS:
        for finding in check(doc, pack, licensed=False):
            assert finding.line >= 1 and finding.column >= 1
            assert (finding.end_line, finding.end_column) >= (finding.line, finding.column)
            assert finding.line <= len(LINE_BREAK.findall(doc.source)) + 1


@FAST
@given(st.binary(max_size=4000), KINDS)
def test_fuzz_reader_random_bytes(data, kind):
    _scan_document(data, kind)


@FAST
@given(st.text(max_size=3000), KINDS)
def test_random_text_scans(text, kind):
    _scan_document(text.encode("utf-8", "surrogatepass"), kind)


MARKUP = st.lists(st.sampled_from([
    "<p>", "</p>", "<div>", "<head>", "<title>", "</title>", "<script>", "</script>", "<!--", "-->", "&amp;",
    "&#233;", "&bogus;", "<b>", "</i>", "\n", "\r", " ", "BAGHDAD, Jan 18 (AFP) - ", "Copyright AFP", "---\n",
    "source: AFP\n", "**", "[x](http://a)", "`", "\u2028",
]), max_size=60).map("".join)


@FAST
@given(MARKUP, KINDS)
def test_fuzz_reader_markup_soup(text, kind):
    _scan_document(text.encode(), kind)


@settings(max_examples=60, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(from_schema(SCHEMA), st.text(st.characters(blacklist_characters="\x00"), max_size=500))  # NUL: a binary file
def test_random_packs_from_the_schema(pack_data, text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.yaml"
        path.write_text(yaml.safe_dump(pack_data), "utf-8")
        try:
            pack = load_pack(path, timeout=0.5)
        except RightscheckError as exc:
            assert str(exc).startswith(str(path))
            return
        doc = parse("fuzz.txt", text.encode(), "text")
        signal_matches(doc, pack)
        check(doc, pack, licensed=False)


@FAST
@given(st.binary(max_size=2000))
def test_fuzz_pack_loader_random_bytes(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.yaml"
        path.write_bytes(data)
        try:
            load_pack(path)
        except RightscheckError:
            pass


LINE_BREAKS_AS_SPACES = str.maketrans("\r\n", "  ")  # as a browser shows line breaks of the source in text
HTML_SOUP = st.lists(st.sampled_from([
    "<p>", "</p>", "<div class='a>b'>", "<head>", "</head>", "<title>", "</title>", "<script>", "</script>",
    "<style>p{}</style>", "<!--", "-->", "<!DOCTYPE html>", "<![CDATA[x]]>", "&amp;", "&amp", "AT&T", "&#233;",
    "&#x1F600;", "&bogus;", "<br/>", "<iframe>", "</iframe>", "<img src='a.jpg' alt=\"x > y\">", "<IMG SRC=b.png>",
    "<a href=\"/u?a=1&amp;b=2\">", "</a>", "<pre>", "</pre>", "<nav>", "</nav>", "<figure>", "<figcaption>",
    "</figure>", "<span class=credit>", "</span>", "<article>", "</article>", "<", ">", "\"", "'", "\n", " ", "Copyright AFP", "text",
]), max_size=60).map("".join)


@FAST
@given(HTML_SOUP)
def test_html_visible_text_maps_back_to_the_source(source):
    page = visible_text(source)
    starts = page.offsets.text_starts
    for i, start in enumerate(starts):
        piece = page.text[start:starts[i + 1] if i + 1 < len(starts) else len(page.text)]
        at = page.offsets.sources[i]
        if at >= 0:  # written as it is in the source (a decoded or inserted piece is stored as ~offset)
            written = source[at:at + len(piece)]
            assert written.translate(LINE_BREAKS_AS_SPACES) == piece or written == piece  # <pre> keeps them
    for image in page.images:
        assert source[slice(*image.markup)].lower().startswith("<img") and source[image.markup[1] - 1] == ">"
    assert all(0 <= offset <= len(page.text) for offset, _ in page.links)
