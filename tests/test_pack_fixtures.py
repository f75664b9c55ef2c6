"""Every built-in pack against its invented fixtures (tests/fixtures/packs/<pack>/expected.yaml), through the
same code as `rightscheck rules test`."""

from __future__ import annotations

from pathlib import Path

import pytest

from rightscheck.packs.pack import load_packs
from rightscheck.cli.packtest import fixture_folders, run_folder

FIXTURES = Path(__file__).parent / "fixtures" / "packs"
FOLDERS = fixture_folders([FIXTURES])


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_pack_fixtures(folder):
    failures = [f"{c.name}: expected {c.expected}, got {c.got}" for c in run_folder(folder) if not c.passed]
    assert not failures, "\n".join(failures)


def test_every_builtin_pack_has_positive_and_negative_fixtures():
    import yaml

    for pack in load_packs():
        spec = FIXTURES / pack.id / "expected.yaml"
        assert spec.is_file(), f"no fixtures for pack {pack.id}"
        cases = list(yaml.safe_load(spec.read_text("utf-8"))["cases"].values())
        if pack.parts:  # a pack that requires credit can be violated; one that requires none (CC0) cannot
            assert any(cases) and not all(cases), pack.id


def test_rules_test_command(cli, write):
    write("fx/expected.yaml", "config: {licences: [afp]}\ncases:\n  ok.txt: []\n  bad.txt: [afp/missing-attribution:1]\n")
    write("fx/ok.txt", "Baghdad, Jan 18 (AFP) - Text.\n")
    write("fx/bad.txt", "Baghdad, Jan 18 (AFP) - Text.\n")
    write("fx/extra.txt", "Unlisted.\n")
    result = cli("rules", "test", "fx")
    assert result.exit_code == 1
    assert "FAIL  fx/bad.txt: expected ['afp/missing-attribution:1'], got no finding" in result.stdout
    assert "FAIL  fx/extra.txt" in result.stdout
    assert result.stdout.strip().endswith("1 fixture folder(s): 1 case(s) passed, 2 failed")
    write("fx/expected.yaml", "cases:\n  ok.txt: [afp-missing]\n")
    bad = cli("rules", "test", "fx")
    assert bad.exit_code == 2 and "expected.yaml:2: cases.ok.txt[0]: 'afp-missing' does not match" in bad.stderr
