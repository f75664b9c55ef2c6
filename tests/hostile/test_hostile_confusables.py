"""Issue 17, item 10: look-alike letters no longer hide an agency's name from the packs. A Cyrillic А
among Latin letters and fullwidth forms are folded, one character for one (lines and columns unchanged);
Cyrillic and Greek words are left alone."""

from __future__ import annotations

import json

import pytest

from rightscheck.text.confusables import fold_confusables


@pytest.mark.parametrize("dateline", ["BAGHDAD, Jan 18 (\u0410FP) -", "BAGHDAD, Jan 18 (\uff21\uff26\uff30) -"])
def test_an_agency_name_in_look_alike_letters_is_found(cli, write, dateline):
    write(".rightscheck.yaml", "licences: []\n")
    write("site/story.txt", f"Headline\n\n{dateline} Iraqi forces said on Sunday they had retaken the district.\n")
    findings = json.loads(cli("scan", "--format", "json", "site").stdout)["findings"]
    assert [(f["rule"], f["line"], f["column"]) for f in findings] == [("afp/unlicensed-content", 3, 1)]


def test_words_in_one_script_are_left_alone_and_lengths_never_change():
    russian = "Москва (АР) — текст агентства"  # Cyrillic А and Р: not "(AP)"
    assert fold_confusables(russian) == russian
    mixed = "Copyright Agence Fr\u0430nce-Presse"
    assert fold_confusables(mixed) == "Copyright Agence France-Presse"
    assert len(fold_confusables("\uff21\uff26\uff30 and \u0410FP")) == len("\uff21\uff26\uff30 and \u0410FP")


@pytest.mark.parametrize("name", ["A\u200bFP", "A\u00adF\u200dP", "\u2066AFP\u2069"])
def test_format_characters_inside_a_name_do_not_hide_it(cli, write, name):
    """Zero-width characters, soft hyphens and direction isolates are removed from the text patterns see;
    lines and columns still point into the file."""
    write(".rightscheck.yaml", "licences: []\n")
    write("site/story.txt", f"Headline\n\nBAGHDAD, Jan 18 ({name}) - Iraqi forces said on Sunday they had retaken it.\n")
    write("site/page.html", f"<html><body><article><h1>Headline</h1>\n<p>BAGHDAD, Jan 18 ({name}) - Iraqi forces said "
                            "on <a href='https://example.org/x'>Sunday</a> they had retaken the district.</p>\n"
                            "</article></body></html>\n")
    findings = json.loads(cli("scan", "--format", "json", "site").stdout)["findings"]
    assert [(f["path"], f["rule"], f["line"], f["column"]) for f in findings] == [
        ("site/page.html", "afp/unlicensed-content", 2, 4), ("site/story.txt", "afp/unlicensed-content", 3, 1)]
