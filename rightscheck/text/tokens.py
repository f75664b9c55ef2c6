"""Word tokens for text-reuse matching: normalised so re-wrapping, case, accents, quotes, dashes and markup
do not matter, and computed with array operations rather than one Python object per word.

A token is a run of word characters (letters with their combining marks, digits, underscore — the
``regex`` module's ``\\w``); everything else only separates tokens. Each character is folded on its own
(compatibility decomposition, accents dropped, case folded: "Ｇenève" and "geneve" are one token), and
a token's id is a 64-bit polynomial hash of its folded characters, cut to 32 bits, so fingerprints
written to disk today match tomorrow. Text whose characters all lie in the Basic Multilingual Plane
and carry no separate combining marks — nearly all news copy — goes through lookup tables in numpy;
anything else takes an equivalent per-token path.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import regex

from rightscheck.core.usercache import remembered

TOKENIZER_VERSION = 2
_WORD = regex.compile(r"\w+")
_BASE = 0x100000001B3  # odd, so invertible modulo 2**64
_MASK = (1 << 64) - 1
_BASE_INVERSE = pow(_BASE, -1, 1 << 64)
_MARK_BIT = np.uint32(1 << 31)  # folded code points stay below 0x110000
_MIX = 0x9E3779B97F4A7C15  # odd: spreads short tokens' small sums over the high bits kept as the id


@dataclass
class Tokens:
    """Token ids with the character span of each token in the text they came from."""

    ids: np.ndarray  # uint32
    starts: np.ndarray  # int64
    ends: np.ndarray  # int64

    def without(self, masks: list[tuple[int, int]]) -> "Tokens":
        """These tokens minus those lying wholly inside any of the character ranges ``masks``."""
        keep = np.ones(len(self.ids), dtype=bool)
        for start, end in masks:
            keep &= ~((self.starts >= start) & (self.ends <= end))
        return Tokens(self.ids[keep], self.starts[keep], self.ends[keep])


def tokenize(text: str) -> Tokens:
    """Tokens of ``text`` (see the module docstring for what counts and how tokens are normalised)."""
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    if len(points) == 0 or (not text.isascii() and points.max() >= 0x10000):
        return _tokenize_slowly(text)
    folded = _tables().fold[points]  # 0 for characters that are not part of a word
    if not text.isascii() and (folded & _MARK_BIT).any():
        return _tokenize_slowly(text)
    inword = np.zeros(len(points) + 2, dtype=np.int8)
    inword[1:-1] = folded != 0
    edges = inword[1:] - inword[:-1]
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    powers, inverses = _powers(len(points))
    weighted = np.empty(len(points) + 1, dtype=np.uint64)
    weighted[0] = 0
    np.cumsum(folded.astype(np.uint64) * powers, out=weighted[1:])  # wraps modulo 2**64
    ids = ((weighted[ends] - weighted[starts]) * inverses[starts] * np.uint64(_MIX)) >> np.uint64(32)
    return Tokens(ids.astype(np.uint32), starts, ends)


def _tokenize_slowly(text: str) -> Tokens:
    """The same tokens one by one, for text beyond the BMP or with separate combining marks."""
    spans = [m.span() for m in _WORD.finditer(text)]
    ids = [_token_id(text[a:b]) for a, b in spans]
    starts = np.array([a for a, _ in spans], dtype=np.int64)
    ends = np.array([b for _, b in spans], dtype=np.int64)
    return Tokens(np.array(ids, dtype=np.uint32), starts, ends)


def _token_id(token: str) -> int:
    fold = _tables().fold
    value, power = 0, 1
    for char in unicodedata.normalize("NFC", token):
        if unicodedata.combining(char):
            continue  # a mark NFC could not compose: accents are dropped anyway
        point = ord(char)
        value = (value + (int(fold[point] & ~_MARK_BIT) if point < 0x10000 else _fold(char)) * power) & _MASK
        power = (power * _BASE) & _MASK
    return ((value * _MIX) & _MASK) >> 32


def _fold(char: str) -> int:
    """One character folded: compatibility decomposition, accents dropped, case folded, if that leaves a
    single character (else lower case, else itself)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)).casefold()
    if len(plain) == 1:
        return ord(plain)
    lower = char.lower()
    return ord(lower) if len(lower) == 1 else ord(char)


@dataclass
class _Tables:
    fold: np.ndarray  # uint32 per BMP code point: folded code point, 0 outside words, _MARK_BIT on combining marks


_TABLES: _Tables | None = None
_POWERS: tuple[np.ndarray, np.ndarray] = (np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.uint64))


def _tables() -> _Tables:
    """Built once (about a tenth of a second, a one-article scan's largest cost) and kept in the user
    cache for this tokenizer and these Unicode tables; only when reuse matching is used."""
    global _TABLES
    if _TABLES is None:
        version = f"{TOKENIZER_VERSION} {unicodedata.unidata_version} {regex.__version__}"
        _TABLES = _Tables(np.array(remembered("token-folds", version, _fold_table), dtype=np.uint32))
    return _TABLES


def _fold_table() -> list[int]:
    plane = "".join(map(chr, range(0x10000)))
    word = np.zeros(0x10000, dtype=bool)
    for match in _WORD.finditer(plane):
        word[match.start():match.end()] = True
    return [int(_fold(c) | (_MARK_BIT if unicodedata.combining(c) else 0)) if w else 0
            for c, w in zip(plane, word.tolist())]


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """BASE**k and BASE**-k modulo 2**64 for k < n, grown by doubling and kept."""
    global _POWERS
    if len(_POWERS[0]) < n:
        size = max(n, 2 * len(_POWERS[0]), 1 << 16)
        base = np.full(size, _BASE, dtype=np.uint64)
        base[0] = 1
        inverse = np.full(size, _BASE_INVERSE, dtype=np.uint64)
        inverse[0] = 1
        _POWERS = (np.cumprod(base, dtype=np.uint64), np.cumprod(inverse, dtype=np.uint64))
    return _POWERS[0][:n], _POWERS[1][:n]
