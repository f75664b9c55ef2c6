"""Memory flat in the number of files (issue 18): a scan keeps counts, not a list of the files it read, unless
the report needs one; `--format jsonl` writes each file's findings as soon as they are decided."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rightscheck.cli import main as cli_module
from rightscheck.config import Config
from rightscheck.packs.pack import load_packs
from rightscheck.engine.scanner import Scanner

NOTICE = "protected by intellectual property rights owned by Agence France-Presse.\n"
ARTICLE = f"Dockers struck on Monday.\n\nBy Associated Press\n\n{NOTICE}"  # three findings: AP line 3, AFP line 5 (x2)


def _site(write, files: int = 150) -> None:
    """Enough files for two workers to start (64 each), one in five with findings, in folders the walk
    visits in the order of their paths."""
    for n in range(files):
        text = ARTICLE if n % 5 == 0 else f"Council notes, week {n}: the library opens late.\n"
        write(f"site/d{n // 50}/f{n:03}.txt", text)


def _lines(output: str) -> tuple[list[dict], dict]:
    """(the findings, the last line) of a JSON Lines report."""
    *findings, end = [json.loads(line) for line in output.splitlines()]
    return findings, end


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_jsonl_lines_are_the_json_reports_findings_in_order_then_its_summary(cli, write, jobs):
    _site(write)
    report = json.loads(cli("scan", "site", "--format", "json").output)
    result = cli("scan", "site", "--format", "jsonl", "--jobs", jobs)
    findings, end = _lines(result.output)
    assert result.exit_code == 1 and len(findings) == 90
    assert findings == report["findings"]
    assert end == {"version": 1, "summary": report["summary"], "skipped": report["skipped"]}


def test_jsonl_is_byte_identical_for_any_number_of_jobs_and_in_the_walks_order(cli, write):
    _site(write)
    write("site/z.txt", NOTICE)  # the walk lists a folder's files before its subfolders
    one = cli("scan", "site", "--format", "jsonl", "--jobs", "1").output
    assert one == cli("scan", "site", "--format", "jsonl", "--jobs", "2").output
    paths = [finding["path"] for finding in _lines(one)[0]]
    assert paths[:2] == ["site/z.txt"] * 2 and paths[2:] == sorted(paths[2:])  # JSON sorts z.txt last


def test_jsonl_to_a_file_is_the_same_report_and_the_console_gets_the_summary_line(cli, write, tmp_path):
    _site(write, files=10)
    shown = cli("scan", "site", "--format", "jsonl")
    written = cli("scan", "site", "--format", "jsonl", "-o", "report.jsonl")
    assert (tmp_path / "report.jsonl").read_text("utf-8") == shown.output
    assert written.output == "6 findings (6 errors) in 10 files scanned.\n" and written.exit_code == 1


def test_jsonl_to_a_file_replaces_it_only_when_the_scan_completes(cli, write, tmp_path, monkeypatch):
    _site(write, files=10)
    (tmp_path / "report.jsonl").write_text("the last complete report\n")
    scan_file = Scanner.scan_file

    def interrupted(self, item, result):
        if item.path.endswith("f005.txt"):  # after two files with findings were written
            raise KeyboardInterrupt
        scan_file(self, item, result)

    monkeypatch.setattr(Scanner, "scan_file", interrupted)
    result = cli("scan", "site", "--format", "jsonl", "-o", "report.jsonl", "--jobs", "1")
    assert result.exit_code == 130
    assert (tmp_path / "report.jsonl").read_text() == "the last complete report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.jsonl", "site"]  # no temporary file left


def test_jsonl_reports_only_findings_new_to_the_baseline_and_stale_entries_last(cli, write):
    _site(write, files=10)
    assert cli("baseline", "create", "site", "-o", "base.json").exit_code == 0
    write("site/d0/f001.txt", NOTICE)  # a new finding
    write("site/d0/f005.txt", "Cleaned up.\n")  # its three entries are now stale
    args = ("scan", "site", "--baseline", "base.json", "--report-stale")
    report = json.loads(cli(*args, "--format", "json").output)
    result = cli(*args, "--format", "jsonl")
    findings, end = _lines(result.output)
    assert [(f["rule"], f["path"]) for f in findings] == [("afp/missing-attribution", "site/d0/f001.txt"),
                                                          ("afp/unlicensed-content", "site/d0/f001.txt")]
    assert findings == report["findings"] and end["summary"] == report["summary"]
    assert end["summary"]["baselined"] == 3 and [e["path"] for e in end["stale"]] == ["site/d0/f005.txt"] * 3
    assert end["stale"] == report["stale"] and result.exit_code == 1
    assert cli("scan", "site", "--baseline", "base.json", "--format", "jsonl", "--fail-on-stale",
               "--fail-on", "never").exit_code == 1


def test_jsonl_leaves_out_suppressed_findings_and_counts_them(cli, write):
    write(".rightscheck.yaml", "licences: [afp]\n")
    write("site/a.txt", NOTICE.rstrip("\n") + "  rightscheck: ignore afp/* -- quoted in our media column\n")
    write("site/b.txt", NOTICE)
    result = cli("scan", "site", "--format", "jsonl")
    findings, end = _lines(result.output)
    assert [f["path"] for f in findings] == ["site/b.txt"]
    assert end["summary"]["suppressed"] == 1 and end["summary"]["findings"] == 1


def test_jsonl_is_a_format_the_help_lists(cli):
    assert "jsonl (one finding per line, written as the scan goes)" in " ".join(cli("scan", "--help").output.split())


def test_a_scan_counts_files_and_keeps_no_list_of_them_unless_asked(tmp_path, write):
    _site(write, files=20)
    packs = load_packs()
    result = Scanner(packs, Config()).run([str(tmp_path / "site")])
    assert result.files == 20 and result.paths == [] and len(result.findings) == 12
    listed = Scanner(packs, Config(), listed=lambda path: path.endswith("f003.txt")).run([str(tmp_path / "site")])
    assert [Path(p).name for p in listed.paths] == ["f003.txt"]


def test_a_streamed_scan_keeps_no_findings_and_counts_them(tmp_path, write):
    _site(write, files=20)
    seen = []
    result = Scanner(load_packs(), Config(), stream=lambda found: seen.append(found) or found[:1]).run(
        [str(tmp_path / "site")])
    assert result.findings == [] and len(seen) == 4 and sum(map(len, seen)) == 12  # the files with findings
    assert sum(result.tally().values()) == 4  # what the stream reported: the first finding of each file with three


def test_suppressed_findings_are_counted_but_kept_only_when_asked(tmp_path, write):
    write("site/a.txt", NOTICE.rstrip("\n") + "  rightscheck: ignore afp/* -- quoted in our media column\n")
    for keep in (True, False):
        result = Scanner(load_packs(), Config(), keep_suppressed=keep).run([str(tmp_path / "site")])
        assert result.suppressed == 2 and len(result.suppressions) == (2 if keep else 0)


@pytest.mark.parametrize("fmt, listed", [("text", False), ("json", False), ("jsonl", False), ("junit", True)])
def test_the_cli_lists_scanned_files_only_for_the_report_that_shows_each(cli, write, monkeypatch, fmt, listed):
    _site(write, files=10)
    runs = []
    run_scan = cli_module._run_scan
    monkeypatch.setattr(cli_module, "_run_scan", lambda **options: runs.append(run_scan(**options)) or runs[-1])
    cli("scan", "site", "--format", fmt)
    assert runs[0].result.files == 10 and len(runs[0].result.paths) == (10 if listed else 0)


def test_a_file_reached_by_a_hard_link_a_symlink_and_two_arguments_is_still_read_once(cli, write, tmp_path):
    write("site/b/a.txt", NOTICE)  # the symlink, listed first in the walk (files before folders), comes first
    os.link(tmp_path / "site" / "b" / "a.txt", tmp_path / "site" / "b" / "hard.txt")
    os.symlink(tmp_path / "site" / "b" / "a.txt", tmp_path / "site" / "link.txt")
    end = _lines(cli("scan", "site", "site/b/a.txt", "--format", "jsonl").output)[1]
    assert end["summary"]["files"] == 1 and end["summary"]["findings"] == 2


def test_a_report_file_is_written_a_piece_at_a_time_and_whole(cli, write, tmp_path, monkeypatch):
    _site(write, files=10)
    shown = cli("scan", "site", "--format", "json").output
    monkeypatch.setattr(cli_module, "WRITE_CHUNK", 7)  # the report is megabytes at a million files
    cli("scan", "site", "--format", "json", "-o", "report.json")
    assert (tmp_path / "report.json").read_text("utf-8") == shown
