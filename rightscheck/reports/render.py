"""The report formats: what each is for and needs of a scan (the ``--format`` choices and help come from
:data:`FORMATS`), and rendering a result in one of them. Each format is one module of this package with
a ``render(result, options)``; none imports another but for the JSON report's data and summary line."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from rightscheck.core.result import ScanResult
from rightscheck.reports.options import Options


@dataclass(frozen=True)
class Format:
    """A --format: what it is for (the command's help is made from this), and what it needs of a scan
    beyond its findings and counts, which the scan then keeps (the rest it only counts)."""

    use: str = ""
    every_path: bool = False  # the path of every file scanned (JUnit: a passing case per clean file)
    suppressed: bool = False  # the suppressed findings themselves
    stale: bool = False  # lists the stale baseline entries itself (else they go to stderr)
    streamed: bool = False  # written a file's findings at a time as the scan decides them, never held
    renderer: str = ""  # "module:function" rendering the whole report from (result, Options)


FORMATS = {
    "text": Format(renderer="text:render"),
    "json": Format(suppressed=True, stale=True, renderer="jsonreport:render"),
    "jsonl": Format("one finding per line, written as the scan goes", stale=True, streamed=True,
                    renderer="jsonreport:render_jsonl"),
    "sarif": Format("code scanning", suppressed=True, renderer="sarif:render"),
    "junit": Format("CI test reports", every_path=True, renderer="junit:render"),
    "codequality": Format("GitLab Code Quality", renderer="codequality:render"),
    "github": Format("annotations", renderer="github:render"),
    "html": Format("a self-contained page to open in a browser", renderer="html:render"),
}


def render(fmt: str, result: ScanResult, options: Options = Options()) -> str:
    """The whole report in format ``fmt`` (one of FORMATS). A format's module is imported only when it is
    asked for: a pre-commit run writing text does not pay for SARIF's rule metadata or the HTML template."""
    module, function = FORMATS[fmt].renderer.split(":")
    return getattr(import_module(f"rightscheck.reports.{module}"), function)(result, options)
