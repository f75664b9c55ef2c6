"""SARIF 2.1.0 output, for GitHub code scanning and other SARIF consumers.

One run; every rule of the packs in use is described in ``tool.driver.rules`` (from
:mod:`rightscheck.packs.explain`), and each result carries ``partialFingerprints`` from
:func:`occurrence_fingerprints`, which do not depend on line numbers, so a code-scanning
service recognises the same finding after unrelated edits move it, and tells repeats apart."""

from __future__ import annotations

import os
from urllib.parse import quote

from rightscheck import __version__
from rightscheck.packs.explain import TOOL_RULES, RuleHelp, rule_help
from rightscheck.core.findings import Finding, occurrence_fingerprints
from rightscheck.core.jsonfile import dump_json
from rightscheck.packs.pack import KINDS
from rightscheck.core.result import ScanResult
from rightscheck.reports.options import Options
from rightscheck.checks.suppress import SEVERITIES
from rightscheck.inputs.worktree import base_of

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "rightscheck/v1"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def render(result: ScanResult, options: Options = Options()) -> str:
    """The scan as one SARIF log (JSON text)."""
    rules = [_rule(rule_help(pack, kind), pack.findings[kind].severity, [pack.terms], {"pack": pack.id, "kind": kind})
             for pack in options.packs for kind in KINDS]
    rules += [_rule(help_, SEVERITIES[help_.rule], [], {}) for help_ in TOOL_RULES.values()]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    # suppressed findings are kept, as CodeQL and Semgrep keep them; counted with the rest, so a suppressed
    # and an active copy of the same evidence are two alerts
    active = result.findings
    keys = occurrence_fingerprints([*active, *(f for f, _ in result.suppressions)])
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "rightscheck", "version": __version__, "semanticVersion": __version__,
                "informationUri": "https://pypi.org/project/rightscheck/", "rules": rules,
            }},
            "originalUriBaseIds": {"SRCROOT": {"uri": _uri(base_of(os.getcwd()), directory=True)}},
            "results": [_result(f, index.get(f.rule), key) for f, key in zip(active, keys)] + [
                {**_result(f, index.get(f.rule), key), "suppressions": [{"kind": "inSource", "justification": why}]}
                for (f, why), key in zip(result.suppressions, keys[len(active):])],
            "invocations": [{
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"level": "warning" if s.problem else "note", "message": {"text": f"skipped: {s.reason}"},
                     "locations": [{"physicalLocation": {"artifactLocation": _artifact(s.path)}}]}
                    for s in result.skipped
                ],
            }],
        }],
    }
    return dump_json(log)


def _rule(help_: RuleHelp, severity: str, tags: list[str], properties: dict) -> dict:
    rule = {
        "id": help_.rule,
        "name": "".join(word.capitalize() for word in help_.rule.replace("/", "-").split("-")),
        "shortDescription": {"text": help_.title},
        "fullDescription": {"text": help_.checks},
        "help": {"text": f"{help_.checks}\n\nWhy: {help_.why}\n\nHow to fix: {help_.fix}",
                 "markdown": f"{help_.checks}\n\n**Why:** {help_.why}\n\n**How to fix:** {help_.fix}"},
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": {"tags": ["rights", *tags], **properties},
    }
    if help_.url:
        rule["helpUri"] = help_.url
    return rule


def _result(finding: Finding, rule_index: int | None, fingerprint: str) -> dict:
    region = {"startLine": finding.line, "startColumn": finding.column, "endLine": finding.end_line,
              "endColumn": finding.end_column}
    if finding.snippet is not None:  # the region's text, as SARIF defines the snippet (not the evidence)
        region["snippet"] = {"text": finding.snippet}
    result = {
        "ruleId": finding.rule,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [_location(finding, region)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if rule_index is not None:
        result["ruleIndex"] = rule_index
    where = {key: value for key, value in (("region", finding.region), ("occurrences", finding.occurrences),
                                           ("record", finding.record)) if value}
    if where:  # HTML pages: article or chrome, and how often a repeated image stands on the page
        result["properties"] = where
    if finding.source:
        src = finding.source
        result["relatedLocations"] = [{
            "id": 1,
            "message": {"text": f"source of the reused text ({src.get('words')} words)"},
            "physicalLocation": {"artifactLocation": _artifact(src["path"]),
                                 "region": {"startLine": src["line"], "endLine": src["end_line"]}},
        }]
    return result


def _location(finding: Finding, region: dict) -> dict:
    """A file's finding: the file and the region. A record's: the container, with the line where the record
    starts when it has one (a JSON Lines row), and the record as a logical location (its URL or id); the
    region within the record is kept in the result's ``record`` and ``documentRegion`` properties."""
    if finding.record is None:
        return {"physicalLocation": {"artifactLocation": _artifact(finding.path), "region": region}}
    physical = {"artifactLocation": _artifact(finding.path)}
    line = finding.container_line()
    if line:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical, "logicalLocations": [{"fullyQualifiedName": finding.place(),
                                                                "kind": "resource"}],
            "properties": {"documentRegion": region}}


def _artifact(path: str) -> dict:
    if "://" in path:  # a web page: its URL is the artifact's
        return {"uri": path}
    if os.path.isabs(path):
        return {"uri": _uri(path)}
    return {"uri": quote(path.replace(os.sep, "/")), "uriBaseId": "SRCROOT"}


def _uri(path: str, directory: bool = False) -> str:
    posix = path.replace(os.sep, "/")
    return "file://" + quote(posix if posix.startswith("/") else "/" + posix) + ("/" if directory else "")
