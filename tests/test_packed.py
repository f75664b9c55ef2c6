"""A big page's source is held packed once read (rightscheck.documents.packed): what findings read of it must
be what the whole str gives."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rightscheck.documents.packed as packed
from rightscheck.documents.packed import PackedText, chunks

TEXT = st.text(alphabet=st.sampled_from(list("ab<!-->\n\r €\u2028é")), max_size=120)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.integers(1, 9), st.booleans(), st.data())
def test_a_packed_text_reads_as_the_str(text, block, appended, data):
    """Packed in blocks of ``block`` characters, or appended in blocks of any size (a page's text as it is read)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(packed, "BLOCK", block)
        held = PackedText(text)
    if appended and text:
        held, cuts = PackedText(), sorted(set(data.draw(st.lists(st.integers(1, max(len(text) - 1, 1)), max_size=8))))
        for start, end in zip([0, *cuts], [*cuts, len(text)]):
            if start < end:
                held.append(text[start:end])
    assert len(held) == len(text) and held[:] == text
    for _ in range(5):
        start, end = data.draw(st.integers(-3, len(text) + 3)), data.draw(st.integers(-3, len(text) + 3))
        sub = data.draw(st.sampled_from(["<!--", "-->", "a", "\n", "€é", "ab<"]))
        assert held[start:end] == text[start:end]
        assert (held.find(sub, start, end), held.rfind(sub, start, end)) == (text.find(sub, start, end),
                                                                            text.rfind(sub, start, end))
        assert held.find(sub) == text.find(sub) and (sub in held) == (sub in text)
    parts = list(chunks(held))
    assert "".join(chunk for _, chunk in parts) == text
    assert all(base == sum(map(len, (c for _, c in parts[:i]))) for i, (base, _) in enumerate(parts))
    assert not any(a.endswith("\r") and b.startswith("\n") for (_, a), (_, b) in zip(parts, parts[1:]))


SUPPRESSED = ("<!-- rightscheck: ignore afp/* -- licensed via\r\nsyndication deal 2026-114,"
              "\u2028 renewed -->")
NOTICE = "protected by intellectual property rights owned by Agence France-Presse."


def test_a_scan_of_a_packed_page_reports_what_its_str_gives(cli, write, monkeypatch):
    """Lines and columns, snippets and directives (a reason running on over a comment's lines) read from a
    page's source packed in blocks of a few characters, as from the str."""
    paragraphs = "".join(f"<p>Prices rose by €{n} on Monday,\r\nthe ministry said.</p>\n" for n in range(40))
    write("site/a.html", f"<html><body><article>{paragraphs}<p>PARIS (AFP) — Talks resumed.</p>\n{SUPPRESSED}\n"
                         f"<p>{NOTICE}</p>\n{paragraphs}<p>Jane Doe, AFP</p>\n<!-- rightscheck: ignore x/y -->\n"
                         "</article></body></html>")

    def report():
        return json.loads(cli("scan", "site", "--format", "json").output)

    whole = report()
    monkeypatch.setattr(packed, "PACKED_FROM", 0)
    monkeypatch.setattr(packed, "BLOCK", 29)
    assert report() == whole and whole["findings"] and whole["summary"]["suppressed"]
