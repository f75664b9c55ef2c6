"""Hostile folder trees: the walk finishes on any depth and through any symlink loop, and every entry it
cannot enter or stat is a skip with its reason (so --strict fails on it), never a silent gap."""

from __future__ import annotations

import contextlib
import itertools
import json
import os

DISPATCH = "BAGHDAD, Jan 18 (AFP) - Engineers began repairs to the bridge on Sunday, officials said."


def _scan(cli, *args):
    result = cli("scan", "--format", "json", *args)
    assert result.exit_code in (0, 1, 2) and "Traceback" not in result.output, result.output
    return result.exit_code, json.loads(result.stdout)


def _skips(payload):
    return {s["path"]: s["reason"] for s in payload["skipped"]}


def test_a_tree_2000_folders_deep_is_walked_to_the_bottom(cli):
    made = []  # 'site' + 2,000 × '/d' + '/a.txt': 4,010 characters, within PATH_MAX (4,096)
    try:
        for folder in itertools.accumulate(["site"] + ["/d"] * 2000):  # one level at a time: os.makedirs recurses
            os.mkdir(folder)
            made.append(folder)
        bottom = made[-1] + "/a.txt"
        with open(bottom, "w") as out:
            out.write(DISPATCH)
        code, payload = _scan(cli, "site")
        assert code == 1 and [f["path"] for f in payload["findings"]] == [bottom], payload["skipped"]
    finally:  # bottom up: shutil.rmtree recurses too (Python < 3.12), so pytest could not remove the tree
        with contextlib.suppress(FileNotFoundError):
            os.remove(made[-1] + "/a.txt")
        for folder in reversed(made):
            os.rmdir(folder)


def test_a_link_to_an_ancestor_is_followed_once_and_the_walk_ends(cli, write, tmp_path):
    write("site/a.txt", DISPATCH)
    write("site/sub/b.txt", DISPATCH)
    write("other/c.txt", DISPATCH)
    os.symlink(tmp_path, tmp_path / "site" / "sub" / "up")  # the folder holding the scanned one
    os.symlink("..", tmp_path / "site" / "sub" / "parent")  # relative, to the scanned folder itself
    code, payload = _scan(cli, "--follow-symlinks", "--strict", "site")
    assert code == 1  # loops are skips by design, not problems for --strict
    assert sorted(f["path"] for f in payload["findings"]) == ["site/a.txt", "site/sub/b.txt",
                                                              "site/sub/up/other/c.txt"]
    assert _skips(payload) == {"site/sub/parent": "symlink loop: folder already scanned",
                               "site/sub/up/site": "folder already scanned"}
