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
