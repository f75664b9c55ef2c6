"""Look-alike letters folded to the Latin ones they imitate, in the text patterns see.

A name written with a Cyrillic or Greek letter among Latin ones ("АFP" with a Cyrillic А) or in
fullwidth forms ("ＡＦＰ") reads as the agency to a person and evaded every pack. Fullwidth ASCII is
always folded (it is a presentation form of the same characters); a Cyrillic or Greek look-alike only
in a word that also holds a Latin letter, so Russian and Greek text stays as it is ("АР" in a Cyrillic
sentence is not "AP"). Every fold is one character for one, so offsets, lines and columns still point
into the file."""

from __future__ import annotations

import regex

# Cyrillic and Greek letters drawn like Latin ones (Unicode's confusables, the unambiguous ones)
_LOOKALIKES = str.maketrans({
    **dict(zip("АВЕЅІЈКМНОРСТХУ", "ABESIJKMHOPCTXY")), **dict(zip("аеіјорсухѕ", "aeijopcyxs")),
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX")), **dict(zip("οι", "oi")),
})
_FULLWIDTH = str.maketrans({chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)})
_CANDIDATES = regex.compile(r"[\u0370-\u03FF\u0400-\u04FF\uFF01-\uFF5E]")  # one class: a fast scan of every text
_MIXED_WORD = regex.compile(r"\w*(?:\p{Latin}\w*[\p{Cyrillic}\p{Greek}]|[\p{Cyrillic}\p{Greek}]\w*\p{Latin})\w*")


def fold_confusables(text: str) -> str:
    """``text`` with fullwidth ASCII and, in words mixing scripts, Cyrillic and Greek look-alikes folded to
    Latin; the same length, character for character. Most texts hold neither and are returned as they are."""
    if text.isascii() or not _CANDIDATES.search(text):
        return text
    text = text.translate(_FULLWIDTH)
    return _MIXED_WORD.sub(lambda word: word.group().translate(_LOOKALIKES), text)
