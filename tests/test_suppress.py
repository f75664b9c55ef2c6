"""Inline suppressions (which must give a reason, name known rules and still suppress something) and per-file
licences declared in front matter."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from hypothesis import example, given, settings
from hypothesis import strategies as st

SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))
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
    assert findings == [("rightscheck/unused-suppression", "site/a.md", 1), ("afp/missing-attribution", "site/a.md", 2),
                        ("rightscheck/unused-suppression", "site/a.md", 4)]  # one finding per pack and file


def test_a_directive_without_a_reason_suppresses_nothing_and_is_an_error(cli, write):
    write(".rightscheck.yaml", "licences: [afp]\n")
    write("site/a.md", f"<!-- rightscheck: ignore afp/missing-attribution -->\n{NOTICE}\n")
    result, findings = _findings(cli)
    assert findings == [("rightscheck/unexplained-suppression", "site/a.md", 1),
                        ("afp/missing-attribution", "site/a.md", 2)]
    (unexplained, _) = json.loads(result.output)["findings"]
    assert unexplained["severity"] == "error" and "suppresses nothing" in unexplained["message"]
    assert result.exit_code == 1 and json.loads(result.output)["summary"]["suppressed"] == 0
    assert cli("scan", "site", "--fail-on", "error").exit_code == 1
    sarif = json.loads(cli("scan", "site", "--format", "sarif").output)["runs"][0]
    (result, _) = sarif["results"]
    rule = sarif["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert rule["id"] == "rightscheck/unexplained-suppression" and rule["defaultConfiguration"]["level"] == "error"


def test_a_directive_inside_a_multi_line_html_comment_covers_the_line_after_the_comment(cli, write):
    write(".rightscheck.yaml", "licences: [afp]\n")
    comment = ("<!--\n  rightscheck: ignore afp/missing-attribution -- licensed via syndication deal 2026-114\n"
               "-->\n")
    write("site/a.html", f"<p>Dockers struck on Monday.</p>\n{comment}<p>{NOTICE}</p>\n")
    write("site/b.md", f"Dockers struck on Monday.\n\n{comment}{NOTICE}\n")
    result, findings = _findings(cli)
    assert findings == [] and result.exit_code == 0
    suppressed = json.loads(result.output)["suppressed"]
    assert [(f["rule"], f["path"], f["line"], f["justification"]) for f in suppressed] == [
        ("afp/missing-attribution", "site/a.html", 5, "licensed via syndication deal 2026-114"),
        ("afp/missing-attribution", "site/b.md", 6, "licensed via syndication deal 2026-114")]


def test_a_reason_may_run_on_over_the_lines_of_its_comment(cli, write):
    write(".rightscheck.yaml", "licences: [afp]\n")
    write("site/a.md", "<!-- rightscheck: ignore afp/missing-attribution -- licensed via\n"
                       "     syndication deal 2026-114\n"
                       "     rightscheck: ignore afp/incomplete-attribution -- same deal -->\n"
                       f"{NOTICE}\n")
    write("site/b.md", f"<!-- rightscheck: ignore afp/missing-attribution --\n-->\n{NOTICE}\n")
    result, findings = _findings(cli)
    assert findings == [("rightscheck/unused-suppression", "site/a.md", 3),
                        ("rightscheck/unexplained-suppression", "site/b.md", 1),
                        ("afp/missing-attribution", "site/b.md", 3)]
    (suppressed,) = json.loads(result.output)["suppressed"]
    assert (suppressed["line"], suppressed["justification"]) == (4, "licensed via syndication deal 2026-114")


def test_a_directive_naming_an_unknown_rule_is_reported_with_the_nearest_known_one(cli, write):
    write(".rightscheck.yaml", "licences: [afp]\n")
    write("site/a.md", f"{NOTICE} <!-- rightscheck: ignore afp/missing-atribution, nope/* -- typo -->\n\n"
                       f"<!-- rightscheck: ignore afp/*, ap/*, rightscheck/unused-suppression -- known -->\n{NOTICE}\n")
    result, findings = _findings(cli, "--only", "afp")
    assert findings == [("afp/missing-attribution", "site/a.md", 1),
                        ("rightscheck/unknown-rule-in-suppression", "site/a.md", 1),
                        ("rightscheck/unused-suppression", "site/a.md", 3)]
    unknown, unused = json.loads(result.output)["findings"][1:]
    assert unknown["severity"] == "warning" and unknown["evidence"] == "afp/missing-atribution, nope/*"
    assert ("'afp/missing-atribution' (did you mean afp/missing-attribution?), 'nope/*', which no rule matches"
            in unknown["message"])
    # ap/* is known but was not run; a finding about a directive is never covered by one
    assert unused["evidence"] == "afp/*, rightscheck/unused-suppression"
    assert "remove those rules from it" in unused["message"]


def test_a_directive_that_suppresses_nothing_is_a_warning_or_on_request_an_error(cli, write):
    write("site/a.txt", "Council notes: the library opens late.\n"
                        "rightscheck: ignore afp/missing-attribution -- licensed via syndication deal 2026-114\n")
    result, findings = _findings(cli)
    assert findings == [("rightscheck/unused-suppression", "site/a.txt", 2)] and result.exit_code == 0
    (unused,) = json.loads(result.output)["findings"]
    assert unused["severity"] == "warning" and unused["message"].endswith("remove the directive")
    result, _ = _findings(cli, "--fail-on-unused-suppressions")
    assert json.loads(result.output)["findings"][0]["severity"] == "error" and result.exit_code == 1
    write(".rightscheck.yaml", "fail_on_unused_suppressions: true\n")
    assert cli("scan", "site").exit_code == 1
    write(".rightscheck.yaml", "fail_on_unused_suppressions: yes please\n")
    assert "fail_on_unused_suppressions" in cli("scan", "site").output


def test_a_rule_a_directive_no_longer_needs_is_named(cli, write):
    write(".rightscheck.yaml", "licences: [afp]\n")
    write("site/a.md", "<!-- rightscheck: ignore afp/missing-attribution, afp/incomplete-attribution -- deal 114 -->\n"
                       f"{NOTICE}\n")
    result, findings = _findings(cli)
    assert findings == [("rightscheck/unused-suppression", "site/a.md", 1)]
    (unused,) = json.loads(result.output)["findings"]
    assert unused["evidence"] == "afp/incomplete-attribution" and unused["message"].endswith("remove that rule from it")


def test_rules_the_scan_did_not_run_are_never_called_unused(cli, write):
    write("site/a.txt", "Council notes: the library opens late.\n"
                        "rightscheck: ignore afp/missing-attribution -- licensed via syndication deal 2026-114\n"
                        "rightscheck: ignore ap/quotation-limit -- quoted under licence\n\n"
                        "rightscheck: ignore ap-photo/* -- our own photographer\n")
    assert _findings(cli, "--exclude", "afp,ap-photo")[1] == []  # reuse kinds run only with --sources
    assert _findings(cli, "--only", "ap")[1] == []
    assert _findings(cli, "--only", "afp,ap-photo")[1] == [("rightscheck/unused-suppression", "site/a.txt", 2),
                                                           ("rightscheck/unused-suppression", "site/a.txt", 5)]


def test_no_suppress_reports_nothing_about_directives(cli, write):
    write("site/a.md", f"<!-- rightscheck: ignore afp/nope, afp/quotation-limit -->\n\n"
                       f"<!-- rightscheck: ignore afp/* -- licensed -->\n{NOTICE}\n")
    _, findings = _findings(cli)
    assert {rule for rule, _, _ in findings} == {"rightscheck/unexplained-suppression",
                                                 "rightscheck/unknown-rule-in-suppression"}
    _, findings = _findings(cli, "--no-suppress", "--fail-on-unused-suppressions")
    assert findings == [("afp/missing-attribution", "site/a.md", 4), ("afp/unlicensed-content", "site/a.md", 4)]


def test_a_baseline_records_directive_findings_but_not_suppressed_ones(cli, write, tmp_path):
    write(".rightscheck.yaml", "licences: [afp]\n")
    write("site/a.md", f"<!-- rightscheck: ignore afp/missing-attribution -- licensed -->\n{NOTICE}\n\n"
                       "<!-- rightscheck: ignore afp/missing-attribution -- the text went -->\nOur own report.\n")
    assert cli("baseline", "create", "site", "-o", "base.json").exit_code == 0
    entries = json.loads((tmp_path / "base.json").read_text("utf-8"))["findings"]
    assert [(e["rule"], e["line"]) for e in entries] == [("rightscheck/unused-suppression", 4)]
    result, findings = _findings(cli, "--baseline", "base.json", "--fail-on-unused-suppressions")
    assert findings == [] and result.exit_code == 0
    summary = json.loads(result.output)["summary"]
    assert (summary["suppressed"], summary["baselined"]) == (1, 1)
    write("site/a.md", f"{NOTICE}\n")  # the suppression removed: its finding is new, the baseline entry stale
    result, findings = _findings(cli, "--baseline", "base.json")
    assert findings == [("afp/missing-attribution", "site/a.md", 1)] and result.exit_code == 1


def test_suppressed_findings_are_kept_in_sarif_and_json_but_not_in_text(cli, write):
    write(".rightscheck.yaml", "licences: [afp]\n")
    write("site/a.md", f"Dockers struck.\n<!-- rightscheck: ignore afp/* -- licensed via deal 2026-114 -->\n{NOTICE}\n")
    log = json.loads(cli("scan", "site", "--format", "sarif").output)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    (suppressed,) = log["runs"][0]["results"]
    assert suppressed["ruleId"] == "afp/missing-attribution"
    assert suppressed["suppressions"] == [{"kind": "inSource", "justification": "licensed via deal 2026-114"}]
    assert suppressed["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    for fmt in ("text", "github", "junit"):
        result = cli("scan", "site", "--format", fmt)
        assert "missing-attribution" not in result.output and result.exit_code == 0


def test_suppressed_findings_are_the_same_for_any_number_of_jobs(cli, write):
    for n in range(140):
        write(f"site/f{n:03}.txt", f"Port news {n}.\nrightscheck: ignore afp/* -- licensed, deal {n % 7}\n{NOTICE}\n")
    for fmt in ("json", "sarif"):
        one = cli("scan", "site", "--format", fmt, "--jobs", "1").output
        assert cli("scan", "site", "--format", fmt, "--jobs", "2").output == one
    assert len(json.loads(one)["runs"][0]["results"]) == 280  # missing attribution, unlicensed content


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
    write("site/a.txt", f"rightscheck: ignore afp/* -- fair dealing\n{NOTICE}\n".replace("\n", "\r\n").encode())
    result, findings = _findings(cli)
    assert findings == []
    assert {f["justification"] for f in json.loads(result.output)["suppressed"]} == {"fair dealing"}


FRAGMENTS = ["rightscheck:", " ignore ", "ignore", "afp/*", "afp/missing-attribution", ", ", "ap/x", " -- ", "--",
             "-->", "<!--", " reason ", "\n", "\r\n", "\t", " ", "x", "é"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30))
@example(["rightscheck:", " ignore ", "afp/*", " -- ", " reason ", "rightscheck:", " ignore ", "ap/x", "-->"])
def test_directives_are_matched_where_the_mark_is_as_a_whole_text_search_finds_them(fragments):
    """Directives are matched at each "rightscheck:" on the rest of its line (a big page's source is packed,
    not one str): the matches a search of the whole text finds."""
    from rightscheck.checks.suppress import _DIRECTIVE, _matches

    source = "".join(fragments)
    expected = [(m.start(), m.end(), m["rules"], m["dashes"], m["reason"] or "") for m in _DIRECTIVE.finditer(source)]
    assert list(_matches(source)) == expected
