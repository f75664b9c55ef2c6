"""Rule packs: the built-in ones load; every kind of bad pack is rejected with file, line and key."""

from __future__ import annotations

import pytest

from rightscheck.core.errors import RightscheckError
from rightscheck.packs.pack import builtin_rules_dir, load_pack, load_packs, select_packs

GOOD = """
id: demo
name: Demo Wire
licence:
  terms: all-rights-reserved
  summary: All rights reserved.
signals:
  - id: dateline
    pattern: '\\(DW\\)'
    weight: 1.0
attribution:
  - id: credit
    description: a Demo Wire credit
    any_of:
      - signal: dateline
"""


def test_builtin_packs_ship_and_validate():
    ids = [p.id for p in load_packs()]
    assert {"afp", "ap", "reuters"} <= set(ids)
    assert (builtin_rules_dir() / "afp.yaml").is_file()


def test_installed_wheel_carries_the_packs():
    import rightscheck

    package_dir = builtin_rules_dir().parent
    if "site-packages" in rightscheck.__file__:
        assert builtin_rules_dir() == package_dir / "rules"


def test_good_pack_compiles_defaults(write):
    pack = load_pack(write("demo.yaml", GOOD))
    assert pack.requires_licence is True  # all-rights-reserved implies it
    assert pack.threshold == 1.0
    assert pack.findings["missing-attribution"].severity == "error"
    assert pack.parts[0].forms[0] == pack.signals[0].matcher


@pytest.mark.parametrize(
    "edit, line, key, words",
    [
        (("    pattern: '\\(DW\\)'", "    pattern: '(DW'"), 8, "signals[0].pattern", "does not compile"),
        (("    weight: 1.0", "    weight: heavy"), 9, "signals[0].weight", "not of type 'number'"),
        (("name: Demo Wire", "name: Demo Wire\ncolour: red"), 3, "colour", "unknown key 'colour'"),
        (("  terms: all-rights-reserved", "  terms: mine-all-mine"), 4, "licence.terms", "is not one of"),
        (("      - signal: dateline", "      - signal: byline"), 14, "attribution[0].any_of[0].signal", "unknown signal"),
        (("    weight: 1.0", "    weight: 1.0\n    phrase: DW"), 7, "signals[0]", "exactly one of pattern, phrase, link"),
        (("id: demo", "id: Demo Pack"), 1, "id", "does not match"),
        (("name: Demo Wire", "name: Demo Wire\nname: Other"), 3, "name", "duplicate key"),
        (("  - id: credit", "  - id: credit\n    colour: red"), 12, "attribution[0].colour", "unknown key"),
        (("    weight: 1.0", "    weight: 1.0\n    within: {first_lines: 0}"), 10, "signals[0].within.first_lines",
         "0 is less than the minimum of 1"),
    ],
)
def test_bad_pack_names_file_line_and_key(write, edit, line, key, words):
    path = write("bad.yaml", GOOD.replace(*edit))
    with pytest.raises(RightscheckError) as caught:
        load_pack(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: {key}: "), message
    assert words in message
    assert "\n" not in message


def test_unknown_message_placeholder_is_rejected(write):
    path = write("bad.yaml", GOOD + "findings:\n  missing-attribution:\n    message: 'see {__class__}'\n")
    with pytest.raises(RightscheckError, match=r"bad.yaml:\d+: findings.missing-attribution.message: unknown placeholder"):
        load_pack(path)


@pytest.mark.parametrize(
    "text, words",
    [
        ("id: [unclosed\n", "invalid YAML"),
        ("", "empty rule pack"),
        ("- just\n- a list\n", "not of type 'object'"),
        ("a: &a [1, 2]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
         "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
         "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n", "alias expansion refused"),
        ("id: !!python/object/apply:os.system ['echo pwned']\n", "invalid YAML"),
    ],
)
def test_malformed_pack_files(write, text, words):
    path = write("bad.yaml", text)
    with pytest.raises(RightscheckError, match=words):
        load_pack(path)


def test_duplicate_pack_ids_across_files(write, tmp_path):
    write("packs/one.yaml", GOOD)
    write("packs/two.yaml", GOOD)
    with pytest.raises(RightscheckError, match=r"two.yaml:1: id: duplicate pack id 'demo'"):
        load_packs(extra=[tmp_path / "packs"], builtin=False)


def test_only_and_exclude_filter_and_reject_unknown_ids():
    packs = load_packs()
    assert [p.id for p in select_packs(packs, only=["ap"])] == ["ap"]
    assert "ap" not in [p.id for p in select_packs(packs, exclude=["ap"])]
    with pytest.raises(RightscheckError, match="unknown pack 'apx' in --only"):
        select_packs(packs, only=["apx"])


def test_pack_cache_round_trip_and_recovery(write, tmp_path, monkeypatch):
    from rightscheck.core import packcache
    from rightscheck.documents.document import parse

    monkeypatch.setenv("RIGHTSCHECK_CACHE_DIR", str(tmp_path / "cache"))
    path = write("p.yaml", """
        id: demo
        name: Demo
        licence: {terms: all-rights-reserved, summary: x}
        keywords: [demo]
        signals:
          - id: dateline
            pattern: '\\(Demo\\) -'
            weight: 1.0
        attribution:
          - {id: credit, description: a credit, any_of: [{signal: dateline}]}
        """)
    fresh = load_pack(path)
    assert [p.name for p in (tmp_path / "cache" / "packs").iterdir()] == [f"{packcache.key(path.read_text())}.json"]
    cached = load_pack(path)
    assert "pattern" not in cached.signals[0].matcher._state  # compiled on first use only
    doc = parse("a.txt", b"PARIS (Demo) - text\n")
    assert cached.signals[0].matcher.search(doc) == fresh.signals[0].matcher.search(doc)
    assert cached.signals[0].matcher.origin == fresh.signals[0].matcher.origin  # errors still name file and line
    (entry,) = (tmp_path / "cache" / "packs").iterdir()
    entry.write_text("{ not json")
    assert load_pack(path).signals[0].matcher.search(doc)  # a broken entry is a miss, not an error
    monkeypatch.setenv("RIGHTSCHECK_CACHE_DIR", "/proc/no-such-place")
    assert load_pack(path).id == "demo"  # an unwritable cache is no error either


def test_bad_packs_are_never_cached(write, tmp_path, monkeypatch):
    monkeypatch.setenv("RIGHTSCHECK_CACHE_DIR", str(tmp_path / "cache"))
    path = write("p.yaml", "id: demo\nname: Demo\nlicence: {terms: custom, summary: x}\n"
                           "signals: [{id: s, pattern: '(', weight: 1}]\nattribution: []\n")
    for _ in range(2):
        with pytest.raises(RightscheckError, match="pattern does not compile"):
            load_pack(path)
    assert not (tmp_path / "cache" / "packs").exists()
