"""What a report format may use besides the scan result, passed in so that no format reaches for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from rightscheck.packs.pack import Pack


@dataclass(frozen=True)
class Options:
    """The packs (what the JSON, HTML and SARIF reports say about each), colour for a terminal (text), and
    the scan's Config (licences held and quotation overrides, for the JSON and HTML reports)."""

    packs: Sequence[Pack] = ()
    colour: bool = False
    config: Any = None
