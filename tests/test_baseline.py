"""Baselines: today's findings recorded, only new ones reported, stale entries listed."""

from __future__ import annotations

import json

STRIPPED = ("Dockers at the port struck on Monday over pay.\n\n"
            "Sections of this page are protected by intellectual property rights owned by Agence France-Presse.\n")
MORE = "Wire story two.\n\nThis material may not be published, broadcast, rewritten or redistributed.\n"


def test_round_trip_survives_a_line_move_and_reports_only_new_findings(cli, write, tmp_path):
    write(".rightscheck.yaml", "licences: [afp, ap]\n")
    write("site/a.md", STRIPPED)
    created = cli("baseline", "create", "site")
    assert created.exit_code == 0 and "1 finding recorded in .rightscheck-baseline.json" in created.output
    entries = json.loads((tmp_path / ".rightscheck-baseline.json").read_text("utf-8"))["findings"]
    assert [(e["rule"], e["path"], e["line"]) for e in entries] == [("afp/missing-attribution", "site/a.md", 3)]

    write("site/a.md", "Editor's note: updated.\n\n\n" + STRIPPED)  # the finding moves three lines down
    write("site/b.md", MORE)
    result = cli("scan", "site", "--baseline", ".rightscheck-baseline.json", "--format", "json")
    report = json.loads(result.output)
    assert [(f["rule"], f["path"]) for f in report["findings"]] == [("ap/missing-attribution", "site/b.md")]
    assert report["summary"]["baselined"] == 1 and result.exit_code == 1
    text = cli("scan", "site", "--baseline", ".rightscheck-baseline.json")
    assert text.output.splitlines()[-1] == "1 finding (1 error) in 2 files scanned (1 baselined)."


def test_repeated_findings_count_and_stale_entries(cli, write):
    write(".rightscheck.yaml", "licences: [afp]\n")
    write("site/a.md", STRIPPED)
    cli("baseline", "create", "site", "--output", "base.json")
    write("site/a.md", "Rewritten with our own reporting.\n")
    result = cli("scan", "site", "--baseline", "base.json", "--report-stale")
    assert result.exit_code == 0
    assert "stale baseline entry: site/a.md: afp/missing-attribution" in result.output


def test_bad_baseline_is_a_clear_error(cli, write):
    write("site/a.md", STRIPPED)
    write("base.json", '{"version": 1,\n "findings": [}\n')
    result = cli("scan", "site", "--baseline", "base.json")
    assert result.exit_code == 2 and result.output.startswith("rightscheck: error: base.json:2: not valid JSON")
    result = cli("scan", "site", "--baseline", "missing.json")
    assert result.exit_code == 2 and "missing.json: baseline file not found" in result.output


def test_explain_prints_checks_why_and_fix(cli):
    result = cli("explain", "afp/unlicensed-content")
    assert result.exit_code == 0
    assert "What it checks:" in result.output and "How to fix:" in result.output
    assert "licences: [afp]" in result.output and "https://www.afp.com/en/terms-use" in result.output
    bad = cli("explain", "afp/nope")
    assert bad.exit_code == 2 and "afp/missing-attribution" in bad.output
    assert cli("explain", "nope/missing-attribution").exit_code == 2
    assert "How to fix: Add the reason" in cli("explain", "rightscheck/unexplained-suppression").output


def test_deeply_nested_baseline_is_a_clear_error(cli, write):
    write("site/a.md", STRIPPED)
    write("deep.json", "[" * 200_000)
    result = cli("scan", "site", "--baseline", "deep.json")
    assert result.exit_code == 2 and "deep.json: not valid JSON" in result.output and "internal" not in result.output


def _recorded(path) -> list[tuple[str, str, int]]:
    return [(e["rule"], e["path"], e["line"]) for e in json.loads(path.read_text("utf-8"))["findings"]]


def test_json_report_lists_stale_entries_and_counts_them_in_the_summary(cli, write, tmp_path):
    write(".rightscheck.yaml", "licences: [afp]\n")
    write("site/a.md", STRIPPED)
    cli("baseline", "create", "site", "--output", "base.json")
    recorded = json.loads((tmp_path / "base.json").read_text("utf-8"))["findings"]
    write("site/a.md", "Rewritten with our own reporting.\n")
    result = cli("scan", "site", "--baseline", "base.json", "--report-stale", "--format", "json")
    report = json.loads(result.stdout)
    assert report["stale"] == recorded and report["summary"]["stale"] == 1
    assert result.exit_code == 0 and result.stderr == ""
    plain = json.loads(cli("scan", "site", "--baseline", "base.json", "--format", "json").stdout)
    assert "stale" not in plain and "stale" not in plain["summary"]


def test_fail_on_stale_exits_1_on_a_stale_entry_and_reports_it_without_report_stale(cli, write):
    write(".rightscheck.yaml", "licences: [afp]\n")
    write("site/a.md", STRIPPED)
    cli("baseline", "create", "site", "--output", "base.json")
    assert cli("scan", "site", "--baseline", "base.json", "--fail-on-stale").exit_code == 0
    write("site/a.md", "Rewritten with our own reporting.\n")
    result = cli("scan", "site", "--baseline", "base.json", "--fail-on-stale", "--fail-on", "never")
    assert result.exit_code == 1
    assert "stale baseline entry: site/a.md: afp/missing-attribution" in result.stderr
    report = json.loads(cli("scan", "site", "--baseline", "base.json", "--fail-on-stale", "--format", "json").stdout)
    assert report["summary"]["stale"] == 1


def test_stale_options_without_a_baseline_are_a_usage_error(cli, write):
    write("site/a.md", STRIPPED)
    for option in ("--report-stale", "--fail-on-stale"):
        result = cli("scan", "site", option)
        assert result.exit_code == 2 and result.output == f"rightscheck: error: {option}: needs --baseline FILE\n"


def test_a_scan_of_some_files_calls_no_entry_of_the_others_stale(cli, write):
    write(".rightscheck.yaml", "licences: [afp, ap]\n")
    write("site/a.md", STRIPPED)
    write("site/b.md", MORE)
    cli("baseline", "create", "site", "--output", "base.json")
    result = cli("scan", "site/b.md", "--baseline", "base.json", "--fail-on-stale")
    assert result.exit_code == 0 and "stale" not in result.output


def test_update_rewrites_the_line_of_a_finding_that_moved_and_is_then_up_to_date(cli, write, tmp_path):
    write(".rightscheck.yaml", "licences: [afp]\n")
    write("site/a.md", STRIPPED)
    cli("baseline", "create", "site")
    write("site/a.md", "Editor's note: updated.\n\n\n" + STRIPPED)
    result = cli("baseline", "update", "site")
    assert result.exit_code == 0
    assert result.output == ("rightscheck: .rightscheck-baseline.json: 1 entry moved, 0 stale entries dropped, "
                             "0 new findings not added\n")
    assert _recorded(tmp_path / ".rightscheck-baseline.json") == [("afp/missing-attribution", "site/a.md", 6)]
    again = cli("baseline", "update", "site")
    assert again.exit_code == 0 and again.output == "rightscheck: .rightscheck-baseline.json is up to date (1 entry)\n"


def test_update_drops_entries_whose_finding_or_file_is_gone(cli, write, tmp_path):
    write(".rightscheck.yaml", "licences: [afp, ap]\n")
    write("site/a.md", STRIPPED)
    write("site/b.md", MORE)
    write("site/c.md", STRIPPED.replace("Dockers", "Pilots"))
    cli("baseline", "create", "site", "--output", "base.json")
    write("site/a.md", "Rewritten with our own reporting.\n")
    (tmp_path / "site/b.md").unlink()
    result = cli("baseline", "update", "site", "--baseline", "base.json")
    assert result.exit_code == 0 and "0 entries moved, 2 stale entries dropped, 0 new findings" in result.output
    assert _recorded(tmp_path / "base.json") == [("afp/missing-attribution", "site/c.md", 3)]


def test_update_never_adds_a_new_finding_and_exits_1(cli, write, tmp_path):
    write(".rightscheck.yaml", "licences: [afp, ap]\n")
    write("site/a.md", STRIPPED)
    cli("baseline", "create", "site")
    before = (tmp_path / ".rightscheck-baseline.json").stat()
    write("site/b.md", MORE)
    result = cli("baseline", "update", "site")
    assert result.exit_code == 1
    assert "new finding not added: site/b.md:3:1: ap/missing-attribution" in result.output
    assert "0 entries moved, 0 stale entries dropped, 1 new finding not added (review them" in result.output
    after = (tmp_path / ".rightscheck-baseline.json").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_update_leaves_an_unchanged_baseline_file_alone(cli, write, tmp_path):
    write(".rightscheck.yaml", "licences: [afp]\n")
    write("site/a.md", STRIPPED)
    cli("baseline", "create", "site")
    before = (tmp_path / ".rightscheck-baseline.json").stat()
    result = cli("baseline", "update", "site")
    assert result.exit_code == 0 and "is up to date (1 entry)" in result.output
    after = (tmp_path / ".rightscheck-baseline.json").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_update_of_some_files_keeps_the_entries_of_the_others(cli, write, tmp_path):
    write(".rightscheck.yaml", "licences: [afp, ap]\n")
    write("site/a.md", STRIPPED)
    write("site/b.md", MORE)
    cli("baseline", "create", "site")
    write("site/a.md", "Rewritten with our own reporting.\n")
    write("site/b.md", "Editor's note.\n\n" + MORE)
    result = cli("baseline", "update", "site/b.md")
    assert result.exit_code == 0 and "1 entry moved, 0 stale entries dropped" in result.output
    assert _recorded(tmp_path / ".rightscheck-baseline.json") == [
        ("afp/missing-attribution", "site/a.md", 3), ("ap/missing-attribution", "site/b.md", 5)]


def test_update_with_a_missing_or_invalid_baseline_is_a_one_line_error(cli, write):
    write("site/a.md", STRIPPED)
    missing = cli("baseline", "update", "site")
    assert missing.exit_code == 2 and missing.output.startswith(
        "rightscheck: error: .rightscheck-baseline.json: baseline file not found")
    assert len(missing.output.splitlines()) == 1
    write("base.json", '{"version": 1, "findings": [{"fingerprint": "f", "rule": "r", "path": "p"}]}')
    invalid = cli("baseline", "update", "site", "--baseline", "base.json")
    assert invalid.exit_code == 2
    assert invalid.output == "rightscheck: error: base.json: findings[0]: entry has no line\n"
