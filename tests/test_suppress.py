"""Inline suppressions and per-file licences declared in front matter."""

from __future__ import annotations

import json

NOTICE = "protected by intellectual property rights owned by Agence France-Presse."


def _findings(cli, *args):
    result = cli("scan", "site", "--format", "json", *args)
    return result, [(f["rule"], f["path"], f["line"]) for f in json.loads(result.output)["findings"]]


def test_html_comment_on_the_line_above_suppresses_with_a_reason(cli, write):
    write(".rightscheck.yaml", "licences: [afp]\n")
    write("site/a.html", "<p>Dockers struck on Monday.</p>\n"
                         "<!-- rightscheck: ignore afp/missing-attribution -- licensed via syndication deal 2026-114 -->\n"
                         f"<p>{NOTICE}</p>\n")
    result, findings = _findings(cli)
    assert result.exit_code == 0 and findings == []
    assert json.loads(result.output)["summary"]["suppressed"] == 1
    _, shown = _findings(cli, "--no-suppress")
    assert shown == [("afp/missing-attribution", "site/a.html", 3)]


def test_same_line_text_directive_and_wildcards(cli, write):
    write("site/a.txt", f"{NOTICE}  rightscheck: ignore afp/* -- quoted in our media column, fair dealing\n")
    result, findings = _findings(cli)
    assert findings == [] and result.exit_code == 0


def test_a_directive_covers_only_its_rules_and_lines(cli, write):
    write(".rightscheck.yaml", "licences: [afp]\n")
    write("site/a.md", "<!-- rightscheck: ignore ap/missing-attribution -- not this pack -->\n"
                       f"{NOTICE}\n\n<!-- rightscheck: ignore afp/missing-attribution -- too far away -->\n\n\n"
                       f"Again: {NOTICE}\n")
    _, findings = _findings(cli)
    assert findings == [("afp/missing-attribution", "site/a.md", 2)]


def test_suppression_without_reason_is_a_warning(cli, write):
    write(".rightscheck.yaml", "licences: [afp]\n")
    write("site/a.md", f"<!-- rightscheck: ignore afp/missing-attribution -->\n{NOTICE}\n")
    result, findings = _findings(cli)
    assert findings == [("rightscheck/unexplained-suppression", "site/a.md", 1)]
    assert result.exit_code == 0  # a warning, below the default --fail-on error
    assert cli("scan", "site", "--fail-on", "warning").exit_code == 1
    sarif = json.loads(cli("scan", "site", "--format", "sarif").output)["runs"][0]
    (result,) = sarif["results"]
    assert sarif["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "rightscheck/unexplained-suppression"


def test_front_matter_declares_a_licence_for_its_file_only(cli, write):
    write("site/licensed.md", f"---\ntitle: Port strike\nrightscheck:\n  licences: [afp]\n---\n{NOTICE}\n")
    write("site/other.md", f"{NOTICE}\n")
    _, findings = _findings(cli)
    assert ("afp/unlicensed-content", "site/licensed.md", 6) not in findings
    assert ("afp/unlicensed-content", "site/other.md", 1) in findings


def test_front_matter_licence_mistakes_are_errors_naming_file_line_and_key(cli, write):
    write("site/a.md", f"---\ntitle: x\nrightscheck: {{licences: [afx]}}\n---\n{NOTICE}\n")
    result = cli("scan", "site")
    assert result.exit_code == 2
    assert "rightscheck: error: site/a.md:3: rightscheck.licences: unknown pack 'afx'" in result.output
    write("site/a.md", f"---\nrightscheck: [afp]\n---\n{NOTICE}\n")
    result = cli("scan", "site")
    assert result.exit_code == 2 and "site/a.md:2: rightscheck: expected a mapping" in result.output


def test_crlf_text_directives_are_read(cli, write):
    write("site/a.txt", f"rightscheck: ignore afp/*\n{NOTICE}".replace("\n", "\r\n").encode())
    result, findings = _findings(cli)
    assert findings == [("rightscheck/unexplained-suppression", "site/a.txt", 1)]
