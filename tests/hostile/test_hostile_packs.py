"""Hostile rule packs and configs: rejected with file, line and key, or, for a pattern that backtracks
catastrophically, reported once as a pack error while the scan completes."""

from __future__ import annotations

import json

import pytest

PACK = """\
id: {id}
name: Slow Wire
licence: {{terms: all-rights-reserved, summary: All rights reserved.}}
signals:
  - id: dateline
    pattern: '\\(SW\\)'
    weight: 1.0
  - id: slow
    pattern: '{slow}'
    weight: 0.5
attribution:
  - id: credit
    description: a Slow Wire credit
    any_of: [{{signal: dateline}}]
"""


def _error(result) -> str:
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    return result.stderr


def test_catastrophic_pattern_is_one_pack_error_and_the_scan_completes(cli, write):
    write("packs/slow.yaml", PACK.format(id="slow", slow="(a|aa)+$"))
    write(".rightscheck.yaml", "pattern_timeout: 0.2\n")
    for n in range(3):
        write(f"site/{n}.txt", "MADRID (SW) - " + "a" * 60 + "b\n")
    result = cli("scan", "--format", "json", "--rules", "packs", "site")
    stderr = _error(result)
    assert stderr.count("rightscheck: error: ") == 1
    assert "packs/slow.yaml:9: signals[1].pattern: pattern ran longer than 0.2 s on site/0.txt" in stderr
    payload = json.loads(result.stdout)
    assert payload["summary"]["files"] == 3
    assert [f["rule"] for f in payload["findings"]] == ["slow/unlicensed-content"] * 3


@pytest.mark.parametrize("text, expected", [
    ("id: [unclosed\n", "bad.yaml:2: invalid YAML"),
    (PACK.format(id="demo", slow="x").replace("name: Slow Wire", "name: 5"), "bad.yaml:2: name: 5 is not of type 'string'"),
    (PACK.format(id="demo", slow="x").replace("name: Slow Wire", "name: S\nflavour: x"),
     "bad.yaml:3: flavour: unknown key 'flavour'"),
    ("", "bad.yaml:1: empty rule pack"),
    ("a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
     "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
     "bad.yaml: too many YAML nodes"),
    ("!!python/object/apply:os.system ['touch pwned']\n", "bad.yaml:1: invalid YAML"),
    ("id: demo\nname: x\nlicence: {terms: custom, summary: x}\nsignals:\n  - {id: s, pattern: '[z-a]', "
     "weight: 1}\nattribution: []\n", "bad.yaml:5: signals[0].pattern: pattern does not compile"),
])
def test_malformed_packs(cli, write, tmp_path, text, expected):
    write("packs/bad.yaml", text)
    write("site/a.txt", "Nothing.\n")
    assert expected in _error(cli("scan", "--rules", "packs", "site"))
    assert not (tmp_path / "pwned").exists()


def test_duplicate_pack_ids(cli, write):
    write("packs/one.yaml", PACK.format(id="same", slow="x"))
    write("packs/two.yaml", PACK.format(id="same", slow="y"))
    assert "two.yaml:1: id: duplicate pack id 'same'" in _error(cli("rules", "list", "--rules", "packs"))
    write("packs/two.yaml", PACK.format(id="afp", slow="y"))
    assert "two.yaml:1: id: duplicate pack id 'afp'" in _error(cli("rules", "list", "--rules", "packs/two.yaml"))


@pytest.mark.parametrize("config, expected", [
    ("fail_on: [error\n", ".rightscheck.yaml:2: invalid YAML"),
    ("licenses: [afp]\nexclude_path: [x]\n", ".rightscheck.yaml:2: exclude_path: unknown key 'exclude_path'"),
    ("max_file_size: lots\n", ".rightscheck.yaml:1: max_file_size: "),
    ("pattern_timeout: -1\n", ".rightscheck.yaml:1: pattern_timeout: -1 is less than or equal to the minimum of 0"),
    ("follow_symlinks: sometimes\n", ".rightscheck.yaml:1: follow_symlinks: 'sometimes' is not of type 'boolean'"),
])
def test_malformed_configs(cli, write, config, expected):
    write("site/.rightscheck.yaml", config)
    write("site/a.txt", "Nothing.\n")
    assert expected in _error(cli("scan", "site"))
