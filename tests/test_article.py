"""Article and chrome on HTML pages: what is judged by default, what --scope page adds, and captions."""

from __future__ import annotations

import json

from rightscheck.documents.article import article_spans, in_article, region_of
from rightscheck.documents.document import parse
from rightscheck.documents.htmltext import visible_text
from rightscheck.packs.pack import builtin_rules_dir, load_pack
from rightscheck.packs.patterns import Acronym

NAV = "\n".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(15))
STORY = ("HAYWARD, Calif. (AP) — Crews worked through the night to clear a rockslide that closed both "
         "lanes of the canyon road on Tuesday, the county said, adding that no one was hurt and that the "
         "road would reopen once engineers had checked the slope above it.")


def _page(body: str) -> str:
    return f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>"


def _article_text(source: str) -> str:
    return " ".join(parse("p.html", source.encode(), "html").text.split())


def test_navigation_before_the_story_is_chrome():
    source = _page(f"<ul class='menu'>{NAV}</ul><article><h1>Rockslide closes canyon road</h1>"
                   f"<p>{STORY}</p></article><footer>© 2026 Hayward Daily. Licensed under CC BY 4.0</footer>")
    text = _article_text(source)
    assert text.startswith("Rockslide closes canyon road HAYWARD, Calif. (AP)")
    assert "Section" not in text and "Hayward Daily" not in text


def test_link_lists_without_classes_are_chrome_and_prose_is_the_article():
    prose = "".join(f"<p>{STORY} Paragraph {i}.</p>" for i in range(3))
    source = _page(f"<div><ul>{NAV}</ul></div><div><div>{prose}</div>"
                   f"<div><a href='/a'>Storm hits coast again this week</a> <a href='/b'>Council votes on "
                   f"the budget for next year</a> <a href='/c'>Ferry sailings resume</a></div></div>")
    text = _article_text(source)
    assert "Paragraph 2." in text and "Section" not in text and "Ferry sailings" not in text


def test_headline_and_byline_before_the_article_body_belong_to_it():
    source = _page(f"<ul>{NAV}</ul><h1>Rockslide closes canyon road</h1><p class='byline'>By Reuters</p>"
                   f"<div itemprop='articleBody'><p>{STORY}</p><p>{STORY}</p></div>"
                   f"<aside class='related'><img src='/t/GettyImages-123456.jpg'><p>Related</p></aside>")
    doc = parse("p.html", source.encode(), "html")
    assert "By Reuters" in doc.text and "Related" not in doc.text and doc.images == []


def test_related_widget_images_are_chrome_and_counted_once_in_page_scope(write, cli):
    figure = "<figure><img src='https://media.gettyimages.com/id/1/a.jpg'></figure>"
    write("site/a.html", _page(f"<article><h1>Headline</h1><p>{STORY}</p></article>"
                               f"<div class='most-popular'>{figure * 17}</div>"))
    article = cli("scan", "site", "--only", "getty-images", "--format", "json")
    assert json.loads(article.output)["findings"] == []
    page = json.loads(cli("scan", "site", "--only", "getty-images", "--scope", "page", "--format", "json").output)
    missing = [f for f in page["findings"] if f["kind"] == "missing-attribution"]
    assert len(missing) == 1 and missing[0]["occurrences"] == 17 and missing[0]["region"] == "chrome"


def test_sites_own_licence_is_not_third_party_content(write, cli):
    write("site/a.html", _page(
        f"<article><h1>Headline</h1><p>{STORY}</p>"
        "<p>This post is licensed under <a rel='license' href='https://creativecommons.org/licenses/by/4.0/'>"
        "CC BY 4.0</a>.</p></article>"
        "<footer><p>All content on this site is available under a Creative Commons Attribution-ShareAlike "
        "license: <a href='https://creativecommons.org/licenses/by-sa/4.0/'>CC BY-SA 4.0</a></p></footer>"))
    result = cli("scan", "site", "--only", "cc-by,cc-by-sa", "--format", "json")
    assert json.loads(result.output)["findings"] == []


def test_a_page_without_structure_is_judged_whole_minus_its_chrome():
    source = _page(f"<nav>{NAV}</nav>Text straight in the body. {STORY}")
    text = _article_text(source)
    assert "HAYWARD" in text and "Section" not in text


def test_regions_of_offsets():
    page = visible_text(_page(f"<nav>{NAV}</nav><article><p>{STORY}</p></article>"))
    spans = article_spans(page.blocks, len(page.text))
    assert region_of(spans, page.text.index("HAYWARD")) == "article"
    assert region_of(spans, page.text.index("Section 3")) == "chrome"


def test_captions_come_from_figcaption_credit_elements_or_the_next_line():
    page = visible_text(_page(
        "<figure><img src='a.jpg'><figcaption>Crews at work.\n Photograph: Jane Doe/Getty Images</figcaption>"
        "</figure><p><img src='b.jpg'><span class='photo-credit'>(AP Photo/John Roe, File)</span></p>"
        "<div><img src='c.jpg'></div><p>Jane Doe/AFP</p><img src='d.jpg'><p>" + "long " * 80 + "</p>"))
    assert [image.caption for image in page.images] == [
        "Crews at work. Photograph: Jane Doe/Getty Images", "(AP Photo/John Roe, File)", "Jane Doe/AFP", ""]


def test_source_line_breaks_inside_text_are_spaces():
    doc = parse("p.html", b"<p>A credit\nwrapped\r\nin the source</p><pre>kept\nas is</pre>", "html")
    assert "A credit wrapped  in the source" in doc.text and "kept\nas is" in doc.text


def test_acronym_after_its_expansion_is_not_the_agency():
    afp = Acronym("AFP", ("Alpha-fetoprotein test",))
    for text in ("The Australian Federal Police (AFP) said", "Acute flaccid paralysis (AFP) surveillance",
                 "an Alpha-fetoprotein test (AFP) is"):
        assert afp.defines(text, 0, len(text)), text
    for text in ("Baghdad, Jan 18 (AFP) -", "SAN FRANCISCO (AFP) -", "Paris (AFP) -"):
        assert not afp.defines(text, 0, len(text)), text
    ap = Acronym("AP")
    assert ap.defines("Advanced Placement (AP) exams", 0, 29) and not ap.defines("Aspen (AP) —", 0, 12)


def test_acronym_guard_applies_to_pack_patterns(write):
    pack = load_pack(write("demo.yaml", """
        id: demo-wire
        name: Demo Wire
        licence: {terms: all-rights-reserved, summary: Licence needed.}
        acronym: {name: DW, expansions: [Deutsche Welle]}
        signals:
          - id: dateline
            pattern: '(?m)^[\\p{L} ]+\\(DW\\)'
            weight: 1.0
        attribution:
          - id: credit
            description: the dateline
            any_of: [{signal: dateline}]
        """))
    matcher = pack.signals[0].matcher
    assert matcher.search(parse("a.txt", b"Deutsche Welle (DW) reported")) is None
    assert matcher.search(parse("b.txt", b"Dar Wadi (DW) reported")) is None  # the letters spell it
    assert matcher.search(parse("c.txt", b"BONN (DW) - Rain")) is not None


def test_the_conversation_pack_reads_its_notice_split_by_links():
    pack = load_pack(builtin_rules_dir() / "the-conversation.yaml")
    doc = parse("p.html", _page(
        "<article><p>This article is republished from <a href='https://theconversation.com'>The\n"
        "Conversation</a> under a Creative Commons license.</p></article>").encode(), "html")
    assert pack.signals[0].matcher.search(doc) is not None


def test_the_sources_own_pages_are_not_republications(write):
    pack = load_pack(write("demo.yaml", """
        id: demo-wire
        name: Demo Wire
        licence: {terms: all-rights-reserved, summary: Licence needed.}
        home_hosts: [demowire.example]
        signals:
          - {id: dateline, pattern: '\\(DW\\) -', weight: 1.0}
        attribution:
          - {id: credit, description: the dateline, any_of: [{signal: dateline}]}
        """))
    from rightscheck.checks.attribution import check

    def findings(url: str) -> list:
        head = f"<head><link rel='canonical' href='{url}'></head>"
        return check(parse("p.html", f"<html>{head}<body><p>BONN (DW) - Rain.</p></body></html>".encode(), "html"),
                     pack, licensed=False)

    assert findings("https://news.demowire.example/story/1") == []
    assert [f.kind for f in findings("https://demowire.example.evil.test/a")] == ["unlicensed-content"]
    assert [f.kind for f in findings("https://example.org/demowire.example")] == ["unlicensed-content"]


def test_a_link_left_open_ends_at_the_next_link_as_in_browsers():
    # a menu item whose <a> is never closed: browsers close it at the next <a>, so the story is not link text
    source = _page("<ul class='menu'><li><span><a href='#'>Alerts</button></span></li>"
                   "<li><a href='/login'>Log in</a></li></ul>"
                   f"<div class='story'><figure><img src='/i/lead.jpg'><figcaption>Jane Doe/Getty Images"
                   f"</figcaption></figure><p>{STORY}</p><p>{STORY}</p></div>")
    page = visible_text(source)
    story = next(b for b in page.blocks if b.tag == "div")
    assert story.links == 0
    spans = article_spans(page.blocks, len(page.text))
    assert region_of(spans, page.images[0].offset) == "article"


def test_a_widget_or_carousel_class_holding_only_unlinked_images_is_the_articles_media():
    # CMS editors wrap in-body photos in "widget" classes and slideshows in "carousel" ones; a widget of other
    # stories links to them
    photo = ("<div class='editor-widget-wrapper type-image'><div class='image'><img src='/i/door-getty.jpg'></div>"
             "<div class='caption-wrapper'>Guests were told to check the door.</div></div>")
    slides = ("<div class='slideshow-carousel'><ul><li><figure><img src='/i/launch.jpg' alt='Launch pad'></figure>"
              "</li><li><figure><img src='/i/crowd.jpg'></figure></li></ul></div>")
    teasers = ("<div class='related-carousel'>" + "".join(
        f"<a href='/story/{i}'><img src='/t/thumb-{i}.jpg'>Another story number {i}</a>" for i in range(3)) + "</div>")
    page = visible_text(_page(f"<div class='story'><p>{STORY}</p>{photo}<p>{STORY}</p>{slides}<p>{STORY}</p>"
                              f"{teasers}</div>"))
    spans = article_spans(page.blocks, len(page.text))
    regions = [region_of(spans, image.offset) for image in page.images]
    assert regions == ["article"] * 3 + ["chrome"] * 3


def test_the_articles_header_is_not_chrome_for_its_class(write, cli):
    # the header holding the headline, byline and lead photo is named "banner-headline"; its share bar still goes
    header = ("<header class='banner-headline'><h1>Aftershock shakes the valley</h1><div class='info'>Jane Roe</div>"
              "<aside class='tool-bar'><a href='/share'>Share on social networks</a></aside>"
              "<figure><img src='/i/000_abc123.jpg'><figcaption>Residents outside. (Photo John Doe. AFP)"
              "</figcaption></figure></header>")
    write("site/a.html", _page(f"<ul class='menu'>{NAV}</ul><article>{header}"
                               f"<div class='article-body'><p>{STORY}</p><p>{STORY}</p></div></article>"))
    findings = json.loads(cli("scan", "site", "--only", "afp-photo", "--format", "json").output)["findings"]
    assert [(f["kind"], f["region"]) for f in findings] == [("unlicensed-content", "article")]


def test_a_lead_photo_linking_to_its_enlargement_is_no_link_list():
    lead = ("<div class='article-photo'><a href='/gallery/123/' class='lightbox'><div class='image'>"
            "<img src='/i/lead.jpg'></div><div class='photo-desc'>Players celebrate after the match in the north "
            "of the city on Sunday. | Photo: Jane Doe</div></a></div>")
    teaser = ("<div><a href='/story/9'><img src='/t/other.jpg'><div>Another story from the league that readers "
              "liked this week in the sports pages of the paper</div></a></div>")
    page = visible_text(_page(f"<div class='article'><h1>Home side stays top</h1><div class='perex'>{STORY}</div>"
                              f"{lead}<div class='article-content'><p>{STORY}</p><p>{STORY}</p><p>{STORY}</p>"
                              f"</div>{teaser}</div>"))
    spans = article_spans(page.blocks, len(page.text))
    assert [region_of(spans, image.offset) for image in page.images] == ["article", "chrome"]
    assert region_of(spans, page.text.index("Photo: Jane Doe")) == "article"


def test_the_headline_is_the_last_h1_before_the_article_with_little_prose_between(write, cli):
    # the site's name is the page's first h1; between the story's h1 and its body: a share bar whose markup
    # is long, a tag list and the lead photo, whose credit "Credit: AP/..." is a photo's, not a text credit
    own = STORY.replace(" (AP) —", ",")
    share = "<div class='shareContainer'><ul>" + "".join(
        f"<li>\n{' ' * 80}<a href='/s/{i}'>S{i}</a>\n{' ' * 80}</li>" for i in range(12)) + "</ul></div>"
    write("site/a.html", _page(
        f"<div class='top'><h1><a href='/'>The Daily Example</a></h1><ul class='menu'>{NAV}</ul></div>"
        f"<div class='articleInner'><h1>Ride apps and the price of a storm</h1>{share}"
        "<p class='topics'>Topics: <a href='/t/a'>transport</a>, <a href='/t/b'>weather</a></p>"
        "<div class='featuredMedia'><img src='/i/montage.jpg'><span class='caption'>Two leaders (Credit: AP/Jane Roe/"
        "Photo montage by the Daily Example)</span></div>"
        f"<div class='articleContent'>{f'<p>{own}</p>' * 3}</div></div>"))
    findings = json.loads(cli("scan", "site", "--only", "ap,ap-photo", "--format", "json").output)["findings"]
    assert [(f["rule"], f["region"]) for f in findings] == [("ap-photo/unlicensed-content", "article")]


def _slides(n: int, wrap: str = "section", headline: str = "Stop {i}") -> str:
    text = ("The shop on the corner sells woven baskets, brass lamps and soft leather slippers in every colour, "
            "and the owner will tell you the story of each one over a glass of mint tea if you have the time. ")
    return "".join(f"<{wrap}><div><h2>{headline.format(i=i)}</h2><div class='slide-text'><p>{text * 2}</p></div>"
                   f"<div class='image-wrapper'><img src='/p/stop-{i}-cr-jane-doe-getty.jpg'></div></div></{wrap}>"
                   for i in range(n))


def test_a_slideshow_article_is_all_its_slides():
    # each slide scores alike: the article is the block holding them, not the best slide
    page = visible_text(_page(f"<nav>{NAV}</nav><main><article class='slideshow'><h1>Markets of the old town</h1>"
                              f"<div class='dek'><p>{STORY}</p></div>{_slides(6)}</article></main>"
                              f"<div class='promo'><a href='/x'><img src='/t/thumb-getty.jpg'>More guides</a></div>"))
    spans = article_spans(page.blocks, len(page.text))
    assert [region_of(spans, image.offset) for image in page.images] == ["article"] * 6 + ["chrome"]


def test_a_list_of_teasers_is_no_spread_article():
    # a front page's stream: list items alike, each a linked headline, a summary and a thumbnail
    stream = "<ul class='stream'>" + _slides(6, "li", "<a href='/story/{i}'>Story {i} of the day</a>") + "</ul>"
    page = visible_text(_page(f"<nav>{NAV}</nav>{stream}"))
    spans = article_spans(page.blocks, len(page.text))
    assert sum(region_of(spans, image.offset) == "article" for image in page.images) <= 1


def test_a_newsarticle_itemtype_on_html_does_not_make_the_whole_page_the_article():
    source = ("<!DOCTYPE html><html itemscope itemtype='http://schema.org/NewsArticle'><body>"
              f"<div class='column-b'><p>Elsewhere on the site: {STORY}</p></div>"
              f"<div class='story'><div itemprop='articleBody'><p>{STORY}</p><p>{STORY}</p></div></div></body></html>")
    page = visible_text(source)
    spans = article_spans(page.blocks, len(page.text))
    assert region_of(spans, page.text.index("Elsewhere")) == "chrome"
    assert region_of(spans, page.text.rindex("HAYWARD")) == "article"


def test_a_long_caption_alone_with_its_image_is_its_caption():
    caption = ("In this image released by Example Films, two actors appear in a scene from the film, which opens "
               "on Friday in limited release after a year of delays, festival screenings and two changes of "
               "distributor, its producers said on Thursday. (AP Photo/Example Films, Jane Doe)")
    assert 250 < len(caption) < 600
    page = visible_text(_page(
        f"<div class='slideshow'><ul><li><div class='m'><a href='#'><img src='a.jpg'></a></div>"
        f"<div class='summary'><p>{caption}<span class='source'>AP2026</span></p></div></li></ul></div>"
        f"<div class='body'><img src='b.jpg'><p>{caption}</p><p>{STORY}</p></div>"))
    assert [image.caption for image in page.images] == [caption + "AP2026", ""]


def test_links_to_nowhere_are_buttons_not_links_to_other_stories():
    gallery = ("<div class='gallery-promo-stub'><img src='/i/museum.jpg'><div class='details'>Caption Guards outside "
               "the museum. <a href='#'>Buy Photo</a> <a href='javascript:void(0)'>Full Screen</a></div></div>")
    page = visible_text(_page(f"<div class='story'><p>{STORY}</p>{gallery}<p>{STORY}</p></div>"))
    spans = article_spans(page.blocks, len(page.text))
    assert region_of(spans, page.images[0].offset) == "article"


def test_previous_and_next_story_paddles_are_chrome():
    story = "<p>" + "The council approved the harbour budget after a long debate on Tuesday night. " * 6 + "</p>"
    paddle = ("<div class='paddle previous'><a href='/news/other-story'><div class='headline'><img src='/t.jpg'>"
              "<h4>Another story</h4></div></a></div>")
    text = _article_text(_page(f"<main>{paddle}<article><h1>Budget passes</h1>{story}</article></main>"))
    assert "Another story" not in text and "Budget passes" in text


def test_a_hidden_schema_summary_is_not_the_article_body():
    story = "<p>" + "The council approved the harbour budget after a long debate on Tuesday night. " * 30 + "</p>"
    meta = ("<div style='display:none' itemscope itemtype='http://schema.org/Article'><span itemprop='headline'>"
            "Budget passes after a long debate in the council chamber on Tuesday night, officials said</span>"
            "<span itemprop='description'>The council approved the harbour budget on Tuesday.</span></div>")
    text = _article_text(_page(f"{meta}<div class='post'><h1>Budget passes</h1>{story}</div>"))
    assert "approved the harbour budget after a long debate" in text


def test_a_captioned_photo_linking_to_its_file_page_is_media_whatever_its_class():
    story = "<p>" + "The council approved the harbour budget after a long debate on Tuesday night. " * 6 + "</p>"
    photo = ("<div id='slideshow_teaser_section'><a href='/file/4461876'><img src='/media/harbour.jpg'>harbour.jpg"
             "</a><p>The harbour at dawn on Tuesday, as the council met to approve its budget for the coming year."
             " (Photo/Jane Doe)</p></div>")
    teaser = ("<div class='teaser'><a href='/news/other'><img src='/t.jpg'>Other story: the bridge reopens</a>"
              "<p>Traffic returns.</p></div>")
    text = _article_text(_page(f"<article><h1>Budget passes</h1>{photo}{story}{teaser}</article>"))
    assert "The harbour at dawn" in text and "bridge reopens" not in text


def test_a_gallery_just_before_the_body_is_its_lead_picture():
    story = ("<p>" + "The council approved the harbour budget, after a long debate, on Tuesday night. " * 2
             + "</p>") * 6
    gallery = ("<figure><div class='box_media'><img src='/g/1.jpg' alt='Harbour'><div class='pie'>The harbour at "
               "dawn. | Jane Doe</div></div></figure>")
    comments = "<div class='reader-notes'><ul>" + "<li>A reader wrote a long note about the budget.</li>" * 40 + "</ul>"
    page = visible_text(_page(f"<section><article><h3>Budget passes</h3>{gallery}<div class='texto'>{story}</div>"
                              f"{comments}</div></article></section>"))
    spans = article_spans(page.blocks, len(page.text))
    assert [region_of(spans, image.offset) for image in page.images] == ["article"]


def test_a_malformed_canonical_address_is_no_address(write, cli):
    page = write("site/p.html", "<html><head><link rel='canonical' href='http://[broken/x'></head><body>"
                                "<p>PARIS, Jan 18 (AFP) - Talks resumed on Monday.</p></body></html>")
    result = cli("scan", str(page), "--only", "afp", "--format", "json")
    assert result.exit_code == 1 and '"afp/unlicensed-content"' in result.output


def test_images_side_by_side_are_each_an_occurrence(write, cli):
    page = write("site/g.html", "<html><body><article><h1>Gallery</h1><p>" + "Text of the story here. " * 20 +
                 "</p><img src='/i/GettyImages-1111111.jpg'><img src='/i/GettyImages-2222222.jpg'></article>"
                 "</body></html>")
    findings = json.loads(cli("scan", str(page), "--only", "getty-images", "--format", "json").output)["findings"]
    assert [f["evidence"] for f in findings if f["kind"] == "missing-attribution"] == [
        "/i/GettyImages-1111111.jpg", "/i/GettyImages-2222222.jpg"]


def test_an_image_right_before_a_chrome_block_stays_in_the_article():
    page = visible_text(_page(f"<article class='story'><h1>Budget passes</h1><p>{STORY}</p><img src='/a.jpg'>"
                              "<div class='share-tools'><a href='https://social.example/x'>Share this story</a>"
                              "<a href='https://social.example/y'>Post it to your friends</a></div></article>"))
    spans = article_spans(page.blocks, len(page.text))
    assert [region_of(spans, image.offset) for image in page.images] == ["article"]


def test_acronym_guard_keeps_offsets_after_letters_whose_case_fold_is_longer():
    gsp = Acronym("GSP", ("Große Straßen Partei",))
    text = "Die Große Straßen Partei (GSP) sagte am Montag"
    assert gsp.defines(text, 0, len(text)) and gsp.defines(text, 20, len(text))


def test_a_caption_crediting_a_cc_photo_is_not_the_sites_own_licence():
    caption = ("<figcaption><span class='credit'>Photo by <a href='https://photos.example/jane'>Jane Doe</a></span>, "
               "<a rel='license' href='https://creativecommons.org/licenses/by/2.0/'>CC BY 2.0</a></figcaption>")
    page = visible_text(_page(f"<article><h1>Budget passes</h1><figure><img src='/a.jpg'>{caption}</figure>"
                              f"<p>{STORY}</p></article>"))
    spans = article_spans(page.blocks, len(page.text))
    assert region_of(spans, page.text.index("CC BY 2.0")) == "article"


def test_in_article_keeps_the_items_inside_the_spans_only():
    spans = [(10, 20), (30, 31)]
    offsets = [0, 9, 10, 15, 19, 20, 29, 30, 31, 40]
    items = [f"item@{offset}" for offset in offsets]
    assert in_article(spans, items, offsets) == ["item@10", "item@15", "item@19", "item@30"]
    assert [region_of(spans, offset) for offset in (9, 10, 19, 20, 30, 31)] == \
        ["chrome", "article", "article", "chrome", "article", "chrome"]
    assert in_article([], items, offsets) == []


def test_acronym_guard_stops_at_a_sentence_end():
    ansa = Acronym("ANSA")
    closing = "per l'accoglienza notturna delle persone senza dimora. (ANSA)"
    assert not ansa.defines(closing, 0, len(closing))  # a closing credit, not an expansion
    spelled = "the Association of National Safety Agencies (ANSA)"
    assert ansa.defines(spelled, 0, len(spelled))
