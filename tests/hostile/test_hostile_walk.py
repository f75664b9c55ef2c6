"""Hostile folder trees: the walk finishes on any depth and through any symlink loop, and every entry it
cannot enter or stat is a skip with its reason (so --strict fails on it), never a silent gap."""

from __future__ import annotations

import contextlib
import itertools
import json
import os

import pytest

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


@pytest.mark.parametrize("locked", ["site", "site/locked"])
def test_a_folder_that_cannot_be_listed_is_a_problem_skip(cli, write, monkeypatch, locked):
    write("site/a.txt", DISPATCH)
    write("site/locked/b.txt", DISPATCH)
    real_scandir = os.scandir

    def deny(path):  # as chmod 000 would, which root (CI) is not stopped by
        if path == locked:
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", deny)
    code, payload = _scan(cli, "site")
    assert _skips(payload) == {locked: "cannot read folder: Permission denied"}
    assert code == (1 if locked == "site/locked" else 0)
    assert _scan(cli, "--strict", "site")[0] == 2


def test_a_folder_that_cannot_be_stat_ed_is_a_problem_skip(cli, write, monkeypatch):
    write("site/a.txt", DISPATCH)
    write("site/locked/b.txt", DISPATCH)
    real_stat = os.stat

    def deny(path, *args, **kwargs):  # as in a folder that may be listed but not searched (chmod 644)
        if path == "site/locked":
            raise PermissionError(13, "Permission denied", path)
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", deny)
    code, payload = _scan(cli, "--strict", "site")
    assert code == 2 and _skips(payload) == {"site/locked": "cannot stat: Permission denied"}
    assert [f["path"] for f in payload["findings"]] == ["site/a.txt"]


def test_a_link_to_itself_is_a_problem_skip_when_links_are_followed(cli, write, tmp_path):
    write("site/a.txt", DISPATCH)
    os.symlink("self", tmp_path / "site" / "self")
    assert _scan(cli, "--strict", "site")[0] == 1  # not followed: not looked through
    code, payload = _scan(cli, "--strict", "--follow-symlinks", "site")
    assert code == 2 and _skips(payload) == {"site/self": "cannot stat: Too many levels of symbolic links"}


def test_a_folder_beyond_path_max_is_a_problem_skip(cli, write):
    write("site/a.txt", DISPATCH)
    name = "x" * 200
    fd = os.open("site", os.O_RDONLY)
    for _ in range(25):  # 'site' + 25 × 201 characters: made through folder descriptors, past PATH_MAX
        os.mkdir(name, dir_fd=fd)
        fd, parent = os.open(name, os.O_RDONLY, dir_fd=fd), fd
        os.close(parent)
    os.close(os.open("b.txt", os.O_WRONLY | os.O_CREAT, dir_fd=fd))
    os.close(fd)
    code, payload = _scan(cli, "--strict", "site")
    too_long = "site" + f"/{name}" * 21  # 4,225 characters: the first path over PATH_MAX (4,096)
    assert code == 2 and _skips(payload) == {too_long: "cannot stat: File name too long"}
    assert [f["path"] for f in payload["findings"]] == ["site/a.txt"]
