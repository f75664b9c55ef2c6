"""Scanned text and file names made safe to show a person, in a terminal, a CI log or a browser.

Both are hostile input. ESC and the C1 CSI (U+009B) start terminal control sequences (clear the screen,
retitle the window), BEL rings, DEL and the other controls garble; bidi controls (U+061C, U+200E, U+200F,
U+202A–U+202E, U+2066–U+2069) make the reader see text in another order than it is; line breaks (CR, LF,
VT, FF, U+001C–U+001E, U+0085, U+2028, U+2029) split one report line into two; a lone surrogate cannot be
printed at all. :func:`visible` writes each of them as a Python string literal would, ``\\x1b``, ``\\x9b``,
``\\u202e`` (every other character, the backslash included, stays as it is), as git and ripgrep show such
bytes instead of sending them. The machine formats (JSON, SARIF) keep the real characters.

A CI runner also reads its log: GitHub Actions takes a line that starts with ``::`` (after leading
whitespace), or holds ``##[`` anywhere, as a workflow command (an annotation, a log mask, a stop to command
processing). :func:`inert` breaks those markers in human-readable output.
"""

from __future__ import annotations

import re

_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
# A line starts after CR or LF, as the runner reads its log; the white space it trims before a command.
_COMMAND = re.compile(r"(?:^|(?<=[\r\n]))([^\S\r\n]*):(?=:)|##\[")


def visible(text: str, keep: str = "") -> str:
    """``text`` with every control, C1, bidi, line-breaking and surrogate character but those in ``keep``
    written as a visible escape (``\\x1b``, ``\\u202e``)."""
    return _HIDDEN.sub(lambda m: m[0] if m[0] in keep else _escape(m[0]), text)


def inert(text: str) -> str:
    """``text`` with the marks of a GitHub Actions workflow command escaped: ``::`` starting a line (after
    white space) becomes ``\\x3a:``, and ``##[`` anywhere ``##\\x5b``."""
    return _COMMAND.sub(lambda m: f"{m[1]}\\x3a" if m[1] is not None else "##\\x5b", text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
