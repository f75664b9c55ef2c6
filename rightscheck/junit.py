"""JUnit XML output, for CI systems that show test reports (GitLab, Jenkins, Azure Pipelines).

Each scanned file is a test case; each finding in it is a ``<failure>``, each skipped file a
``<skipped>`` case, so a report lists compliant files as passed and the rest with every reason."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

import regex

from rightscheck.scanner import ScanResult
from rightscheck.visible import inert, visible

# Characters XML 1.0 cannot carry, even escaped, that visible() leaves as they are (U+FFFE, U+FFFF).
_NOT_XML = regex.compile(r"[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def render_junit(result: ScanResult) -> str:
    """The scan as one JUnit XML document."""
    by_path = defaultdict(list)
    for finding in result.findings:
        by_path[finding.path].append(finding)
    failing = sum(1 for path in result.paths if by_path.get(path))
    counts = {"tests": str(len(result.paths) + len(result.skipped)), "failures": str(failing), "errors": "0",
              "skipped": str(len(result.skipped))}
    suites = ET.Element("testsuites", name="rightscheck", **counts)
    suite = ET.SubElement(suites, "testsuite", name="rightscheck", **counts)
    for path in result.paths:
        case = ET.SubElement(suite, "testcase", classname="rightscheck", name=_clean(path), file=_clean(path))
        for f in by_path.get(path, ()):
            failure = ET.SubElement(case, "failure", type=_clean(f.rule), message=_clean(f"{f.rule}: {f.message}"))
            failure.text = (f"{_clean(f'{f.path}:{f.line}:{f.column}: {f.severity} {f.rule} {f.message}')}\n"
                            f"evidence: {_clean(f.evidence)}")
    for skipped in result.skipped:
        case = ET.SubElement(suite, "testcase", classname="rightscheck", name=_clean(skipped.path))
        ET.SubElement(case, "skipped", message=_clean(skipped.reason))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")


def _clean(text: str) -> str:
    """``text`` as a CI page or log may show it (:func:`visible`, :func:`inert`), in XML 1.0 (U+FFFD for
    what XML cannot carry)."""
    return _NOT_XML.sub("\uFFFD", inert(visible(text)))
