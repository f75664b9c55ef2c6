"""Bad input from users gets one line naming file, line and key, exit 2, and no traceback; odd files are
skipped with a reason and the scan goes on."""

from __future__ import annotations

import json
import os

import pytest

AFP_LINE = "BAGHDAD, Jan 18 (AFP) - Engineers began repairs to a bridge on Sunday.\n"


def _one_error_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rightscheck: error: "), result.stderr
    return lines[0]


def test_deeply_nested_front_matter_is_ignored_not_fatal(cli, write):
    write("site/deep.md", "---\na: " + "[" * 5000 + "]" * 5000 + "\n---\n" + AFP_LINE)
    result = cli("scan", "-v", "--format", "json", "site")
    assert result.exit_code == 1
    assert "front matter ignored: invalid YAML: nested too deeply" in result.stderr


def test_deeply_nested_config(cli, write):
    write("cfg/.rightscheck.yaml", "licences: " + "[" * 5000 + "]" * 5000 + "\n")
    write("cfg/a.txt", "Nothing here.\n")
    assert "nested too deeply" in _one_error_line(cli("scan", "cfg"))


PACK = """\
id: demo
name: Demo Wire
licence: {terms: all-rights-reserved, summary: All rights reserved.}
signals:
  - {id: dateline, pattern: '\\(DW\\)', weight: 1.0}
attribution: []
findings:
  missing-attribution:
    message: '%s'
"""


@pytest.mark.parametrize("message", ["closing } alone", "{evidence!x}", "{0}", "{}", "{name.__class__}"])
def test_broken_message_templates_are_pack_errors(cli, write, message):
    write("packs/demo.yaml", PACK % message)
    line = _one_error_line(cli("rules", "validate", "packs/demo.yaml"))
    assert "demo.yaml:9: findings.missing-attribution.message: " in line


def test_bad_index_paths(cli, write, tmp_path):
    write("wire/a.txt", AFP_LINE)
    write("site/a.txt", "Nothing here.\n")
    (tmp_path / "idxdir").mkdir()
    write(".rightscheck.yaml", "index: idxdir\n")
    assert "idxdir: index path is not a file" in _one_error_line(cli("scan", "--sources", "wire", "site"))
    (tmp_path / ".rightscheck.yaml").unlink()
    line = _one_error_line(cli("scan", "--sources", "wire", "--index", "site/a.txt/x.sqlite", "site"))
    assert "cannot create the index" in line
    assert not list(tmp_path.glob("**/*.tmp-*"))


def test_missing_paths_named_in_config_point_at_the_config(cli, write):
    write("cfg/.rightscheck.yaml", "licences: []\nsources:\n  - archive/2024/wire\n")
    write("cfg/a.txt", "Nothing here.\n")
    line = _one_error_line(cli("scan", "cfg"))
    assert ".rightscheck.yaml:3: sources[0]: sources path does not exist" in line
    assert not os.path.exists("cfg/archive")
    write("cfg/.rightscheck.yaml", "rules: [house-packs/]\n")
    assert ".rightscheck.yaml:1: rules[0]: rules path does not exist" in _one_error_line(cli("scan", "cfg"))
    write("cfg/.rightscheck.yaml", "max_file_size: 0KB\n")
    assert ".rightscheck.yaml:1: max_file_size: must be at least 1 byte" in _one_error_line(cli("scan", "cfg"))


def test_special_and_oddly_named_files(cli, write, tmp_path):
    write("site/ok.txt", AFP_LINE)
    os.mkfifo(tmp_path / "site" / "pipe.txt")
    (tmp_path / "site" / os.fsdecode(b"caf\xe9 story.txt")).write_text(AFP_LINE)
    result = cli("scan", "--format", "json", "site")
    payload = json.loads(result.stdout)
    assert {"path": "site/pipe.txt", "reason": "not a regular file"} in payload["skipped"]
    assert sorted(f["path"] for f in payload["findings"]) == ["site/caf\ufffd story.txt", "site/ok.txt"]


def test_odd_source_names_and_quiet_refresh(cli, write, tmp_path, index_of):
    (tmp_path / "wire").mkdir()
    (tmp_path / "wire" / os.fsdecode(b"d\xe9p\xeache.txt")).write_text(
        "Engineers in the Iraqi capital began repairs on Sunday to a bridge damaged by floods last spring.\n")
    write("site/copy.txt", "Engineers in the Iraqi capital began repairs on Sunday to a bridge damaged by floods.\n")
    first = cli("scan", "--format", "json", "--sources", "wire", "site")
    assert first.exit_code in (0, 1) and "Traceback" not in first.output
    index = index_of("wire")
    before = (index.stat().st_mtime_ns, index.read_bytes())
    cli("scan", "--sources", "wire", "site")
    assert (index.stat().st_mtime_ns, index.read_bytes()) == before  # nothing changed: nothing written
    info = cli("index", "info", "--index", str(index))
    assert info.exit_code == 0 and "sources:      1" in info.stdout


def test_index_build_and_scan_agree_on_a_config_mapping(cli, write):
    write("proj/.rightscheck.yaml", "sources:\n  - path: wire\n    pack: reuters\n")
    write("proj/wire/a.txt", "Glacier monitors recorded the steepest winter loss of ice in two decades.\n")
    write("proj/site/a.txt", "Nothing here.\n")
    assert cli("index", "build", "--config", "proj/.rightscheck.yaml", "proj/wire").exit_code == 0
    result = cli("scan", "proj")
    assert "rebuilt the index" not in result.stderr


def test_index_info_path_with_uri_characters(cli, write, tmp_path):
    write("wire/a.txt", AFP_LINE)
    assert cli("index", "build", "--index", "a#b.sqlite", "wire").exit_code == 0
    assert cli("index", "info", "--index", "a#b.sqlite").exit_code == 0
    assert not (tmp_path / "a").exists()


def test_a_bug_whose_own_text_cannot_be_read_is_still_one_line(cli, write, monkeypatch):
    """The last resort for a bug stays one line even when the error's text must be fetched from a process
    that is gone (Py4J asks Spark's JVM for a Java error's text)."""
    from rightscheck.engine import scanner

    class Unreadable(Exception):
        def __str__(self):
            raise ConnectionRefusedError(111, "Connection refused")

    def broken(self, *args, **kwargs):
        raise Unreadable()

    monkeypatch.setattr(scanner.Scanner, "run", broken)
    write("site/a.txt", AFP_LINE)
    result = cli("scan", "site")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.strip().splitlines() == [
        "rightscheck: internal error: Unreadable: (its text could not be read) (please report it; "
        "set RIGHTSCHECK_DEBUG=1 for the traceback)"]
