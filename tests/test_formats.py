"""Report formats for CI: SARIF (validated against the official schema), JUnit XML, GitHub annotations, --output."""

from __future__ import annotations

import json
import os
import re
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import junitparser
import pytest

from rightscheck.core.findings import Finding
from rightscheck.core.result import ScanResult

DATA = Path(__file__).parent / "data"
SARIF_SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text("utf-8"))
CODEQUALITY_SCHEMA = json.loads((DATA / "gitlab-codequality.schema.json").read_text("utf-8"))

STRIPPED = """\
Dockers at the port of Varna walked out on Monday over pay, halting container traffic, their union said.

The strike is the third this year at the Black Sea port.

All rights reserved. Sections of the information displayed on this page are
protected by intellectual property rights owned by Agence France-Presse.
"""
CLEAN = "Parish council news: the hall roof will be repaired in March.\n"
# A pack that wants its credit beside each dateline, so one file can hold the same finding twice.
NEAR_PACK = """\
id: sw
name: Slow Wire
licence: {terms: all-rights-reserved, summary: All rights reserved.}
signals:
  - id: dateline
    pattern: '\\(SW\\)'
    weight: 1.0
attribution:
  - id: credit
    description: a Slow Wire credit
    within: {near: 1}
    any_of: [{pattern: 'Credit: SW'}]
"""
TWO_STORIES = "MADRID (SW) - First story.\n\nFiller one.\n\nFiller two.\n\nFiller three.\n\nLISBON (SW) - Second story.\n"


def _site(write):
    write("site/news/strike.md", STRIPPED)
    write("site/news/hall, roof.txt", CLEAN)
    write("site/blob.html", b"\x00\x01\x02 binary")


def test_sarif_validates_against_the_official_schema(cli, write):
    _site(write)
    result = cli("scan", "site", "--format", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.output)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    run = log["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert "afp/missing-attribution" in rules and rules["afp/missing-attribution"]["help"]["text"]
    (first, *_) = [r for r in run["results"] if r["ruleId"] == "afp/missing-attribution"]
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == first["ruleId"]
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "site/news/strike.md", "uriBaseId": "SRCROOT"}
    assert location["region"]["startLine"] == 6
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes] == ["site/blob.html"]


def test_sarif_fingerprints_survive_line_moves(cli, write):
    _site(write)
    before = json.loads(cli("scan", "site", "--format", "sarif").output)["runs"][0]["results"]
    write("site/news/strike.md", "An editor's note added on top.\n\n" + STRIPPED)
    after = json.loads(cli("scan", "site", "--format", "sarif").output)["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after] != \
           [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in before]
    assert [r["partialFingerprints"] for r in after] == [r["partialFingerprints"] for r in before]


def test_sarif_fingerprints_tell_repeated_evidence_apart_and_the_first_keeps_its_value(cli, write):
    write("packs/sw.yaml", NEAR_PACK)
    write("site/a.md", TWO_STORIES)
    findings = json.loads(cli("scan", "site", "--rules", "packs", "--format", "json").output)["findings"]
    results = json.loads(cli("scan", "site", "--rules", "packs", "--format", "sarif").output)["runs"][0]["results"]
    keys = [r["partialFingerprints"]["rightscheck/v1"] for r in results]
    assert [r["ruleId"] for r in results] == ["sw/missing-attribution", "sw/unlicensed-content",
                                              "sw/missing-attribution"]
    repeated = Finding(**findings[0]).fingerprint()
    assert Finding(**findings[2]).fingerprint() == repeated  # same rule, file and evidence
    assert keys[0] == repeated and keys[2] == f"{repeated}:1"
    assert len(set(keys)) == len(keys)


def _region_text(text: str, region: dict) -> str:
    """The characters of ``text`` between SARIF's start and (exclusive) end line and column."""
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return text[starts[region["startLine"] - 1] + region["startColumn"] - 1:
                starts[region["endLine"] - 1] + region["endColumn"] - 1]


def test_sarif_snippet_is_the_regions_text_not_the_evidence(cli, write):
    page = ("<html><body><article><p>Dockers at the port of Varna walked out on Monday over pay.</p>\n"
            "<p>All rights reserved. Sections are protected by intellectual property rights owned by "
            "<b>Agence\nFrance-Presse</b>.</p></article></body></html>\n")
    write("site/strike.html", page)
    results = json.loads(cli("scan", "site", "--format", "sarif").output)["runs"][0]["results"]
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert region["snippet"]["text"] == _region_text(page, region)
    assert region["snippet"]["text"].endswith("owned by <b>Agence\nFrance-Presse")  # markup and line break
    finding = json.loads(cli("scan", "site", "--format", "json").output)["findings"][0]
    assert finding["evidence"] == "protected by intellectual property rights owned by Agence France-Presse"
    assert "snippet" not in finding  # the JSON contract is unchanged


def test_sarif_snippet_of_a_long_region_is_cut(cli, write):
    write("packs/sw.yaml", NEAR_PACK.replace(r"'\(SW\)'", r"'\(SW\)[^\n]*'"))
    write("site/a.md", "MADRID (SW) " + "and the strike goes on " * 200 + "\n")
    results = json.loads(cli("scan", "site", "--rules", "packs", "--format", "sarif").output)["runs"][0]["results"]
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert region["endColumn"] - region["startColumn"] > 4000
    assert len(region["snippet"]["text"]) == 1000 and region["snippet"]["text"].endswith("…")
    assert region["snippet"]["text"].startswith("(SW) and the strike goes on and")


def test_uris_are_percent_encoded(cli, write):
    write("site/a file #1.md", STRIPPED)
    log = json.loads(cli("scan", "site", "--format", "sarif").output)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == {"site/a%20file%20%231.md"}


def test_codequality_report_validates_against_gitlabs_format(cli, write):
    _site(write)
    write("packs/sw.yaml", NEAR_PACK)
    write("site/two.md", TWO_STORIES)
    result = cli("scan", "site", "--rules", "packs", "--format", "codequality")
    assert result.exit_code == 1
    issues = json.loads(result.output)
    jsonschema.Draft7Validator(CODEQUALITY_SCHEMA).validate(issues)
    findings = json.loads(cli("scan", "site", "--rules", "packs", "--format", "json").output)["findings"]
    assert [(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues] == \
           [(f["rule"], f["path"], f["line"]) for f in findings]
    assert {i["severity"] for i in issues} == {"major"}  # every finding here is an error
    keys = [i["fingerprint"] for i in issues]
    assert len(set(keys)) == len(keys)  # GitLab shows one issue per fingerprint
    sarif = json.loads(cli("scan", "site", "--rules", "packs", "--format", "sarif").output)["runs"][0]["results"]
    assert keys == [r["partialFingerprints"]["rightscheck/v1"] for r in sarif]


def test_codequality_maps_every_severity_and_is_an_empty_array_when_clean(cli, write):
    write("site/clean.txt", CLEAN)
    result = cli("scan", "site", "--format", "codequality")
    assert result.exit_code == 0 and json.loads(result.output) == []
    write("site/two.md", TWO_STORIES)
    for ours, gitlabs in (("error", "major"), ("warning", "minor"), ("info", "info")):
        write("packs/sw.yaml", NEAR_PACK + f"findings:\n  missing-attribution: {{severity: {ours}}}\n")
        issues = json.loads(cli("scan", "site", "--rules", "packs", "--only", "sw", "--format", "codequality").output)
        jsonschema.Draft7Validator(CODEQUALITY_SCHEMA).validate(issues)
        assert {i["severity"] for i in issues if i["check_name"] == "sw/missing-attribution"} == {gitlabs}


def test_format_choices_and_help_come_from_one_list(cli):
    from rightscheck.reports.render import FORMATS

    help_text = " ".join(cli("scan", "--help").output.split())
    assert f"[{'|'.join(FORMATS)}]" in help_text and "codequality (GitLab Code Quality)" in help_text


class _LocatedCase(junitparser.TestCase):
    """A test case with the ``file`` and ``line`` attributes GitLab and Jenkins read (junitparser's own
    class reads neither; custom attributes are its documented extension)."""

    file = junitparser.Attr("file")
    line = junitparser.IntAttr("line")


class _Suite(junitparser.TestSuite):
    testcase = _LocatedCase


class _Report(junitparser.JUnitXml):
    testsuite = _Suite


def test_junit_has_a_failing_case_per_finding_and_a_passing_case_per_clean_file(cli, write):
    _site(write)
    result = cli("scan", "site", "--format", "junit")
    assert result.exit_code == 1
    report = _Report.fromstring(result.output.encode("utf-8"))  # as a CI system reads the file
    (suite,) = report
    assert [(case.file, case.line, [type(r).__name__ for r in case.result]) for case in suite] == [
        ("site/news/hall, roof.txt", None, []),
        ("site/news/strike.md", 6, ["Failure"]),
        ("site/news/strike.md", 6, ["Failure"]),
        (None, None, ["Skipped"]),
    ]
    failures = [case.result[0] for case in suite if case.is_failure]
    assert [f.type for f in failures] == ["afp/missing-attribution", "afp/unlicensed-content"]
    assert [case.name for case in suite][-1] == "site/blob.html"
    declared = [(part.tests, part.failures, part.errors, part.skipped) for part in (report, suite)]
    report.update_statistics()  # the counts a consumer derives from the cases themselves
    assert [(part.tests, part.failures, part.errors, part.skipped) for part in (report, suite)] == declared
    assert declared == [(4, 2, 0, 1), (4, 2, 0, 1)]


def test_junit_survives_control_characters_in_evidence(cli, write):
    write("site/x.txt", "Copyright Agence France-Presse \x0b\x1b[31m\n")
    result = cli("scan", "site", "--format", "junit")
    ET.fromstring(result.output)  # well-formed despite characters XML cannot carry


def test_github_annotations_escape_properties_and_message(cli, write):
    write("site/a,b:c.md", STRIPPED)
    result = cli("scan", "site", "--format", "github")
    lines = result.output.splitlines()
    assert lines[0].startswith("::error file=site/a%2Cb%3Ac.md,line=6,col=1,endLine=6,")
    assert ",title=afp/missing-attribution::Agence France-Presse (AFP) content" in lines[0]
    assert lines[-1].startswith("2 findings (2 errors) in 1 file scanned")


def _read_command(line: str) -> tuple[str, dict[str, str], str]:
    """(command, properties, data) of a workflow command line, decoded as the GitHub Actions runner does
    (ActionCommand.TryParseV2: the command up to the first space, its properties up to the next "::",
    split at "," and at each one's first "=", then percent-decoded, "%25" last)."""
    end = line.index("::", 2)
    command, _, props = line[2:end].partition(" ")

    def decode(value: str, prop: bool) -> str:
        pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else []) + [("%25", "%")]
        for code, char in pairs:
            value = value.replace(code, char)
        return value

    properties = dict(part.split("=", 1) for part in props.split(",")) if props else {}
    return command, {key: decode(value, True) for key, value in properties.items()}, decode(line[end + 2:], False)


HOSTILE_NAMES = ["line\nbreak.md", "carriage\rreturn.md", "a:b.md", "c,d.md", "::warning::e.md", "50%,0A.md",
                 "%0A:,x.md"]


def test_github_annotations_name_hostile_files_exactly_after_the_runners_decoding(cli, write, tmp_path,
                                                                                 monkeypatch):
    for name in HOSTILE_NAMES:
        write(f"site/{name}", STRIPPED)
    monkeypatch.chdir(tmp_path / "site")  # "::warning::e.md" then starts the file property
    result = cli("scan", "--format", "github")
    assert result.exit_code == 1
    lines = re.split(r"\r\n|\r|\n", result.stdout.rstrip("\n"))  # lines as the runner reads its log
    annotations = [_read_command(line) for line in lines[:-1]]
    assert sorted({props["file"] for _, props, _ in annotations}) == sorted(HOSTILE_NAMES)
    assert {command for command, _, _ in annotations} == {"error"}
    assert {props["title"] for _, props, _ in annotations} == {"afp/missing-attribution", "afp/unlicensed-content"}
    assert all(props["line"] == "6" for _, props, _ in annotations)
    assert any(line.startswith("::error file=line%0Abreak.md,") for line in lines)
    assert any(line.startswith("::error file=%3A%3Awarning%3A%3Ae.md,") for line in lines)
    assert lines[-1].startswith("14 findings")


def test_github_annotation_messages_encode_percent_and_line_breaks():
    from rightscheck.reports.github import render as render_github

    finding = Finding("sw/unlicensed-content", "sw", "unlicensed-content", "warning", "a.md", 1, 1, 1, 9,
                      "100% of it\r\nreused: see a, b", "x")
    line = render_github(ScanResult(findings=[finding], paths=["a.md"])).split("\n")[0]
    assert line.endswith("::100%25 of it%0D%0Areused: see a, b")
    assert _read_command(line)[2] == "100% of it\r\nreused: see a, b"


def test_output_writes_the_report_and_prints_the_summary(cli, write, tmp_path):
    _site(write)
    result = cli("scan", "site", "--format", "sarif", "--output", "out/report.sarif")
    assert result.exit_code == 2 and "out/report.sarif: --output: folder for the report does not exist" in result.output
    result = cli("scan", "site", "--format", "sarif", "--output", "report.sarif")
    assert result.exit_code == 1
    assert result.output.strip() == "2 findings (2 errors) in 2 files scanned, 1 skipped."
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(json.loads((tmp_path / "report.sarif").read_text("utf-8")))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []  # no temporary left


@pytest.fixture
def umask():
    """set(mask): the process umask for this test, restored afterwards."""
    previous = os.umask(0o022)
    yield os.umask
    os.umask(previous)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_reports_and_baselines_get_the_users_umask_not_private_mode(cli, write, tmp_path, umask):
    _site(write)
    cli("scan", "site", "--format", "sarif", "-o", "report.sarif")
    cli("baseline", "create", "site", "-o", "baseline.json")
    assert stat.S_IMODE((tmp_path / "report.sarif").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "baseline.json").stat().st_mode) == 0o644
    umask(0o027)
    cli("scan", "site", "--format", "json", "-o", "report.json")
    assert stat.S_IMODE((tmp_path / "report.json").stat().st_mode) == 0o640


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_replacing_a_report_keeps_its_mode(cli, write, tmp_path, umask):
    _site(write)
    for name, mode in (("private.sarif", 0o600), ("shared.sarif", 0o664)):
        write(name, "old report\n").chmod(mode)
        cli("scan", "site", "--format", "sarif", "-o", name)
        assert (tmp_path / name).read_text("utf-8") != "old report\n"
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == mode


def test_json_reports_are_written_as_json_dumps_indents_them():
    from rightscheck.core.jsonfile import dump_json

    data = {"findings": [{"path": "é/a.md", "line": 1, "source": None, "tags": [], "x": {}}], "summary": {"n": 1.5},
            "empty": [], "text": "quote \" and \u2028 and \x00"}
    assert dump_json(data) == json.dumps(data, indent=2, ensure_ascii=False)
