"""Issue 17, item 9: a UTF-16 passage pasted into a UTF-8 article no longer turns the whole file into
UTF-16 mojibake (its dateline was lost, with no note); each part is decoded as what it is, and noted."""

from __future__ import annotations

import json

from rightscheck.documents.document import decode

ARTICLE = ("BAGHDAD, Jan 18 (AFP) - Iraqi forces said on Sunday they had retaken a district of the city.\n\n"
           + "The ministry said civilians were being moved to camps outside the city. " * 20 + "\n\n")
PASTED = ("Casualty figures by district, exported from a spreadsheet, Monday to Friday. " * 12).encode("utf-16-le")


def test_a_utf16_passage_is_decoded_apart_and_the_dateline_is_found(cli, write):
    write("site/story.txt", ARTICLE.encode() + PASTED + b"\n\nEnd of story.\n")
    write(".rightscheck.yaml", "licences: []\n")
    result = cli("scan", "--format", "json", "-v", "site")
    report = json.loads(result.stdout)
    assert [f["rule"] for f in report["findings"]] == ["afp/unlicensed-content"]
    assert report["findings"][0]["line"] == 1
    assert "UTF-16-LE passage inside UTF-8 text was decoded apart" in result.stderr


def test_whole_utf16_files_and_binary_files_are_read_as_before():
    assert decode(ARTICLE.encode("utf-16-le")) == (ARTICLE, "utf-16-le")
    text, encoding = decode(ARTICLE.encode() + PASTED)
    assert encoding == "utf-8+utf-16-le" and text.startswith("BAGHDAD") and "Casualty figures" in text
