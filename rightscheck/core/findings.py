"""The finding record: the public contract shared by every report format."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Iterable

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
SNIPPET_LIMIT = 1000  # characters of a region kept as its snippet: a reused passage can run for pages


@dataclass(frozen=True)
class Finding:
    """One problem at one place. Columns are 1-based characters; ``end_column`` is exclusive (as in SARIF)."""

    rule: str
    pack: str
    kind: str
    severity: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    evidence: str
    source: dict | None = None  # reuse findings: where in which source the text comes from
    signal: str | None = None  # the pack signal that identified the content ("front matter source", "reused-text")
    region: str | None = None  # HTML pages: "article" or "chrome" (page scope), where the evidence stands
    occurrences: int | None = None  # the same image repeated on the page: how many times (one finding for all)
    # A document inside a container (a WARC response, a JSON Lines row, a WXR item) or fetched (a web page):
    # where it is, with keys that suit its input (see rightscheck.inputs.base.Record); ``path`` is then
    # the container, and ``line``/``column`` count within the document.
    record: dict | None = None
    # The file's own text in the region (markup and line breaks included, cut to SNIPPET_LIMIT), which SARIF
    # calls the snippet; set by the scanner, which alone has the file. Not in the JSON: ``evidence`` already
    # shows a person what was found, and the region text, pages of it for a reused passage, would repeat
    # the file in every report. Derived from the location, so it takes no part in comparisons.
    snippet: str | None = field(default=None, compare=False, repr=False)

    def sort_key(self) -> tuple:
        """Total order (ties broken by source and message) so output never depends on index history."""
        source = self.source or {}
        return (self.path, record_position(self.record), self.line, self.column, self.rule,
                source.get("path", ""), source.get("line", 0), self.message)

    def fingerprint(self) -> str:
        """Identity that survives edits elsewhere in the file (no line or column): rule, path, the evidence
        with case and spacing folded, and the source of reused text. Baselines and SARIF use it."""
        source = (self.source or {}).get("path", "")
        key = "\0".join((self.rule, self.path, " ".join(self.evidence.casefold().split()), source)
                        + ((record_identity(self.record),) if self.record else ()))
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def place(self) -> str:
        """Where a person finds the document: its file, or its container with the record in brackets."""
        return place(self.path, self.record)

    def container_line(self) -> int | None:
        """The line of the container file where the record starts (a JSON Lines or CSV row, a WXR item), for
        consumers that point into the file itself (annotations, Code Quality); None if it has none."""
        line = (self.record or {}).get("line")
        return line if isinstance(line, int) else None

    def to_dict(self) -> dict:
        """The public JSON form: ``source`` appears only on findings about reused text, ``signal`` only where
        a pack signal placed the finding, ``region`` only on HTML pages, ``occurrences`` only above one,
        ``record`` only on documents inside a container or fetched."""
        data = asdict(self)
        del data["snippet"]
        for optional in ("source", "signal", "region", "occurrences", "record"):
            if data[optional] is None:
                del data[optional]
        return data


# What names a record, most stable first (a URL survives a re-crawl, an id a re-export, where a line number
# or an offset moves when the container changes), and how a report shows each.
_NAMES = (("uri", "{}"), ("url", "{}"), ("id", "id {}"), ("post_id", "post {}"), ("link", "{}"),
          ("line", "line {}"), ("offset", "offset {}"))


def _name(record: dict) -> tuple[str, str] | None:
    """The record's most stable name as (key, label template), or None."""
    return next(((key, label) for key, label in _NAMES if record.get(key) not in (None, "")), None)


def record_identity(record: dict) -> str:
    """The record's most stable name (its URL, id or post id; else its line or offset), which baselines and
    SARIF fingerprints keep, so a finding is the same finding when the container is rewritten around it."""
    name = _name(record)
    return f"{name[0]}={record[name[0]]}" if name else ""


def record_position(record: dict | None) -> tuple:
    """Where the record stands in its container, for sorting findings in the container's own order."""
    if not record:
        return ()
    place = record.get("offset", record.get("line"))
    return (place if isinstance(place, int) else -1, record_identity(record))


def record_label(record: dict) -> str:
    """The record as a person names it in a report: its URL, else ``id 17``, ``post 42``, ``line 12``."""
    name = _name(record)
    return name[1].format(record[name[0]]) if name else ""


def place(path: str, record: dict | None) -> str:
    """``path``, or ``crawl.warc.gz [https://example.org/a]`` for a record (a web page fetched is named by its
    URL alone, unless it was redirected elsewhere)."""
    label = record_label(record) if record else ""
    return f"{path} [{label}]" if label and label != path else path


def cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the last an ellipsis when it was longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def occurrence_fingerprints(findings: Iterable[Finding]) -> list[str]:
    """:meth:`Finding.fingerprint` of each finding made unique in the report, as GitHub's own fingerprints
    are: the same uncredited image twice in a file is two alerts, not one. The n-th repeat (in the order
    given, the report's sort order) gets ``:n`` appended; the first keeps the plain fingerprint, so an
    alert recorded before repeats were told apart keeps its identity."""
    seen: Counter[str] = Counter()
    keys = []
    for finding in findings:
        key = finding.fingerprint()
        keys.append(f"{key}:{seen[key]}" if seen[key] else key)
        seen[key] += 1
    return keys


def at_or_above(severity: str, threshold: str) -> bool:
    """Whether ``severity`` reaches ``threshold`` ('never' is reached by nothing)."""
    return threshold != "never" and SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold]


def one_line(text: str, limit: int) -> str:
    """Whitespace folded to single spaces, cut to ``limit`` characters with an ellipsis."""
    return cut(" ".join(text.split()), limit)
