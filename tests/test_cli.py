"""The command line: formats, exit codes, config discovery, pack selection and one-line errors."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest

# "signal" (which pack signal identified the content) was added for the HTML report: fields only ever grow.
FIELDS = ["rule", "pack", "kind", "severity", "path", "line", "column", "end_line", "end_column", "message",
          "evidence", "signal"]

CREDITED = """\
SEOUL (AP) — Officials in the South Korean capital opened a new subway line on
Tuesday, easing commutes for thousands of residents.

Copyright 2026 The Associated Press. All rights reserved. This material may not be
published, broadcast, rewritten or redistributed without permission.
"""
STRIPPED = """\
Officials in the South Korean capital opened a new subway line on Tuesday.

This material may not be published, broadcast, rewritten or redistributed without permission.
"""
OWN = "Our reporter visited the new subway line. The AP Stylebook says to spell out numbers under 10.\n"


@pytest.fixture
def site(write):
    write("site/news/credited.txt", CREDITED)
    write("site/news/stripped.txt", STRIPPED)
    write("site/own.txt", OWN)
    write("site/.rightscheck.yaml", "licences: [ap]\n")


def test_text_output_and_exit_code(cli, site):
    result = cli("scan", "site")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("site/news/stripped.txt:3:1: error ap/missing-attribution ")
    assert lines[-1] == "1 finding (1 error) in 3 files scanned."


@pytest.mark.parametrize("fmt, name", [("text", "report.txt"), ("html", "report.html")])
def test_a_report_written_into_the_scanned_tree_is_not_scanned_by_the_next_run(cli, site, fmt, name):
    """It quotes the notices it found: scanned, it would be a finding of its own."""
    first = cli("scan", "site", "--format", fmt, "-o", f"site/{name}")
    again = cli("scan", "site", "--format", fmt, "-o", f"site/{name}", "-v")
    assert first.exit_code == again.exit_code == 1
    assert f"rightscheck: skipped site/{name}: report of this scan (-o), not an article" in again.stderr
    assert again.stdout == first.stdout.replace("3 files scanned.", "3 files scanned, 1 skipped.")


def test_json_output_has_exactly_the_contract_fields(cli, site):
    result = cli("scan", "--format", "json", "site")
    payload = json.loads(result.stdout)
    assert payload["version"] == 1
    assert [list(f) for f in payload["findings"]] == [FIELDS]
    finding = payload["findings"][0]
    assert (finding["path"], finding["line"], finding["column"]) == ("site/news/stripped.txt", 3, 1)
    assert finding["evidence"].startswith("This material may not be published")
    assert payload["summary"]["files"] == 3 and payload["summary"]["findings"] == 1


def test_without_licence_credited_content_is_unlicensed(cli, site, tmp_path):
    (tmp_path / "site/.rightscheck.yaml").write_text("licences: []\n")
    result = cli("scan", "--format", "json", "site")
    rules = [(f["rule"], f["path"]) for f in json.loads(result.stdout)["findings"]]
    assert ("ap/unlicensed-content", "site/news/credited.txt") in rules


def test_fail_on_controls_exit_code(cli, site):
    assert cli("scan", "--fail-on", "never", "site").exit_code == 0
    assert cli("scan", "site/own.txt").exit_code == 0


def test_only_and_exclude_select_packs(cli, site):
    assert "ap/" not in cli("scan", "--exclude", "ap", "site").stdout
    assert cli("scan", "--only", "afp,reuters", "site").exit_code == 0
    result = cli("scan", "--only", "nope", "site")
    assert result.exit_code == 2
    assert "unknown pack 'nope' in --only" in result.stderr


def test_config_in_pyproject(cli, write, tmp_path):
    write("proj/pyproject.toml", "[project]\nname = 'x'\n\n[tool.rightscheck]\nlicences = ['ap']\nfail_on = 'never'\n")
    write("proj/a.txt", STRIPPED)
    assert cli("scan", "proj").exit_code == 0


@pytest.mark.parametrize(
    "config, expected",
    [
        ("licences: [ap]\ncolour: blue\n", ".rightscheck.yaml:2: colour: unknown key 'colour'"),
        ("licences: ap\n", ".rightscheck.yaml:1: licences: 'ap' is not of type 'array'"),
        ("licences: [ap\n", ".rightscheck.yaml:2: invalid YAML"),
        ("fail_on: sometimes\n", ".rightscheck.yaml:1: fail_on: 'sometimes' is not one of"),
    ],
)
def test_bad_config_is_exit_2_with_file_line_key(cli, write, config, expected):
    write("cfg/.rightscheck.yaml", config)
    write("cfg/a.txt", OWN)
    result = cli("scan", "cfg")
    assert result.exit_code == 2
    assert result.stderr.startswith("rightscheck: error: ")
    assert expected in result.stderr and result.stderr.count("\n") == 1


def test_bad_pyproject_key_names_its_line(cli, write):
    write("proj/pyproject.toml", "[tool.rightscheck]\nlicences = ['ap']\nfail-on = 'never'\n")
    result = cli("scan", "proj")
    assert result.exit_code == 2 and "pyproject.toml:3: fail-on: unknown key 'fail-on'" in result.stderr


def test_bad_extra_pack_is_exit_2(cli, write):
    write("packs/broken.yaml", "id: broken\nname: Broken\nlicence: {terms: custom, summary: x}\n"
                               "signals:\n  - id: s\n    pattern: '(unclosed'\n    weight: 1\nattribution: []\n")
    write("a.txt", OWN)
    result = cli("scan", "--rules", "packs", "a.txt")
    assert result.exit_code == 2
    assert "packs/broken.yaml:6: signals[0].pattern: pattern does not compile" in result.stderr


def test_missing_path_and_config_are_usage_errors(cli):
    assert cli("scan", "nowhere").exit_code == 2
    assert cli("scan", "--config", "none.yaml", ".").exit_code == 2
    assert cli("scan", "--format", "xml", ".").exit_code == 2


def test_excluded_paths_and_verbose_skips(cli, site, tmp_path, write):
    (tmp_path / "site/.rightscheck.yaml").write_text("licences: [ap]\nexclude_paths: ['news/']\n")
    write("site/logo.html", b"\x89PNG\r\n\x1a\n\x00\x00")
    result = cli("scan", "-v", "site")
    assert result.exit_code == 0
    assert "skipped site/news: excluded by config" in result.stderr
    assert "skipped site/logo.html: binary file" in result.stderr


def test_rules_commands(cli, write):
    listing = cli("rules", "list").stdout
    assert all(pack in listing for pack in ("afp ", "ap ", "reuters "))
    shown = cli("rules", "show", "afp").stdout
    assert "all-rights-reserved" in shown and "signal: dateline" in shown
    assert cli("rules", "show", "zzz").exit_code == 2
    assert cli("rules", "validate").exit_code == 0
    write("bad.yaml", "id: x\n")
    result = cli("rules", "validate", "bad.yaml")
    assert result.exit_code == 2 and "bad.yaml:1: 'name' is required" in result.stderr


def test_installed_console_script_prints_one_line_errors(tmp_path):
    """End to end through the installed entry point: no traceback for a user mistake."""
    (tmp_path / "bad.yaml").write_text("id: [\n")
    exe = os.path.join(os.path.dirname(sys.executable), "rightscheck")
    proc = subprocess.run([exe, "scan", "--rules", str(tmp_path / "bad.yaml"), str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1
    assert f"{tmp_path / 'bad.yaml'}:2: invalid YAML" in proc.stderr


def test_unknown_pack_id_in_config_names_line_and_key(cli, write):
    write("cfg/.rightscheck.yaml", "fail_on: error\nlicences:\n  - ap\n  - apf\n")
    write("cfg/a.txt", OWN)
    result = cli("scan", "cfg")
    assert result.exit_code == 2
    assert ".rightscheck.yaml:4: licences[1]: unknown pack 'apf'" in result.stderr


def test_undecodable_bytes_fall_back_to_a_detected_charset(cli, write):
    write("s/latin.txt", "ROTTERDAM, Jan 19 (Reuters) - Déjà vu à Genève pour les négociateurs.\n".encode("cp1252"))
    payload = json.loads(cli("scan", "--format", "json", "s").stdout)
    assert [f["rule"] for f in payload["findings"]] == ["reuters/unlicensed-content"]
    assert payload["findings"][0]["evidence"] == "ROTTERDAM, Jan 19 (Reuters)"


def test_crlf_markdown_front_matter(cli, write):
    write("m/a.md", b"---\r\ntitle: x\r\nsource: Reuters\r\n---\r\nNo credit here.\r\n")
    result = cli("scan", "--format", "json", "m")
    assert [(f["rule"], f["line"]) for f in json.loads(result.stdout)["findings"]] == [
        ("reuters/missing-attribution", 3), ("reuters/unlicensed-content", 3)]


WIRE_TEXT = """\
GENEVA, Feb 4 (Reuters) - Glacier monitors in the Swiss Alps recorded the
steepest winter loss of ice in two decades, a research network said on Wednesday,
blaming a run of warm spells and thin snow cover across the high valleys.

(Reporting by Lena Brunner; Editing by Tom Hale)
"""


def test_scan_with_sources_and_index_commands(cli, write, tmp_path, index_of):
    write("wire/glaciers.txt", WIRE_TEXT)
    write("site/story.txt", "Our weekend feature.\n\nGlacier monitors in the Swiss Alps recorded the steepest "
                            "winter loss of ice in two decades, a research network said.\n")
    result = cli("scan", "--format", "json", "--sources", "wire", "site")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    # 20 of the source's 45 words: over the 10% share Reuters' terms allow without a licence
    assert [(f["rule"], f["line"]) for f in findings] == [("reuters/missing-attribution", 3),
                                                          ("reuters/quotation-limit", 3)]
    assert findings[0]["source"]["path"] == "wire/glaciers.txt" and findings[0]["source"]["line"] == 1
    assert index_of("wire").is_file() and os.listdir(tmp_path / "wire") == ["glaciers.txt"]
    text = cli("scan", "--sources", "wire", "site").stdout
    assert "    source  wire/glaciers.txt:1-2" in text
    built = cli("index", "build", "wire")
    assert built.exit_code == 0 and "0 added, 0 updated, 1 unchanged" in built.stderr
    for info in (cli("index", "info", "--index", str(index_of("wire"))), cli("index", "info", "wire")):
        assert "sources:      1" in info.stdout and "reuters" in info.stdout
    with closing(sqlite3.connect(index_of("wire"))) as db:  # `index info` reads a covering index made after the rows
        assert db.execute("SELECT sql FROM sqlite_master WHERE name = 'tally'").fetchone()
        assert "USING COVERING INDEX tally" in " ".join(
            str(row) for row in db.execute("EXPLAIN QUERY PLAN SELECT count(*), sum(tokens), sum(size) FROM sources"))


def test_sources_in_config_are_mapped_and_not_scanned_as_articles(cli, write, tmp_path):
    write("proj/.rightscheck.yaml", "sources:\n  - path: wire\n    pack: reuters\nindex: .cache/index.sqlite\n")
    write("proj/wire/glaciers.txt", WIRE_TEXT.replace("(Reuters) ", "").replace("(Reporting by Lena Brunner; "
                                                                                "Editing by Tom Hale)", ""))
    write("proj/story.txt", "Glacier monitors in the Swiss Alps recorded the steepest winter loss of ice in two "
                            "decades.\n")
    result = cli("scan", "-v", "--format", "json", "proj")
    payload = json.loads(result.stdout)
    assert [f["rule"] for f in payload["findings"]] == ["reuters/missing-attribution", "reuters/quotation-limit"]
    assert {"path": "proj/wire", "reason": "sources folder (texts to compare with), not articles"} in payload["skipped"]
    assert (tmp_path / "proj/.cache/index.sqlite").is_file()


def test_bad_sources_are_usage_errors(cli, write):
    write("proj/.rightscheck.yaml", "sources:\n  - path: wire\n    pack: nosuch\n")
    result = cli("scan", "proj")
    assert result.exit_code == 2 and ".rightscheck.yaml:3: sources[0].pack: unknown pack 'nosuch'" in result.stderr
    assert cli("scan", "--sources", "missing-dir", ".").exit_code == 2
    assert cli("index", "info", "--index", "nothing.sqlite").exit_code == 2


def test_an_index_without_its_sources_is_used_read_only(cli, write, tmp_path):
    write("wire/glaciers.txt", WIRE_TEXT)
    write("site/story.txt", "Our weekend feature.\n\nGlacier monitors in the Swiss Alps recorded the steepest "
                            "winter loss of ice in two decades, a research network said.\n")
    assert cli("index", "build", "wire", "--index", "idx.sqlite").exit_code == 0
    with_sources = cli("scan", "--format", "json", "--sources", "wire", "--index", "idx.sqlite", "site")
    written = (tmp_path / "idx.sqlite").stat().st_mtime_ns
    alone = cli("scan", "--format", "json", "--index", "idx.sqlite", "site")
    assert alone.exit_code == 1 and json.loads(alone.stdout)["findings"] == json.loads(with_sources.stdout)["findings"]
    assert (tmp_path / "idx.sqlite").stat().st_mtime_ns == written
    write("packs/house.yaml", "id: house\nname: House\nlicence: {terms: custom, summary: x}\n"
                              "signals:\n  - {id: s, pattern: house wire, weight: 1}\nattribution: []\n")
    other = cli("scan", "--rules", "packs", "--index", "idx.sqlite", "site")
    assert other.exit_code == 2 and "index built with other rule packs" in other.stderr
    assert len(other.stderr.strip().splitlines()) == 1
    missing = cli("scan", "--index", "nowhere.sqlite", "site")
    assert missing.exit_code == 2 and "no index here" in missing.stderr


def test_an_index_built_by_workers_is_the_one_built_by_one_process(cli, write, tmp_path):
    import sqlite3

    from rightscheck.checks import postings

    for n in range(150):  # three chunks of work
        write(f"wire/d{n:03d}.txt", f"Lima, Jan {n % 28 + 1} (AFP) - " + " ".join(f"w{n}x{k}" for k in range(80)) + "\n")
    write("wire/same.txt", (tmp_path / "wire/d007.txt").read_text())  # a duplicate, found the same either way
    tables = []
    for jobs in ("1", "2"):
        assert cli("index", "build", "wire", "-j", jobs, "--index", f"i{jobs}.sqlite").exit_code == 0
        db = sqlite3.connect(tmp_path / f"i{jobs}.sqlite")
        tables.append([db.execute("SELECT id, display_path, digest, pack, tokens, ids FROM sources ORDER BY id").fetchall(),
                       postings.every_row(db).tolist()])
        db.close()
    assert tables[0] == tables[1] and len(tables[0][0]) == 150
