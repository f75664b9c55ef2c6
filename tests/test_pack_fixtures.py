"""Every built-in pack against its invented fixtures: tests/fixtures/packs/<pack>/expected.yaml lists RULE:LINE per case."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rightscheck.config import Config
from rightscheck.packs import load_packs
from rightscheck.scanner import scan

FIXTURES = Path(__file__).parent / "fixtures" / "packs"
PACKS = load_packs()


def _cases():
    for expected in sorted(FIXTURES.glob("*/expected.yaml")):
        spec = yaml.safe_load(expected.read_text("utf-8"))
        for name, findings in spec["cases"].items():
            yield pytest.param(expected.parent, spec.get("config", {}), name, findings or [],
                               id=f"{expected.parent.name}/{name}")


@pytest.mark.parametrize("folder, config, name, expected", list(_cases()))
def test_fixture(folder, config, name, expected):
    path = folder / name
    assert path.is_file(), f"expected.yaml names a missing fixture {name}"
    result = scan([str(path)], PACKS, Config(licences=frozenset(config.get("licences", []))))
    assert result.files == 1 and not result.skipped
    assert [f"{f.rule}:{f.line}" for f in result.findings] == expected


def test_every_fixture_is_listed():
    for expected in FIXTURES.glob("*/expected.yaml"):
        listed = set(yaml.safe_load(expected.read_text("utf-8"))["cases"])
        on_disk = {p.name for p in expected.parent.iterdir() if p.name != "expected.yaml"}
        assert on_disk == listed, expected


def test_each_builtin_pack_has_positive_and_negative_fixtures():
    for pack in ("afp", "ap", "reuters"):
        cases = yaml.safe_load((FIXTURES / pack / "expected.yaml").read_text("utf-8"))["cases"].values()
        assert any(cases) and not all(cases), pack
