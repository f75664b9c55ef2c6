"""The text report: ``path:line:col: severity rule message``, the line editors jump to, one per finding."""

from __future__ import annotations

import click

from rightscheck.core.result import ScanResult
from rightscheck.core.visible import inert, visible
from rightscheck.reports.jsonreport import summary_line
from rightscheck.reports.options import Options

SEVERITY_STYLE = {"error": {"fg": "red", "bold": True}, "warning": {"fg": "yellow", "bold": True},
                  "info": {"fg": "blue"}}


def render(result: ScanResult, options: Options = Options()) -> str:
    """One ``path:line:col: severity rule message`` line per finding (the form editors jump to), the source
    passage under findings about reused text, and a summary line. Scanned names and text are shown
    :func:`visible`, and no line can be read as a CI workflow command (:func:`inert`)."""
    paint = click.style if options.colour else (lambda text, **_: text)
    lines = []
    shown = None
    for f in result.findings:
        lines.append(f"{paint(f'{_shown_path(f.place())}:{f.line}:{f.column}:', bold=True)} "
                     f"{paint(f.severity, **SEVERITY_STYLE[f.severity])} {paint(visible(f.rule), fg='cyan')} "
                     f"{visible(f.message)}")
        passage = f.source and (f.path, f.line, f.column, f.source["path"], f.source["line"])
        if passage and passage != shown:  # several findings on one passage: show it once
            lines.extend(_side_by_side(f))
        shown = passage or shown
    lines.append(summary_line(result))
    return inert("\n".join(lines))


def _shown_path(path: str) -> str:
    """``path`` :func:`visible`, with ``./`` before a name that starts with ``:`` or a space, so that the line
    it starts is still a path an editor can open but never a ``::`` workflow command."""
    shown = visible(path)
    return f"./{shown}" if shown[:1] == ":" or shown[:1].isspace() else shown


def _side_by_side(finding) -> list[str]:
    """The scanned passage over its source passage; words only in one of them are marked {+...+} / [-...-]."""
    src = finding.source
    share = f", {src['share']:.0%} of the source" if src.get("share") else ""
    return [
        f"    scanned {visible(finding.place())}:{finding.line}-{finding.end_line} ({src['words']} words{share})",
        f"      {visible(src['scanned_excerpt'])}",
        f"    source  {visible(src['path'])}:{src['line']}-{src['end_line']}",
        f"      {visible(src['source_excerpt'])}",
    ]
