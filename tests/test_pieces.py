"""A big file read in pieces is decoded piece by piece (rightscheck.inputs.pieces): the document must be
the one its bytes read whole give, whatever the pieces' ends split."""

from __future__ import annotations

import codecs

from hypothesis import given, settings
from hypothesis import strategies as st

from rightscheck.documents.document import SkipFile, parse
from rightscheck.inputs.pieces import Pieces, read_pieces

ODD = ["\u20ac", "\u00e9", "\u201c", "\U0001f600", "\u0410FP", "A\u200bFP", "\uff21FP", "\r\n", "\u2028", "\x00",
       "\ufeff"]


def _document(data: bytes | Pieces, kind: str):
    try:
        doc = parse(f"a.{'html' if kind == 'html' else 'txt'}", data, kind)
    except SkipFile as skipped:
        return str(skipped)
    return doc.source, doc.text, doc.encoding, doc.notes, doc.links


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=8), st.sampled_from(ODD)), max_size=30), st.data(),
       st.sampled_from(["", "bom", "invalid", "latin-1"]), st.sampled_from(["text", "html"]))
def test_pieces_decode_to_the_document_the_whole_bytes_give(parts, data, spoil, kind):
    text = "".join(parts)
    whole = text.encode("utf-8", "surrogatepass")
    if spoil == "bom":
        whole = codecs.BOM_UTF8 + whole
    elif spoil == "invalid":
        at = data.draw(st.integers(0, len(whole)))
        whole = whole[:at] + b"\xff" + whole[at:]
    elif spoil == "latin-1":
        whole = text.encode("latin-1", "replace")
    cuts = sorted(data.draw(st.lists(st.integers(0, len(whole)), max_size=6)))
    pieces = [whole[a:b] for a, b in zip([0, *cuts], [*cuts, len(whole)])]
    assert _document(Pieces(pieces), kind) == _document(whole, kind)


def test_a_file_is_read_in_pieces_to_its_end_or_the_limit(tmp_path, monkeypatch):
    import os

    import rightscheck.inputs.pieces as module

    monkeypatch.setattr(module, "PIECE", 7)
    path = tmp_path / "a.txt"
    path.write_bytes(b"0123456789" * 5)
    for limit, expected in ((1000, 50), (23, 23)):
        fd = os.open(path, os.O_RDONLY)
        try:
            pieces = read_pieces(fd, limit)
        finally:
            os.close(fd)
        assert len(pieces) == expected and pieces.head(9) == b"012345678"
        assert pieces.joined() == (b"0123456789" * 5)[:expected] and len(pieces.joined()) == 0
