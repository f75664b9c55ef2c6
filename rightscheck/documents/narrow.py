"""A big page's source as a one-byte str the HTML reader's patterns read as they read the source, and apart
the few characters it stands in for.

CPython stores a str in one byte a character only if every character is at most U+00FF: a handful of euro
signs or dashes made a 54 MB page's source 103 MB. The reader (rightscheck.documents.htmltext) tells markup
from text by ASCII characters and, of the others, only by whether a pattern's ``\\s`` or ``\\w`` matches
them; so it can read a *view* of the source in which each character past U+00FF is a Latin-1 character of
the same kind, and take the text it keeps from the real characters, held apart with where they stand.
Characters that an ASCII letter matches when case is ignored (``ſ``, ``K``, ``İ``, ``ı``: ``</ſcript>``
ends a script) have no such stand-in; a page with one, or with so many characters held apart that they
would cost more than half the view, is read as a plain str. NUL is held apart too, so that the reader can
show it as U+FFFD without a copy of the view (:meth:`Narrowed.replaced`)."""

from __future__ import annotations

import array
import bisect
import codecs
import re
import threading
from typing import Callable

from rightscheck.inputs.pieces import Pieces

_HELD_APART = re.compile(r"[^\x01-\xff]")  # what the view stands in for
_SPACE, _WORD, _FOLDS_TO_ASCII = re.compile(r"\s"), re.compile(r"\w"), re.compile(r"[a-z]", re.I)
SPACE, WORD, OTHER = "\xa0", "\xe9", "\xa4"  # the stand-ins: white space, a word character, neither
RUN_COST = 64  # bytes a run held apart costs besides its characters: its place in two arrays, its str a while
CHAR_COST = 4  # bytes a character held apart costs at most (in a str of astral characters)


def stand_in(char: str) -> str | None:
    """The Latin-1 character that the reader's patterns read as they read ``char``; None if there is none."""
    if _FOLDS_TO_ASCII.match(char):
        return None
    return SPACE if _SPACE.match(char) else WORD if _WORD.match(char) else OTHER


_STAND_INS: dict[str, str | None] = {}


class Narrowed:
    """A text as its one-byte ``view`` and the runs of characters the view stands in for: run ``i`` stands at
    ``at[i]`` in the view and is ``held[firsts[i]:firsts[i + 1]]``. Sliced, it gives the real text."""

    def __init__(self, view: str, at: array.array, firsts: array.array, held: str) -> None:
        self.view, self._at, self._firsts, self._held = view, at, firsts, held

    def __len__(self) -> int:
        return len(self.view)

    def __getitem__(self, span: slice) -> str:
        start, end, _ = span.indices(len(self.view))
        at, firsts, view = self._at, self._firsts, self.view
        i = bisect.bisect_right(at, start) - 1  # the last run starting at or before ``start``: it may reach into it
        if i < 0 or at[i] + firsts[i + 1] - firsts[i] <= start:
            i += 1
        if i == len(at) or at[i] >= end:
            return view[start:end]
        parts, cursor = [], start
        while i < len(at) and at[i] < end:
            low, high = max(at[i], start), min(at[i] + firsts[i + 1] - firsts[i], end)
            parts += view[cursor:low], self._held[firsts[i] + low - at[i]:firsts[i] + high - at[i]]
            cursor, i = high, i + 1
        parts.append(view[cursor:end])
        return "".join(parts)

    def replaced(self, old: str, new: str) -> Narrowed:
        """The text with the character ``old`` replaced by ``new``, the view shared: ``old`` must be held apart
        and ``new`` of its kind."""
        assert _HELD_APART.fullmatch(old) and stand_in(old) == stand_in(new) is not None
        return Narrowed(self.view, self._at, self._firsts, self._held.replace(old, new))


def narrowed(pieces: Pieces, keep: Callable[[bytes], bytes]) -> tuple[str | Narrowed, bytes] | None:
    """:meth:`~rightscheck.inputs.pieces.Pieces.utf8`, the text narrowed if it holds characters to hold apart
    and is worth narrowing (see the module docstring)."""
    kept: list[bytes] = []
    parts, runs, view, text = pieces.decoded(keep, kept), _Runs(), "", None
    try:
        for part in parts:
            shown = runs.narrowed(part, len(view))
            if shown is None:
                break
            view += shown  # in place (see rightscheck.inputs.pieces)
        else:
            return (runs.text(view) if runs.at else view), b"".join(kept)
        text, view = runs.text(view)[:] + part, ""  # not worth it: the plain text from here on
        for part in parts:
            text += part  # in place
        return text, b"".join(kept)
    except UnicodeDecodeError:
        pieces.put_back((runs.text(view)[:] if text is None else text).encode())
        return None


class _Runs:
    """The runs of characters held apart as a text is narrowed, part by part."""

    def __init__(self) -> None:
        self.at, self.firsts, self.held = array.array("q"), array.array("q", [0]), []
        self._part, self._offset, self._limit = "", 0, 0  # the part being narrowed, where it stands, the cost allowed

    def narrowed(self, part: str, offset: int) -> str | None:
        """``part``, which stands at ``offset`` in the view, as the view shows it, its runs recorded; None (and
        nothing recorded) if a character has no stand-in, or the runs would cost more than half the view.
        Latin-1's encoder finds the runs (:func:`_held_apart`): a search for them was three times slower."""
        runs, held = len(self.at), len(self.held)
        self._part, self._offset, self._limit = part, offset, (offset + len(part)) // 2
        _narrowing.runs = self
        try:  # a NUL is held apart too: encoded as U+FFFD is, the same kind of character
            view = (part.replace("\x00", "\ufffd") if "\x00" in part else part).encode("latin-1", _HOLD_APART)
        except _NotWorthIt:
            del self.at[runs:], self.firsts[runs + 1:], self.held[held:]
            return None
        finally:
            _narrowing.runs, self._part = None, ""
        return view.decode("latin-1")

    def hold(self, start: int, end: int) -> str:
        """The stand-ins of the part's characters [start, end), held apart."""
        chars = self._part[start:end]
        if RUN_COST * (len(self.at) + 1) + CHAR_COST * (self.firsts[-1] + len(chars)) > self._limit:
            raise _NotWorthIt
        shown = _stand_ins(chars)
        if shown is None:
            raise _NotWorthIt
        self.at.append(self._offset + start)
        self.firsts.append(self.firsts[-1] + len(chars))
        self.held.append(chars)
        return shown

    def text(self, view: str) -> Narrowed:
        return Narrowed(view, self.at, self.firsts, "".join(self.held))


_HOLD_APART = "rightscheck-hold-apart"
_narrowing = threading.local()  # the runs the encoder's error handler records into


def _held_apart(error: UnicodeError) -> tuple[str, int]:
    """Latin-1's encoder's handler of a run of characters it cannot encode: their stand-ins."""
    if not isinstance(error, UnicodeEncodeError) or getattr(_narrowing, "runs", None) is None:
        raise error
    return _narrowing.runs.hold(error.start, error.end), error.end


codecs.register_error(_HOLD_APART, _held_apart)


class _NotWorthIt(Exception):
    pass


def _stand_ins(run: str) -> str | None:
    """The stand-ins of a run of characters held apart, None if one has none."""
    shown = []
    for char in run:
        if char not in _STAND_INS:
            _STAND_INS[char] = stand_in(char)
        shown.append(_STAND_INS[char])
    return None if None in shown else "".join(shown)
