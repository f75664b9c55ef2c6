"""GitHub Actions workflow commands: each finding an annotation on the pull request's diff."""

from __future__ import annotations

from rightscheck.core.findings import Finding
from rightscheck.core.result import ScanResult
from rightscheck.core.visible import visible
from rightscheck.reports.jsonreport import summary_line
from rightscheck.reports.options import Options

_GITHUB_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def render(result: ScanResult, options: Options = Options()) -> str:
    """GitHub Actions workflow commands: each finding becomes an annotation on the pull request's diff."""
    lines = [_annotation(f) for f in result.findings]
    return "\n".join(lines + [summary_line(result)])


def _annotation(f: Finding) -> str:
    """A file's finding annotates its lines; a record's annotates the container's line where the record
    starts (a JSON Lines row), or the container file as a whole (a WARC), the message naming the record."""
    if f.record is None:
        props = {"file": f.path, "line": f.line, "col": f.column, "endLine": f.end_line, "endColumn": f.end_column}
    else:
        line = f.container_line()
        props = {"file": f.path, **({"line": line} if line else {})}
    fields = ",".join(f"{key}={_command_text(str(value), True)}" for key, value in {**props, "title": f.rule}.items())
    message = f.message if f.record is None else f"{f.place()}:{f.line}:{f.column}: {f.message}"
    return f"::{_GITHUB_LEVELS[f.severity]} {fields}::{_command_text(message, False)}"


def _command_text(value: str, prop: bool) -> str:
    """``value`` as a workflow command carries it, the runner's decoding undone (actions/toolkit's
    ``escapeData``, and ``escapeProperty`` for a property): % CR LF always, : , in properties too. CR and
    LF thus reach the annotation as they are (a file name with a line break still names its file); every
    other control, bidi or line-breaking character, which the encoding has no form for, is shown
    :func:`visible` (the annotation is read by a person)."""
    value = visible(value, keep="\r\n").replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if prop else value
