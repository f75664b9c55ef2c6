"""Issue 17, item 10: a source that cannot be indexed (binary, dangling link, unreadable) is a skip like
a file that cannot be scanned: listed in the report's skips and under -v, and fatal with --strict.
Before, it showed only under -v and --strict exited 1."""

from __future__ import annotations

import json
import os


def test_a_source_that_cannot_be_indexed_counts_for_strict(cli, write, tmp_path):
    write("wire/a.txt", "MADRID (SW) - " + "Words of a dispatch that a story may copy. " * 10 + "\n")
    write("wire/photo.jpg.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    os.symlink(tmp_path / "wire" / "gone.txt", tmp_path / "wire" / "dangling.txt")
    write("site/story.txt", "A story of our own.\n")
    write(".rightscheck.yaml", "licences: []\n")
    result = cli("scan", "--format", "json", "--sources", "wire", "site")
    skipped = {s["path"]: s["reason"] for s in json.loads(result.stdout)["skipped"]}
    assert skipped["wire/photo.jpg.txt"].startswith("source not indexed: binary file")
    assert "wire/dangling.txt" in skipped
    strict = cli("scan", "--strict", "--sources", "wire", "site")
    assert strict.exit_code == 2 and "could not be scanned (--strict)" in strict.stderr
