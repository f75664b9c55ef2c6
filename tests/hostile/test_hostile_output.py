"""Hostile names and text in the outputs: no human-readable format sends a control, C1 or bidi character to
the terminal, and no line of any of them is a GitHub Actions workflow command; JSON keeps the real text."""

from __future__ import annotations

import json
import re

import pytest

from rightscheck.text.confusables import FORMAT_RUN
from rightscheck.core.findings import Finding
from rightscheck.reports.text import render as render_text
from rightscheck.core.result import ScanResult

# A pack whose evidence is the rest of the line after "(SW)", so the scanned text reaches every format.
PACK = """\
id: sw
name: Slow Wire
licence: {terms: all-rights-reserved, summary: All rights reserved.}
signals:
  - id: dateline
    pattern: '\\(SW\\)[^\\n]*'
    weight: 1.0
attribution:
  - id: credit
    description: a Slow Wire credit
    any_of: [{signal: dateline}]
"""
HOSTILE = "##[add-mask]x \x1b[2J\x1b]0;pwned\x07 \x07 \x9b31m \x7f \u202e \u2066 \u2068 \u2069 \u061c \u200e \u200f"
# Besides those, a name can carry what a line of text cannot: line breaks of every kind.
NAME = "n\x1b[31m\x07\x7f\x9b\u202e\u2067\u2069\r\n\x85\u2028\x1c##[error]x.txt"
SPOOF = "::error file=x.md,line=1::spoofed.txt"
# Every control (C0, DEL, C1), bidi control, and line or paragraph separator.
RAW = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
SGR = re.compile(r"\x1b\[[0-9;]*m")  # the report's own colours, when forced
ANNOTATION = re.compile(r"::(?:error|warning|notice) file=[^:,]*,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,"
                        r"title=[^:,]*::")


def _lines(text: str) -> list[str]:
    """Lines as a CI runner reads them (CR, LF or CRLF end one)."""
    return re.split(r"\r\n|\r|\n", text)


def _assert_shown_safely(text: str, keep: str = "\n") -> None:
    raw = {hex(ord(c)) for c in RAW.findall(text) if c not in keep}
    assert not raw, f"raw characters in the output: {sorted(raw)}"
    for line in _lines(text):  # the runner reads an annotation's data as data, even with "##[" in it
        command = line.lstrip().startswith("::") or "##[" in line
        assert not command or ANNOTATION.match(line), f"workflow command: {line!r}"


@pytest.fixture
def hostile(write, tmp_path, monkeypatch):
    write("packs/sw.yaml", PACK)
    for name in (SPOOF, NAME):
        write(f"site/{name}", f"MADRID (SW) {HOSTILE}\n")
    write(f"site/{NAME[:-4]}.html", b"\x00binary")  # a skipped file: its name goes to stderr under -v
    monkeypatch.chdir(tmp_path / "site")  # the path of the spoofing file then starts the line


@pytest.mark.parametrize("args", [["--format", "text"], ["-q"], ["--format", "github"], ["--format", "junit"],
                                  ["--format", "html"]])
def test_human_formats_show_hostile_names_and_text_escaped(cli, hostile, args):
    result = cli("scan", "--rules", "../packs", "-v", *args)
    assert result.exit_code == 1, result.output
    _assert_shown_safely(result.stdout, keep="\n\t" if "html" in args else "\n")
    _assert_shown_safely(result.stderr)
    assert "rightscheck: skipped n\\x1b[31m\\x07\\x7f\\x9b\\u202e" in result.stderr
    # (direction marks and isolates are format characters, removed from the text patterns see, so the
    # evidence no longer holds them; the controls are shown escaped)
    assert "\\x1b[2J\\x1b]0;pwned\\x07 \\x07 \\x9b31m \\x7f " in result.stdout


def test_text_format_on_a_terminal_too(cli, hostile, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    result = cli("scan", "--rules", "../packs")
    assert "\x1b[1m" in result.stdout  # coloured, as on a terminal
    _assert_shown_safely(SGR.sub("", result.stdout))


def test_a_name_starting_with_colons_is_still_a_path(cli, hostile):
    lines = cli("scan", "--rules", "../packs").stdout.splitlines()
    assert any(line.startswith(f"./{SPOOF}:1:8: error sw/unlicensed-content") for line in lines)


def test_github_annotations_escape_the_name(cli, hostile):
    lines = cli("scan", "--rules", "../packs", "--format", "github").stdout.splitlines()
    assert any(line.startswith("::error file=%3A%3Aerror file=x.md%2Cline=1%3A%3Aspoofed.txt,line=1,")
               for line in lines)
    # CR and LF in the command's own encoding (the runner decodes them back), the rest shown visible
    assert any(line.startswith("::error file=n\\x1b[31m\\x07\\x7f\\x9b\\u202e\\u2067\\u2069%0D%0A\\x85"
                               "\\u2028\\x1c##[error]x.txt,") for line in lines)


def test_json_keeps_the_real_characters(cli, hostile):
    payload = json.loads(cli("scan", "--rules", "../packs", "--format", "json").stdout)
    assert sorted(f["path"] for f in payload["findings"]) == sorted([SPOOF, NAME])
    # the real characters, less the format characters patterns never see (direction marks and isolates)
    seen = " ".join(FORMAT_RUN.sub("", HOSTILE).split())
    assert {f["evidence"] for f in payload["findings"]} == {f"(SW) {seen}"}


def test_reused_passages_cannot_start_a_workflow_command():
    source = {"path": "wire/::x.txt", "line": 1, "end_line": 1, "words": 9, "share": 0.5,
              "scanned_excerpt": "::error file=a.md::spoofed \u202e", "source_excerpt": " ::add-mask::secret"}
    finding = Finding("sw/unlicensed-content", "sw", "unlicensed-content", "error", "a.md", 1, 1, 1, 9,
                      "reused", "::error::x", source=source)
    _assert_shown_safely(render_text(ScanResult(findings=[finding], paths=["a.md"])))
