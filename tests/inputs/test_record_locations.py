"""A finding in a record says where the record is, in every format, in the form its consumer reads:
the container as the file, the record (its id, URL or line) named beside it, the line of the container
where the record starts for consumers that point into the file."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

DISPATCH = "Baghdad, Jan 18 (AFP) - Iraqi forces said on Tuesday they had retaken the last district held by militants."
CLEAN = "The council met on Tuesday to discuss the budget for the coming year."


@pytest.fixture
def dump(write):
    """Three rows: a clean one on line 1, the agency's dispatch as rows ``a17`` (line 2) and ``b9`` (line 3)."""
    rows = [{"slug": "clean", "body": CLEAN}, {"slug": "a17", "body": DISPATCH}, {"slug": "b9", "body": DISPATCH}]
    write("dump.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    return ["dump.jsonl", "--field", "text=body", "--field", "id=slug"]


def _report(cli, dump, fmt):
    result = cli("scan", *dump, "--format", fmt)
    assert result.exit_code == 1, result.output
    return result.output


def test_json_carries_the_record_of_each_finding(cli, dump):
    findings = json.loads(_report(cli, dump, "json"))["findings"]
    assert [(f["path"], f["record"], f["line"]) for f in findings] == [
        ("dump.jsonl", {"container": "dump.jsonl", "line": 2, "id": "a17"}, 1),
        ("dump.jsonl", {"container": "dump.jsonl", "line": 3, "id": "b9"}, 1)]


def test_jsonl_carries_the_record_of_each_finding(cli, dump):
    lines = [json.loads(line) for line in _report(cli, dump, "jsonl").splitlines()]
    assert [line["record"]["id"] for line in lines if "rule" in line] == ["a17", "b9"]


def test_text_names_the_record_beside_the_container(cli, dump):
    lines = _report(cli, dump, "text").splitlines()
    assert lines[0].startswith("dump.jsonl [id a17]:1:1: error afp/unlicensed-content ")
    assert lines[1].startswith("dump.jsonl [id b9]:1:1: ")


def test_github_annotates_the_line_where_the_record_starts(cli, dump):
    first = _report(cli, dump, "github").splitlines()[0]
    assert first.startswith("::error file=dump.jsonl,line=2,title=afp/unlicensed-content::dump.jsonl [id a17]:1:1: ")


def test_sarif_points_at_the_container_line_and_names_the_record(cli, dump):
    result = json.loads(_report(cli, dump, "sarif"))["runs"][0]["results"][0]
    location = result["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "dump.jsonl"
    assert location["physicalLocation"]["region"] == {"startLine": 2}
    assert location["logicalLocations"] == [{"fullyQualifiedName": "dump.jsonl [id a17]", "kind": "resource"}]
    assert location["properties"]["documentRegion"]["startLine"] == 1
    assert result["properties"]["record"] == {"container": "dump.jsonl", "line": 2, "id": "a17"}


def test_sarif_fingerprints_tell_two_records_with_the_same_text_apart(cli, dump):
    results = json.loads(_report(cli, dump, "sarif"))["runs"][0]["results"]
    prints = [r["partialFingerprints"] for r in results]
    assert len(prints) == 2 and prints[0] != prints[1] and not any(":" in v for p in prints for v in p.values())


def test_junit_has_a_case_per_record_at_its_container_line(cli, dump):
    cases = ET.fromstring(_report(cli, dump, "junit")).iter("testcase")
    named = {case.get("name"): (case.get("file"), case.get("line")) for case in cases}
    assert named["dump.jsonl [id a17]:1:1: afp/unlicensed-content"] == ("dump.jsonl", "2")
    assert named["dump.jsonl [id clean]"] == ("dump.jsonl", None)  # the clean record passes on its own


def test_code_quality_points_at_the_container_line(cli, dump):
    issue = json.loads(_report(cli, dump, "codequality"))[0]
    assert issue["location"] == {"path": "dump.jsonl", "lines": {"begin": 2, "end": 2}}
    assert issue["description"].startswith("dump.jsonl [id a17]: ")


def test_the_html_report_names_the_record(cli, dump):
    assert "dump.jsonl [id a17]" in _report(cli, dump, "html")


def test_a_baseline_keeps_a_record_by_its_id_when_rows_move(cli, dump, write):
    assert cli("baseline", "create", *dump).exit_code == 0
    entries = json.loads(open(".rightscheck-baseline.json", encoding="utf-8").read())["findings"]
    assert sorted(e["record"] for e in entries) == ["id=a17", "id=b9"]
    rows = [{"slug": "b9", "body": DISPATCH}, {"slug": "new", "body": CLEAN}, {"slug": "a17", "body": DISPATCH}]
    write("dump.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    assert cli("scan", *dump, "--baseline", ".rightscheck-baseline.json").exit_code == 0
    rows.append({"slug": "c3", "body": DISPATCH})
    write("dump.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    again = cli("scan", *dump, "--baseline", ".rightscheck-baseline.json")
    assert again.exit_code == 1 and "[id c3]" in again.output and "[id a17]" not in again.output


def test_a_baseline_entry_of_a_record_gone_from_its_container_is_stale(cli, dump, write):
    assert cli("baseline", "create", *dump).exit_code == 0
    write("dump.jsonl", json.dumps({"slug": "a17", "body": DISPATCH}) + "\n")
    result = cli("scan", *dump, "--baseline", ".rightscheck-baseline.json", "--fail-on-stale", "--format", "json")
    assert result.exit_code == 1
    assert [entry["record"] for entry in json.loads(result.output)["stale"]] == ["id=b9"]


def test_the_url_field_names_a_row_and_keeps_its_baseline_when_rows_move(cli, write):
    rows = [{"link": "https://news.example/a", "body": DISPATCH}, {"link": "https://news.example/b", "body": CLEAN}]
    args = ["dump.jsonl", "--field", "text=body", "--field", "url=link"]
    write("dump.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    assert cli("scan", *args).output.startswith("dump.jsonl [https://news.example/a]:1:1: ")
    assert cli("baseline", "create", *args).exit_code == 0
    write("dump.jsonl", "".join(json.dumps(row) + "\n" for row in reversed(rows)))
    assert cli("scan", *args, "--baseline", ".rightscheck-baseline.json").exit_code == 0


def test_the_jsonl_report_ends_with_the_skipped_records(cli, write):
    write("dump.jsonl", json.dumps({"text": CLEAN}) + "\nnot json\n")
    end = json.loads(cli("scan", "dump.jsonl", "--format", "jsonl").output.splitlines()[-1])
    assert [(s["path"], s["record"]["line"]) for s in end["skipped"]] == [("dump.jsonl", 2)]


def test_a_note_about_a_record_names_the_record(cli, write):
    rows = [{"id": "r1", "kind": "md", "text": "---\nsource: [unclosed\n---\nHello.\n"}]
    write("fm.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    result = cli("scan", "fm.jsonl", "--field", "id=id", "--field", "kind=kind", "-v")
    assert "rightscheck: fm.jsonl [id r1]: front matter" in result.output
