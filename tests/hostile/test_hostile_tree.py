"""The scanned tree is never written to, except the source index the user asked for."""

from __future__ import annotations

import hashlib
from pathlib import Path

DISPATCH = "BAGHDAD, Jan 18 (AFP) - Engineers began repairs to the bridge on Sunday, officials said.\n"


def _snapshot(root: Path) -> dict[str, tuple[str, int]]:
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[str(path.relative_to(root))] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    return out


def test_scans_leave_the_tree_untouched(cli, write, tmp_path):
    write("site/a.txt", DISPATCH)
    write("site/b.html", "<p>" + DISPATCH + "</p>")
    write("site/c.md", "---\nsource: AFP\n---\nText.\n")
    write("site/.rightscheck.yaml", "licences: []\n")
    before = _snapshot(tmp_path)
    for args in (["scan", "site"], ["scan", "--format", "json", "site"], ["scan", "-v", "--strict", "site"],
                 ["rules", "list"], ["rules", "validate"]):
        cli(*args)
    assert _snapshot(tmp_path) == before


def test_reuse_scan_writes_nothing_in_the_tree(cli, write, tmp_path, index_of):
    write("wire/w.txt", DISPATCH * 3)
    write("site/a.txt", DISPATCH)
    before = _snapshot(tmp_path)
    cli("scan", "--sources", "wire", "site")
    after = _snapshot(tmp_path)
    assert after == before and index_of("wire").is_file()  # the index is in the user's cache folder
