"""Document reading: decoding, visible text of HTML and Markdown, and mapping offsets back to the file."""

from __future__ import annotations

from dataclasses import replace

import pytest

import rightscheck.documents.htmltext as htmltext
from rightscheck.documents.article import article_spans
from rightscheck.documents.document import SkipFile, decode, parse
from rightscheck.documents.htmltext import Block, read_page
from rightscheck.inputs.base import kind_for

PAGE = """<!doctype html>
<html><head><title>Storm hits coast (AFP)</title>
<script>window.dataLayer = ["Copyright AFP"];</script>
<style>.afp { color: red }</style></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article>
<p>MANILA, Oct 3 (AFP) - A storm
battered the coast on&nbsp;Friday, officials said.</p>
<!-- syndicated: Copyright AFP -->
<p>Read the <a href="https://example.org/terms">terms</a> &amp; conditions.</p>
</article></body></html>
"""


def test_kinds_by_extension():
    assert kind_for("a/B.HTML") == "html"
    assert kind_for("x.markdown") == "markdown"
    assert kind_for("notes.txt") == "text"
    assert kind_for("photo.jpg") is None


@pytest.mark.parametrize(
    "data, text, encoding",
    [
        ("Zürich, Jan 2 (AFP) — café".encode("utf-8"), "Zürich, Jan 2 (AFP) — café", "utf-8"),
        ("\ufeffBOM text".encode("utf-8"), "BOM text", "utf-8-sig"),
        ("Köln, März".encode("utf-16"), "Köln, März", "utf-16"),
    ],
)
def test_decode_known_encodings(data, text, encoding):
    assert decode(data) == (text, encoding)


def test_decode_falls_back_to_detected_charset():
    data = ("Sécurité à Genève: le président a déclaré « nous sommes prêts », "
            "a-t-il ajouté devant les élèves réunis à l'école.").encode("cp1252")
    text, encoding = decode(data)
    assert "Genève" in text and "prêts" in text


def test_binary_is_skipped():
    with pytest.raises(SkipFile, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_html_visible_text_maps_offsets_and_drops_hidden_content():
    doc = parse("page.html", PAGE.encode(), "html", scope="page")
    assert "Storm hits coast" not in doc.text  # <head> is not article text
    assert "dataLayer" not in doc.text and "color: red" not in doc.text
    assert "syndicated" not in doc.text  # comments dropped
    assert "\xa0" in doc.text and "&nbsp;" not in doc.text
    assert "& conditions" in " ".join(doc.text.split())
    start = doc.text.index("MANILA")
    assert doc.line_col(start) == (7, 4)
    assert doc.end_line_col(start + len("MANILA, Oct 3 (AFP)")) == (7, 23)
    battered = doc.text.index("battered")
    assert doc.line_col(battered) == (8, 1)
    assert [href for _, href in doc.links] == ["/", "/world", "https://example.org/terms"]
    article = parse("page.html", PAGE.encode(), "html")  # the default scope: the navigation's links are chrome
    assert [href for _, href in article.links] == ["https://example.org/terms"]
    assert article.text.index("MANILA") == start and len(article.text) == len(doc.text)


def test_html_block_tags_start_new_lines():
    doc = parse("p.html", b"<p>first</p><p>SEOUL (AP) \xe2\x80\x94 second</p>", "html")
    lines = [line.strip() for line in doc.text.split("\n") if line.strip()]
    assert lines == ["first", "SEOUL (AP) — second"]


def test_malformed_html_does_not_crash():
    doc = parse("bad.html", b"<p>open <b>bold <i>italic</p></div></span><p>tail &bogus; &#xZZ; <", "html")
    assert "tail &bogus; &#xZZ;" in doc.text


def test_entities_inside_words_keep_the_word_whole():
    doc = parse("e.html", "<p>Cr&eacute;dit : AFP. Gen&#232;ve, France&#8209;Presse</p>".encode(), "html")
    assert "Crédit : AFP. Genève, France\u2011Presse" in doc.text
    assert doc.line_col(doc.text.index("dit")) == (1, 14)  # after the 8-character entity


def test_missing_head_end_tag_does_not_hide_the_page():
    doc = parse("h.html", b"<head><title>Site (AFP)</title>\n<p>BAGHDAD, Jan 18 (AFP) - Text.</p>", "html")
    assert "BAGHDAD" in doc.text and "Site" not in doc.text


def test_markdown_front_matter_is_read_and_blanked():
    source = "---\ntitle: Storm\nsource: AFP\nlicence: none\n---\nBody mentions nothing.\n"
    doc = parse("a.md", source.encode(), "markdown")
    assert doc.front_matter == {"source": "AFP", "licence": "none"}  # only the keys rightscheck reads
    assert doc.front_matter_lines == {"source": 3, "licence": 4}
    assert "AFP" not in doc.text and "Storm" not in doc.text and len(doc.text) == len(source)
    assert doc.text.count("\n") == source.count("\n")


def test_front_matter_keys_rightscheck_does_not_read_are_not_constructed():
    source = ("---\ndefaults: &d {source: AFP}\n<<: *d\nhero: !asset storm.jpg\ndate: 2026-02-30\n...\n"
              "# Storm\nBody.\n")
    doc = parse("a.md", source.encode(), "markdown")
    assert doc.notes == [] and doc.front_matter == {"source": "AFP"}  # merged in; the tag and date left alone
    assert doc.text.split() == ["Storm", "Body."]  # front matter and the heading marker blanked
    duplicate = parse("b.md", b"---\ntitle: a\ntitle: b\n---\nBody\n", "markdown")
    assert duplicate.notes == ["front matter ignored: duplicate key (first at line 1)"] and "title" in duplicate.text


def test_a_value_yaml_cannot_build_is_noted_not_fatal():
    doc = parse("a.md", b"---\nsource: 2026-02-30\n---\nBody\n", "markdown")
    assert doc.notes == ["front matter ignored: invalid YAML: day is out of range for month"]


def test_an_image_without_attributes_still_counts_as_an_image():
    doc = parse("a.html", b"<p>Storm</p><img loading='lazy'>", "html")
    assert [image.described for image in doc.images] == [""]
    assert doc.mentions((), "images") and not doc.mentions(("afp",), "images") and not doc.mentions((), "links")


def test_broken_front_matter_is_noted_not_fatal():
    doc = parse("a.md", b"---\ntitle: [unclosed\n---\nBody\n", "markdown")
    assert doc.front_matter == {}
    assert doc.notes and "front matter ignored" in doc.notes[0]


def test_markdown_and_bare_links():
    doc = parse("a.md", b"See [the licence](https://creativecommons.org/licenses/by/4.0/) and <https://x.org/a>.",
                "markdown")
    targets = {href for _, href in doc.links}
    assert "https://creativecommons.org/licenses/by/4.0/" in targets and "https://x.org/a" in targets


def test_regions_count_non_blank_lines():
    doc = parse("a.txt", b"one\n\n  \ntwo\nthree\n\nfour\n", "text")
    start, end = doc.region(("first_lines", 2))
    assert doc.text[start:end].split() == ["one", "two"]
    start, end = doc.region(("last_lines", 2))
    assert doc.text[start:end].split() == ["three", "four"]
    assert doc.region(("first_lines", 99)) == (0, len("one\n\n  \ntwo\nthree\n\nfour"))
    assert parse("e.txt", b"", "text").region(("last_lines", 3)) == (0, 0)


def test_crlf_line_columns():
    doc = parse("a.txt", b"line one\r\nSEOUL (AP) - x\r\n", "text")
    assert doc.line_col(doc.text.index("SEOUL")) == (2, 1)


def test_text_between_dashes_that_is_not_a_mapping_stays_visible():
    doc = parse("a.md", b"---\nBAGHDAD, Jan 18 (AFP) - Text.\n---\nMore.\n", "markdown")
    assert doc.front_matter == {} and "BAGHDAD" in doc.text
    assert doc.notes == ["front matter ignored: not a mapping of keys"]


def test_markdown_syntax_is_not_prose():
    source = ("# Bridge\n\n**Source:** AFP, see [the agency](https://www.afp.com/en) and `code`.\n"
              "> Quote with _emphasis_ and snake_case_name <!-- a comment -->\n![photo](pic.jpg)\n")
    doc = parse("a.md", source.encode(), "markdown")
    assert len(doc.text) == len(source)
    assert " ".join(doc.text.split()) == ("Bridge Source: AFP, see the agency and code . Quote with emphasis "
                                          "and snake_case_name")
    assert ("https://www.afp.com/en" in {href for _, href in doc.links})


def test_images_are_collected_with_source_alt_and_title():
    page = parse("a.html", b'<p>Intro</p><figure><img src="/i/AFP_123.jpg" alt="Flood" title="t">'
                           b'<figcaption>Photo: Jane Doe</figcaption></figure><!-- <img src="hidden.jpg"> -->', "html")
    assert [image.described for image in page.images] == ["/i/AFP_123.jpg Flood t"]
    offset, markup = page.images[0].offset, page.images[0].markup
    assert page.source[slice(*markup)] == '<img src="/i/AFP_123.jpg" alt="Flood" title="t">'
    assert page.line_col(offset)[0] == 1 and page.text[offset:].lstrip().startswith("Photo")
    md = parse("a.md", b'Text\n\n![Rescue boats](img/ap-photo.jpg "Boats")\n\nMore.\n', "markdown")
    assert [(i.offset, i.described, i.markup) for i in md.images] == [(6, "img/ap-photo.jpg Rescue boats Boats", (6, 47))]
    assert "Rescue" not in md.text  # alt text is not prose


def test_image_tags_and_credit_attributes_describe_images():
    # <image> is an <img> to browsers; copyright and credit attributes name the picture's owner as alt
    # text does (not visible: never a caption)
    page = parse("a.html", b'<p>Intro</p><p><image src="/i/harbour_1.jpg" caption="Harbour" '
                           b'copyright="Jane Doe/Agency"></image><sup>The harbour (Agency)</sup></p>'
                           b'<p><img src="/i/quay.jpg" alt="Quay" data-photo-credit="Agency"></p>',
                 "html")
    assert [(i.described, i.caption) for i in page.images] == [
        ("/i/harbour_1.jpg Jane Doe/Agency", "The harbour (Agency)"), ("/i/quay.jpg Quay Agency", "")]
    assert "Jane Doe" not in page.text


def test_around_counts_non_blank_lines_each_way():
    doc = parse("a.txt", b"one\n\ntwo\nthree\n\n\nfour\nfive\n")
    start, end = doc.around(doc.text.index("three"), 1)
    assert doc.text[start:end] == "two\nthree\n\n\nfour"
    assert doc.around(doc.text.index("one"), 0) == (0, 3)


def test_html_tokenizer_edge_cases_browsers_agree_on():
    page = parse("a.html", ("<p><img src='/h.jpg' alt=Sean O'Brien></p><p>GENEVA (Reuters) - one</p>"
                            "<!-->two<!--->three<p>four &amp; <!-- never closed five").encode(), "html")
    assert " ".join(page.text.split()) == "GENEVA (Reuters) - one twothree four &"  # comments join words
    assert [image.described for image in page.images] == ["/h.jpg Sean"]


def test_keywords_survive_crlf_wraps_and_no_break_spaces():
    from rightscheck.documents.document import fold_keywords

    doc = parse("a.txt", "Copyright The Associated\r\nPress; Agence\u00a0France-Presse\n".encode())
    assert doc.mentions(("associated press",)) and doc.mentions((fold_keywords("agence\u00a0france"),))
    assert not doc.mentions(("efe",)) and parse("b.txt", b"Agencia EFE said").mentions(("efe",))
    assert parse("c.txt", "\u00a92026AFP".encode()).mentions(("afp",))  # a digit may precede a keyword


@pytest.mark.parametrize("head, url", [
    ("<link rel='canonical' href='https://a.example/x'><meta property='og:url' content='https://b.example/y'>",
     "https://a.example/x"),
    ("<meta property='og:url' content='https://b.example/y'>", "https://b.example/y"),
    ("<LINK REL='Canonical' HREF='https://a.example/x'><link rel='canonical' href='https://c.example/z'>",
     "https://a.example/x"),  # the first canonical link, in any case
    ("", "https://saved.example/page"),  # no address of its own: where the browser saved it from
])
def test_a_page_knows_its_own_address(head, url):
    source = f"<!DOCTYPE html>\n<!-- saved from url=(0028)https://saved.example/page -->\n<html><head>{head}</head>" \
             "<body><p>Text.</p></body></html>"
    assert parse("p.html", source.encode(), "html").url == url


def test_a_saved_from_comment_deep_in_the_page_is_not_its_address():
    source = "<html><body>" + "<p>Text.</p>" * 200 + "<!-- saved from url=(0024)https://x.example/a --></body></html>"
    assert parse("p.html", source.encode(), "html").url is None


def test_an_unquoted_address_ending_in_a_slash_does_not_close_its_tag():
    page = parse("n.html", b"<p>Story text.</p><ul><li><a href=/news/>News</a><li><a href=/sport/>Sport</a></ul>"
                           b"<br/><img src='/a.jpg' />", "html")
    assert "News" in page.text and [href for _, href in page.links] == ["/news/", "/sport/"]
    from rightscheck.documents.htmltext import visible_text
    blocks = visible_text("<ul><li><a href=/news/>News</a><li><a href=/sport/>Sport</a></ul>").blocks
    assert [(b.tag, b.links) for b in blocks] == [("ul", 9)]


def _traced_peak(action) -> int:
    import tracemalloc

    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _big_page() -> bytes:
    """A 4 MB page whose text is two bytes a character in memory (the euro sign), as a news page often is."""
    paragraph = "<p>Prices rose by \u20ac3 on\nMonday, the ministry said, and <a href=/more>more</a> followed.</p>\n"
    return ("<html><body><nav><a href=/>Home</a></nav><article>" + paragraph * 50_000 + "</article></body></html>").encode()


def test_reading_a_big_page_copies_its_text_once():
    """The file's bytes were kept through the reading, the joined text was copied by two replacements and
    by blanking the chrome, and the offset map held a Python int per piece (19.6 times this file, now 14.6:
    the rest is a piece, a block and a link per short paragraph)."""
    size = len(_big_page())
    peak = _traced_peak(lambda: parse("big.html", _big_page(), "html"))
    assert peak < 17 * size, f"{peak / size:.1f} times the file"


def test_mapping_offsets_in_a_text_of_many_lines_costs_eight_bytes_a_line():
    doc = parse("lines.txt", b"word\n" * 1_000_000, "text")
    peak = _traced_peak(lambda: doc.line_col(len(doc.text) - 1))
    assert doc.line_col(len(doc.text) - 1) == (1_000_000, 5) and peak < 10 * 1_000_000


JOINED_PAGE = ("<html><head><title>T</title></head><body><nav><a href='/'>Home</a></nav><article>"
               "<p>Prices rose by €3 on\nMonday &amp; the ministry said.</p><figure><img src='a.jpg' alt='A'>"
               "<figcaption>Jane Doe / <span class='credit'>AFP</span></figcaption></figure><pre>a\r\nb</pre>"
               "<p>Story text.</p><img src='b.jpg'><p>Photo: John Roe</p></article><footer>© Site</footer>"
               "</body></html>")


def _read_joined(keep):
    page = read_page(JOINED_PAGE * 3, keep).page()
    return replace(page, blocks=[[getattr(block, name) for name in Block.__slots__] for block in page.blocks])


@pytest.mark.parametrize("keep", [article_spans, None])
def test_a_pages_text_joined_a_few_characters_at_a_time_is_the_text_joined_whole(keep, monkeypatch):
    """A page's pieces are joined and encoded a chunk at a time as they are read (htmltext._Text): captions and
    the text, blanked or not, are what they are read from the pieces whole."""
    whole = _read_joined(keep)
    monkeypatch.setattr(htmltext, "JOINED", 5)
    assert _read_joined(keep) == whole and whole.images[0].caption == "Jane Doe / AFP"
