"""JUnit XML output, for CI systems that show test reports (GitLab, Jenkins, Azure Pipelines).

Each finding is a failing test case, with the ``file`` and ``line`` attributes GitLab and Jenkins read;
each scanned file without findings a passing case, each skipped file a ``<skipped>`` case. So a report
lists compliant files as passed, ``failures`` counts findings (what the run's exit code is about), and
``tests`` is every case: findings, clean files and skipped files."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

import regex

from rightscheck.core.result import ScanResult
from rightscheck.reports.options import Options
from rightscheck.core.visible import inert, visible

# Characters XML 1.0 cannot carry, even escaped, that visible() leaves as they are (U+FFFE, U+FFFF).
_NOT_XML = regex.compile(r"[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def render(result: ScanResult, options: Options = Options()) -> str:
    """The scan as one JUnit XML document: for each scanned file in scan order its findings' cases (or its
    passing case), then the skipped files."""
    by_path = defaultdict(list)  # keyed by the place: a container's records are cases of their own
    for finding in result.findings:
        by_path[finding.place()].append(finding)
    clean = [path for path in result.paths if path not in by_path]
    counts = {"tests": str(len(result.findings) + len(clean) + len(result.skipped)),
              "failures": str(len(result.findings)), "errors": "0", "skipped": str(len(result.skipped))}
    suites = ET.Element("testsuites", name="rightscheck", **counts)
    suite = ET.SubElement(suites, "testsuite", name="rightscheck", **counts)
    for path in result.paths:
        if path not in by_path:
            ET.SubElement(suite, "testcase", classname="rightscheck", name=_clean(path),
                          file=_clean(_file_of(path, result.containers)))
        for f in by_path.get(path, ()):
            case = ET.SubElement(suite, "testcase", classname="rightscheck",
                                 name=_clean(f"{f.place()}:{f.line}:{f.column}: {f.rule}"), file=_clean(f.path),
                                 line=str(f.line if f.record is None else f.container_line() or 1))
            failure = ET.SubElement(case, "failure", type=_clean(f.rule), message=_clean(f"{f.rule}: {f.message}"))
            failure.text = (f"{_clean(f'{f.place()}:{f.line}:{f.column}: {f.severity} {f.rule} {f.message}')}\n"
                            f"evidence: {_clean(f.evidence)}")
    for skipped in result.skipped:
        case = ET.SubElement(suite, "testcase", classname="rightscheck", name=_clean(skipped.place()))
        ET.SubElement(case, "skipped", message=_clean(skipped.reason))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")


def _file_of(place: str, containers: set[str]) -> str:
    """The file a scanned document is in: itself, or the container a record's place names first."""
    return next((c for c in containers if place.startswith(f"{c} [")), place)


def _clean(text: str) -> str:
    """``text`` as a CI page or log may show it (:func:`visible`, :func:`inert`), in XML 1.0 (U+FFFD for
    what XML cannot carry)."""
    return _NOT_XML.sub("\uFFFD", inert(visible(text)))
