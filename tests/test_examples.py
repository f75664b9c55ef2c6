"""`rightscheck scan examples/` — what a new user sees first — reports exactly the planted problems."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rightscheck.cli.main import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

EXPECTED = [
    "site/business/valentine-roses-freight.md:14 afp/missing-attribution",
    "site/news/ferry-night-sailings.html:25 ap/missing-attribution",
    "site/world/chip-memory-output.md:15 reuters/missing-attribution",
    "site/world/chip-memory-output.md:15 reuters/unlicensed-content",
    "site/world/iraq-grid-repost.md:5 afp/missing-attribution",
    "site/world/rotterdam-shipping.txt:3 reuters/unlicensed-content",
    "site/world/swiss-watch-suppliers.html:21 reuters/unlicensed-content",
    "site/world/swiss-watch-suppliers.html:22 reuters/quotation-limit",
]


@pytest.mark.parametrize("extra", [[], ["--sources", "examples/sources/"]])
def test_examples_report_the_planted_findings(monkeypatch, tmp_path, extra):
    monkeypatch.chdir(EXAMPLES.parent)
    result = CliRunner().invoke(main, ["scan", "--format", "json", "--index", str(tmp_path / "index.sqlite"),
                                       *extra, "examples/"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    got = [f"{f['path'].removeprefix('examples/')}:{f['line']} {f['rule']}" for f in payload["findings"]]
    assert got == EXPECTED
    articles = [p for p in EXAMPLES.rglob("*") if p.suffix in (".md", ".html", ".txt") and p.parent.name != "sources"]
    assert payload["summary"]["files"] == len(articles)
    assert [s["path"] for s in payload["skipped"]] == ["examples/sources"]
    copied = payload["findings"][0]["source"]
    assert (copied["path"], copied["line"], copied["end_line"]) == ("examples/sources/afp-kenya-flower-freight.txt", 7, 9)
