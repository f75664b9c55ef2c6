"""`rightscheck scan examples/` — what a new user sees first — reports exactly the planted problems."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from rightscheck.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

EXPECTED = [
    "site/news/ferry-night-sailings.html:25 ap/missing-attribution",
    "site/world/chip-memory-output.md:15 reuters/missing-attribution",
    "site/world/chip-memory-output.md:15 reuters/unlicensed-content",
    "site/world/iraq-grid-repost.md:5 afp/missing-attribution",
    "site/world/rotterdam-shipping.txt:3 reuters/unlicensed-content",
]


def test_examples_report_the_planted_findings(monkeypatch):
    monkeypatch.chdir(EXAMPLES.parent)
    result = CliRunner().invoke(main, ["scan", "--format", "json", "examples/"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    got = [f"{f['path'].removeprefix('examples/')}:{f['line']} {f['rule']}" for f in payload["findings"]]
    assert got == EXPECTED
    assert payload["summary"]["files"] == len(list(EXAMPLES.rglob("*.md")) + list(EXAMPLES.rglob("*.html"))
                                              + list(EXAMPLES.rglob("*.txt")))
