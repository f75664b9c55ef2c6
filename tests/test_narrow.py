"""A big page is read through a one-byte view of its source (rightscheck.documents.narrow) and its blocks are
held in columns (rightscheck.documents.blocks): what it gives must be what the plain path gives, to the
character, the offset and the finding."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rightscheck.documents.document as document
import rightscheck.documents.htmltext as htmltext
import rightscheck.documents.narrow as narrow
import rightscheck.documents.packed as packed
import rightscheck.inputs.files as files
import rightscheck.inputs.pieces as pieces_module
from rightscheck.documents.blocks import Block
from rightscheck.documents.htmltext import read_page
from rightscheck.documents.narrow import OTHER, SPACE, WORD, Narrowed, narrowed, stand_in
from rightscheck.inputs.pieces import Pieces
from rightscheck.text.confusables import hint_bytes

# Markup and text where a character past U+00FF could change what the reader sees: in tag names and between
# "=" and a value (white space ends a name; "=\u2003'a>b'" is a quoted value), after "</script" (a word
# character there is no end tag), "ſ" and "K" (which "s" and "k" match ignoring case: no view), NUL, line breaks.
PARTS = ["<p>", "</p>", "<div class='story'>", "</div>", "<a href=/x>", "</a>", "<br>", "<script>", "</script",
         "</style>", "<p\u00a0class=credit>", "<span\u3000class='credit'>", "</span>", "<img src='a.jpg' alt=",
         "=\u2003'a>b'", ">", "<", "&amp;", "&euro;", "<!--", "-->", "<pre>", "</pre>", "<figure>", "<figcaption>",
         "\r\n", "\n", "\r", " ", "\x00", "€", "é", "£", "\u00a0", "\u2028", "\U0001f600", "Ω", "\u0663",
         "\u017f", "\u212a", "PARIS (AFP) —", "Photo: Jane Doe/AFP", "word"]
FOLDS_TO_ASCII = re.compile("[\u017f\u212a]")
PAGE = st.lists(st.sampled_from(PARTS), max_size=60).map("".join)


def _narrowed(source: str, monkeypatch) -> str | Narrowed:
    """``source`` as a big page's is read: narrowed unless it may not be (runs cost nothing here, so that a
    short page is narrowed too)."""
    monkeypatch.setattr(narrow, "RUN_COST", 0)
    monkeypatch.setattr(narrow, "CHAR_COST", 0)
    return narrowed(Pieces([source.encode("utf-8", "surrogatepass")]), hint_bytes)[0]


def _page(source: str | Narrowed, keep):
    page = read_page(source, keep).page()
    return replace(page, blocks=[[getattr(block, name) for name in Block.__slots__] for block in page.blocks])


@settings(max_examples=400, deadline=None)
@given(PAGE, st.booleans())
def test_a_page_read_through_its_view_and_columns_is_the_page_read_plainly(source, article):
    """Text, offsets, links, images and captions, blocks, the article: the same from the narrowed source with
    blocks in columns as from the str with Block objects."""
    keep = document.article_spans if article else None
    plain = _page(source, keep)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(htmltext, "PACKED_FROM", 0)  # blocks in columns
        held = _narrowed(source, monkeypatch)
        assert held[:] == source
        held_apart = re.search(r"[^\x01-\xff]", source) and not FOLDS_TO_ASCII.search(source)
        assert isinstance(held, Narrowed) == bool(held_apart)
        assert _page(held, keep) == plain


@settings(max_examples=300, deadline=None)
@given(PAGE, st.data())
def test_a_narrowed_text_slices_as_the_str(source, data):
    with pytest.MonkeyPatch.context() as monkeypatch:
        held = _narrowed(source, monkeypatch)
    for _ in range(10):
        start, end = data.draw(st.integers(-3, len(source) + 3)), data.draw(st.integers(-3, len(source) + 3))
        assert held[start:end] == source[start:end]
    if isinstance(held, Narrowed):
        assert len(held.view) == len(source) and held.view.encode("latin-1")
        assert held.replaced("\x00", "\ufffd")[:] == source.replace("\x00", "\ufffd")


def test_stand_ins_are_read_as_what_they_stand_for():
    """A stand-in is a white space, word character or neither as the character it stands for is, to \\s and
    \\w, and no ASCII letter matches it ignoring case; a character that one matches has none."""
    assert [stand_in(char) for char in ("\u3000", "\u2028", "Ω", "\u0663", "\U0001f600", "€", "\x00")] == [
        SPACE, SPACE, WORD, WORD, OTHER, OTHER, OTHER]
    for shown, space, word in ((SPACE, True, False), (WORD, False, True), (OTHER, False, False)):
        assert (bool(re.match(r"\s", shown)), bool(re.match(r"\w", shown))) == (space, word)
        assert not re.match("[a-z]", shown, re.I) and shown <= "\xff"
    assert [stand_in(char) for char in "\u017f\u212a\u0130\u0131"] == [None] * 4


def test_a_text_whose_runs_would_cost_more_than_half_its_view_is_read_as_a_str():
    text = "a€" * 5000
    held, _ = narrowed(Pieces([text.encode()]), hint_bytes)
    assert type(held) is str and held == text
    held, _ = narrowed(Pieces([("a" * 9000 + "€").encode()]), hint_bytes)
    assert isinstance(held, Narrowed) and held[:] == "a" * 9000 + "€"


def test_a_narrowed_text_that_is_not_utf8_is_put_back_whole():
    data = ("a" * 5000 + "€").encode() + b"\xff" + b"b" * 10
    found = Pieces([data[:2000], data[2000:5003], data[5003:]])
    assert narrowed(found, hint_bytes) is None and found.joined() == data


def _big_page(euro_from: int) -> bytes:
    """A page of about 1.2 MB, CRLF line ends, whose euro signs and astral characters all come after
    ``euro_from`` bytes, with an agency dateline, a credit, a suppressed notice and a photo credit after them."""
    paragraph = "<p>The council said on Monday the hall roof would be repaired in March, at a cost of {}.</p>\r\n"
    head = ("<html><head><title>Roof</title></head><body><nav><a href='/'>Home</a></nav><article><h1>Roof</h1>\r\n")
    body, size = [head], len(head)
    while size < euro_from:
        body.append(paragraph.format("about 40,000 pounds"))
        size += len(body[-1])
    body += [paragraph.format(f"€{n},000 \U0001f600") for n in range(2000)]
    body += ["<p>PARIS (AFP) — Talks\u00a0resumed on the\u2003roof.</p>\r\n",
             "<!-- rightscheck: ignore afp/* -- licensed via\r\nsyndication deal 2026-114 -->\r\n",
             "<p>protected by intellectual property rights owned by Agence France-Presse.</p>\r\n",
             "<figure><img src='GettyImages-123.jpg'><figcaption>A roof. Photo: Jane Doe</figcaption></figure>\r\n",
             "</article><footer>© Site</footer></body></html>\r\n"]
    return "".join(body).encode()


@pytest.mark.parametrize("scope", ["article", "page"])
def test_a_big_page_scans_as_its_plain_reading_does(cli, write, monkeypatch, scope):
    """Findings, their lines, columns and snippets, suppressions: the same when the page is read in pieces
    through its view, its blocks in columns and its source packed, as when it is read whole as a str; its
    euro signs only after its first megabyte."""
    write("site/big.html", _big_page(euro_from=1 << 20))

    def report():
        return json.loads(cli("scan", "site", "--format", "json", "--scope", scope).output)

    plain = report()
    monkeypatch.setattr(pieces_module, "map_big_blocks", lambda: None)  # the test process's malloc as it was
    monkeypatch.setattr(files, "PIECES_FROM", 1 << 16)
    monkeypatch.setattr(pieces_module, "PIECE", 1 << 16)
    monkeypatch.setattr(packed, "PACKED_FROM", 1 << 16)
    monkeypatch.setattr(htmltext, "PACKED_FROM", 1 << 16)
    read = _reads_narrowed(monkeypatch)
    assert report() == plain and plain["findings"] and plain["summary"]["suppressed"]
    assert read == [True]


def _reads_narrowed(monkeypatch) -> list[bool]:
    """Whether each page read was narrowed."""
    read: list[bool] = []

    def spied(*args):
        found = narrowed(*args)
        read.append(found is not None and isinstance(found[0], Narrowed))
        return found

    monkeypatch.setattr(document, "narrowed", spied)
    return read
