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
# the UTF-8 lead bytes of Greek and Cyrillic letters (U+0370-U+04FF) and of fullwidth forms (U+FF0x-U+FF5x)
_LEADS = (b"\xcd", b"\xce", b"\xcf", b"\xd0", b"\xd1", b"\xd2", b"\xd3", b"\xef\xbc", b"\xef\xbd")
_MIXED_WORD = regex.compile(r"\w*(?:\p{Latin}\w*[\p{Cyrillic}\p{Greek}]|[\p{Cyrillic}\p{Greek}]\w*\p{Latin})\w*")


# Format characters a name can hide behind ("A\u200bFP"): soft hyphen, zero-width space and joiners,
# direction marks and embeddings, word joiner and invisible operators, byte-order mark inside text
FORMAT_RUN = regex.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]+")
# their UTF-8 forms, looked for in a file's bytes before its text is searched
_FORMAT_BYTES = (b"\xc2\xad", b"\xe2\x80\x8b", b"\xe2\x80\x8c", b"\xe2\x80\x8d", b"\xe2\x80\x8e",
                 b"\xe2\x80\x8f", b"\xe2\x80\xaa", b"\xe2\x80\xab", b"\xe2\x80\xac", b"\xe2\x80\xad",
                 b"\xe2\x80\xae", b"\xe2\x81", b"\xef\xbb\xbf")


def _others(forms: tuple[bytes, ...]) -> bytes:
    """Every byte value in none of ``forms``: what :func:`_may_hold` deletes before it looks."""
    kept = set(b"".join(forms))
    return bytes(b for b in range(256) if b not in kept)


_NOT_LEADS, _NOT_FORMAT_BYTES = _others(_LEADS), _others(_FORMAT_BYTES)


_NOT_EITHER = _others(_LEADS + _FORMAT_BYTES)


def _holds(encoded: bytes, forms: tuple[bytes, ...], others: bytes) -> bool:
    """Whether UTF-8 ``encoded`` may hold one of the ``forms`` (never false when it does). Every other byte is
    deleted in one bytes.translate and the forms are looked for in the few bytes left: 2-4 us for a 4 KB
    article, ten times faster than a regex character class over the text. Deleting may join bytes into a
    false "yes", never lose one."""
    left = encoded.translate(None, others)
    return any(form in left for form in forms)


def utf8_hints(utf8: bytes) -> tuple[bool, bool]:
    """Whether a UTF-8 file's own bytes may hold a look-alike (:func:`fold_confusables`) and a format character
    (:func:`may_hold_format`), in one pass (see :func:`_holds`): asked of the bytes, its text need not be
    encoded again (markup that spells a character as a reference is not seen), and the bytes can be let go
    before the text is read."""
    return hints(hint_bytes(utf8))


def hint_bytes(utf8: bytes) -> bytes:
    """The bytes of ``utf8`` that :func:`utf8_hints` looks at: those of a file's pieces, joined, are the file's
    (rightscheck.inputs.pieces)."""
    return b"" if utf8.isascii() else utf8.translate(None, _NOT_EITHER)


def hints(kept: bytes) -> tuple[bool, bool]:
    """:func:`utf8_hints` of a file whose :func:`hint_bytes` are ``kept``."""
    return _holds(kept, _LEADS, _NOT_LEADS), _holds(kept, _FORMAT_BYTES, _NOT_FORMAT_BYTES)


def _may_hold(text: str, hint: bool | None, forms: tuple[bytes, ...], others: bytes) -> bool:
    """Whether ``text`` may hold one of the UTF-8 ``forms``; ``hint``: what :func:`utf8_hints` said of its file."""
    if text.isascii():
        return False
    return hint if hint is not None else _holds(text.encode("utf-8", "surrogatepass"), forms, others)


def may_hold_format(text: str, hint: bool | None = None) -> bool:
    """Whether ``text`` may hold a format character of :data:`FORMAT_RUN` (``hint``: see :func:`utf8_hints`)."""
    return _may_hold(text, hint, _FORMAT_BYTES, _NOT_FORMAT_BYTES)


def fold_confusables(text: str, hint: bool | None = None) -> str:
    """``text`` with fullwidth ASCII and, in words mixing scripts, Cyrillic and Greek look-alikes folded to
    Latin; the same length, character for character. Most texts hold neither and are returned as they are
    (``hint``: see :func:`utf8_hints`)."""
    if not _may_hold(text, hint, _LEADS, _NOT_LEADS):
        return text
    text = text.translate(_FULLWIDTH)
    return _MIXED_WORD.sub(lambda word: word.group().translate(_LOOKALIKES), text)
