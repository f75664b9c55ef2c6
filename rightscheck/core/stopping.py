"""Ctrl-C and SIGTERM, kept even where Python drops them. A KeyboardInterrupt raised while a finalizer runs
(the regex module's compiler frees its parse tree in ``__del__``) is printed as "Exception ignored in ..."
and lost, and a scan ran on after Ctrl-C (a test of it hung so, now and then, in full runs). The handlers
note the signal before raising; a scan's waits ask again (:func:`check`)."""

from __future__ import annotations

import signal
from contextlib import contextmanager
from typing import Iterator


class Terminated(BaseException):
    """SIGTERM, raised in the main thread as Ctrl-C raises KeyboardInterrupt, so that both unwind the same
    way: workers stopped, no report written. A BaseException, so that no ``except Exception`` catches it."""


_noted: int | None = None  # the stop signal received while a command runs


def _on_signal(signum: int, frame: object) -> None:
    global _noted
    _noted = signum
    raise KeyboardInterrupt if signum == signal.SIGINT else Terminated


def check() -> None:
    """Raise the stop signal received, if one came (again, if its first raise was lost)."""
    if _noted is not None:
        raise KeyboardInterrupt if _noted == signal.SIGINT else Terminated


@contextmanager
def stoppable() -> Iterator[None]:
    """While a command runs, SIGTERM raises Terminated and Ctrl-C KeyboardInterrupt, both noted; a Ctrl-C
    ignored from the start (a background job of a script) stays ignored. The previous handling is back
    afterwards (the tests run commands in-process)."""
    global _noted
    _noted = None
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    for signum, handler in previous.items():
        if signum == signal.SIGTERM or handler is signal.default_int_handler:
            signal.signal(signum, _on_signal)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _noted = None
