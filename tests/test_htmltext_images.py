"""Images the HTML reader finds and the captions it gives them (issue 13: markup of real pages)."""

from __future__ import annotations

from rightscheck.documents.htmltext import visible_text


def images(source: str) -> list[tuple[str, str]]:
    return [(image.described, image.caption) for image in visible_text(source).images]


def test_an_image_start_tag_is_read_as_img_with_its_copyright_attribute():
    assert images('<p>Text</p><image src="/a.jpg" alttext="x" copyright="Jane Doe/Agency"><p>Next line</p>') == [
        ("/a.jpg Jane Doe/Agency", "Next line")]


def test_a_lazy_placeholder_with_a_picture_address_is_an_image():
    got = images('<div id="top"><span class="resimg" data-image="https://m.example/p/1-main.jpg" />x.JPG</span>'
                 '</div><div class="Caption">A caption. <em>(Credit Line)</em></div>')
    assert got == [("https://m.example/p/1-main.jpg", "x.JPG A caption. (Credit Line)")]
    assert images('<figure><div class="lazy" data-src="/p.jpeg?w=480" data-alt="Alt"><noscript><img src="/p.jpeg">'
                  '</noscript></div><figcaption>Cap</figcaption></figure>') == [("/p.jpeg?w=480 Alt", "Cap")]
    assert images('<div data-credit="Jane Doe/Agency" data-image="/g/1.jpg?env=A"></div>') == [
        ("/g/1.jpg?env=A Jane Doe/Agency", "Jane Doe/Agency")]


def test_a_gallery_slide_shows_its_caption_and_credit_attributes():
    """A gallery script shows a slide's data-caption and data-credit under its picture: they are its caption
    (for <img>, data-credit only describes the image: its caption is what the page shows)."""
    assert images('<div class="slide" data-caption="Police  outside." data-credit="Jane Doe/Agency" '
                  'data-image="/g/1.jpg"></div><p>Next paragraph of the story.</p>') == [
        ("/g/1.jpg Jane Doe/Agency", "Police outside. Jane Doe/Agency")]
    assert images('<span class="resimg" data-image="/g/2.jpg" data-description="The mayor speaks. (Agency)">'
                  '</span>') == [("/g/2.jpg", "The mayor speaks. (Agency)")]
    assert images('<img src="/a.jpg" data-credit="Jane Doe/Agency"><p>Short line</p>') == [
        ("/a.jpg Jane Doe/Agency", "Short line")]


def test_a_placeholder_whose_address_is_no_picture_is_not_an_image():
    assert images('<div data-src="https://player.example/embed.js"></div><p>Caption</p>') == []
    assert images('<img data-src="player.js">') == [("", "")]  # no picture address: not read


def test_a_lazy_img_is_described_by_the_address_it_will_load():
    assert images('<img src="data:image/gif;base64,R0lGOD" data-src="/p/GettyImages-1234567.jpg" alt="Pier">') == [
        ("data:image/gif;base64,R0lGOD /p/GettyImages-1234567.jpg Pier", "")]
    assert images('<img src="/blank.gif" data-src="/p/harbour.jpg">') == [("/blank.gif /p/harbour.jpg", "")]


def test_a_label_line_takes_the_next_line_with_it():
    assert images('<img src="/a.jpg"><h3>Photo by:</h3><div>Jane Doe</div><p>Body text.</p>')[0][1] == \
        "Photo by: Jane Doe"
    long_label = "These latest images from the search have just been released:"
    assert images(f'<img src="/a.jpg"><p>{long_label}</p><p>Body text.</p>')[0][1] == long_label


def test_a_credit_line_between_an_image_and_its_caption_element_goes_with_the_caption():
    page = visible_text('<p><img src="/a.jpg"><span class="source"><span>Jane Doe/AGENCY</span></span>'
                        '<span class="caption">A jet drops flares</span></p>')
    assert page.images[0].caption == "Jane Doe/AGENCY A jet drops flares"
    assert "Jane Doe/AGENCY A jet" in page.text  # the inline caption is set apart from the credit before it


def test_a_figcaption_before_its_image_is_its_caption():
    assert images("<figure><figcaption>Jane Doe/Agency</figcaption><img src='/a.jpg'></figure>"
                  "<p>An unrelated next paragraph of the story.</p>") == [("/a.jpg", "Jane Doe/Agency")]


def test_a_credit_inside_a_caption_is_said_once():
    assert images("<img src='/a.jpg'><div class='caption'>The pier at dawn. <span class='credit'>Jane Doe/Agency"
                  "</span></div>") == [("/a.jpg", "The pier at dawn. Jane Doe/Agency")]


def test_an_element_inside_a_credit_span_does_not_end_it():
    assert images("<p><img src='/a.jpg'><span class='credit'><span>Jane Doe</span>/Agency</span></p>") == [
        ("/a.jpg", "Jane Doe/Agency")]


def test_caption_elements_of_images_are_recorded_as_text_ranges():
    page = visible_text("<p>Story text.</p><figure><img src='a.jpg'><figcaption>Quelle: "
                        "<span class='credit'>AFP</span></figcaption></figure><p>More text.</p>"
                        "<figure><figcaption>No picture here</figcaption></figure>")
    assert [page.text[start:end].strip() for start, end in page.captions] == ["Quelle: AFP"]
