"""--jobs: a scan spread over worker processes reports exactly what one process reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "packs"


def _tree(root: Path, copies: int) -> None:
    """Every pack fixture, several times over, plus filler articles: enough files for workers to start."""
    for n in range(copies):
        for fixture in sorted(FIXTURES.glob("*/*")):
            if fixture.name != "expected.yaml":
                target = root / f"copy{n}" / fixture.parent.name / fixture.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(fixture, target)
    for n in range(150):
        (root / f"filler-{n:03}.txt").write_text(f"Council notes, week {n}: the library opens late on Thursdays.\n")


@pytest.mark.parametrize("fmt", ["json", "sarif"])  # SARIF also carries each region's text, read by the workers
def test_jobs_output_is_byte_identical(cli, tmp_path, fmt):
    _tree(tmp_path / "site", copies=2)
    one = cli("scan", "site", "--format", fmt, "--jobs", "1")
    two = cli("scan", "site", "--format", fmt, "--jobs", "2")
    assert one.exit_code == two.exit_code == 1
    assert ('"findings": [' if fmt == "json" else '"snippet": {') in one.output and one.output == two.output
    assert cli("scan", "site", "--jobs", "0").exit_code == 2  # a usage error, not a hang


def test_a_pattern_timeout_in_a_worker_reaches_the_exit_code(cli, write, tmp_path):
    write("slow.yaml", """
id: slow
name: Slow pack
licence: {terms: all-rights-reserved, summary: x}
signals:
  - id: bad
    pattern: '(a|aa)+$'
    weight: 1.0
attribution: []
""")
    write(".rightscheck.yaml", "rules: [slow.yaml]\npattern_timeout: 0.05\n")
    for n in range(140):
        write(f"site/f{n}.txt", "a" * 40 + "b\n")
    result = cli("scan", "site", "--jobs", "2", "--only", "slow")
    assert result.exit_code == 2
    assert result.output.count("slow.yaml:6: signals[0].pattern: pattern ran longer than 0.05 s") == 1
