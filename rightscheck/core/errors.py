"""The one exception type for user mistakes, so the CLI can turn it into a one-line message and exit 2."""

from __future__ import annotations


class RightscheckError(Exception):
    """A problem in a rule pack, config file or command line that the user must fix.

    Rendered as ``file:line: key.path: message`` so editors and CI logs can jump to it.
    """

    def __init__(self, message: str, path: str | None = None, line: int | None = None, key: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.key = key

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path + (f":{self.line}" if self.line else "") + ": "
        key = f"{self.key}: " if self.key else ""
        return f"{where}{key}{self.message}"
