"""The terminal: colour when a person is reading, and a progress bar for scans long enough to wonder about.

Colour follows the NO_COLOR / FORCE_COLOR conventions and is off when output goes to a pipe or file. The
progress bar (rich) goes to stderr, appears only after a second, and never in CI logs, pipes or --quiet,
where a redrawn line is noise."""

from __future__ import annotations

import os
import time
from typing import IO

DELAY = 1.0  # seconds before a progress bar is worth showing


def use_colour(stream: IO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return _is_tty(stream)


def interactive(stream: IO) -> bool:
    """A person is watching ``stream``: a terminal, and not a CI job."""
    return _is_tty(stream) and not os.environ.get("CI")


def _is_tty(stream: IO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class ProgressBar:
    """Callable as ``(done, total)`` after each file; draws on stderr once the scan has run for DELAY seconds.
    ``total`` is None while the walk goes on (a scan does not hold every file found to count them first):
    the bar then counts files, and shows how many are left once the total is known."""

    def __init__(self) -> None:
        self._started = time.monotonic()
        self._bar = None
        self._task = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            if time.monotonic() - self._started < DELAY:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(TextColumn("scanning"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                 console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("scan", total=total)
        self._bar.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
