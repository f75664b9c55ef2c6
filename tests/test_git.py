"""Git integration: --staged reads the index, --since scans a branch's changes, a folder walk leaves out
what git ignores, and report paths are relative to the repository root (the hook itself, driven by the
real pre-commit framework: tests/test_precommit.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRIPPED = ("Dockers at the port struck on Monday over pay.\n\n"
            "Sections of this page are protected by intellectual property rights owned by Agence France-Presse.\n")
CLEAN = "The parish council will repair the hall roof in March.\n"
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _rules(result) -> list[tuple[str, str]]:
    return [(f["rule"], f["path"]) for f in json.loads(result.output)["findings"]]


def test_staged_scans_the_index_not_the_working_tree(cli, write, git):
    write(".rightscheck.yaml", "licences: [afp]\n")
    write("site/a.md", STRIPPED)
    write("site/b.md", CLEAN)
    git("add", "site/a.md", "site/b.md")
    write("site/a.md", CLEAN)  # fixed in the working tree, but not staged
    write("site/b.md", STRIPPED)  # broken in the working tree, but not staged
    write("site/c.md", STRIPPED)  # never staged
    result = cli("scan", "--staged", "--format", "json")
    assert _rules(result) == [("afp/missing-attribution", "site/a.md")]
    assert json.loads(result.output)["summary"]["files"] == 2


def test_since_scans_files_changed_on_the_branch(cli, write, git):
    write(".rightscheck.yaml", "licences: [afp]\n")
    write("site/old.md", STRIPPED)
    git("add", ".")
    git("commit", "-q", "-m", "old")
    git("checkout", "-q", "-b", "feature")
    write("site/new.md", STRIPPED)
    write("site/notes.yaml", "not: scanned\n")
    git("add", "site/new.md")
    git("commit", "-q", "-m", "new")
    write("site/draft.md", STRIPPED)  # untracked files belong to the change too
    assert _rules(cli("scan", "--since", "main", "--format", "json")) == [
        ("afp/missing-attribution", "site/draft.md"), ("afp/missing-attribution", "site/new.md")]
    bad = cli("scan", "--since", "no-such-branch")
    assert bad.exit_code == 2 and bad.output.startswith("rightscheck: error: git merge-base failed")


def test_staged_outside_a_repository_is_a_clear_error(cli, write, tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = cli("scan", "--staged")
    assert result.exit_code == 2 and result.output.startswith("rightscheck: error: git rev-parse failed")


def test_staged_respects_paths_and_never_scans_the_sources_folder(cli, write, git):
    write(".rightscheck.yaml", "licences: [afp]\nsources: [wire/]\n")
    write("wire/dispatch.txt", "BAGHDAD, Jan 18 (AFP) - " + "Ministers met on Sunday to discuss the grid. " * 20 + "\n")
    write("site/a.md", STRIPPED)
    write("other/b.md", STRIPPED)
    git("add", ".")
    report = json.loads(cli("scan", "--staged", "--format", "json").output)
    assert sorted({f["path"] for f in report["findings"]}) == ["other/b.md", "site/a.md"]
    assert {"path": "wire/dispatch.txt", "reason": "sources folder (texts to compare with), not articles"} \
        in report["skipped"]
    narrowed = json.loads(cli("scan", "site", "--staged", "--format", "json").output)
    assert [f["path"] for f in narrowed["findings"]] == ["site/a.md"]
    explicit = json.loads(cli("scan", "wire/dispatch.txt", "--format", "json").output)
    assert explicit["findings"] == [] and explicit["summary"]["files"] == 0


def test_staged_oversized_file_is_skipped_without_reading_it_whole(cli, write, git):
    write(".rightscheck.yaml", "max_file_size: 1KB\n")
    write("site/big.txt", "x" * 5000 + "\n")
    write("site/small.md", STRIPPED)
    git("add", ".")
    report = json.loads(cli("scan", "--staged", "--format", "json").output)
    assert [s["path"] for s in report["skipped"]] == ["site/big.txt"]
    assert [f["path"] for f in report["findings"]] == ["site/small.md", "site/small.md"]


def test_a_folder_walk_leaves_out_what_git_ignores_and_never_lists_the_git_folder(cli, write, git):
    write(".gitignore", "_site/\n*.draft.md\n")
    write(".git/info/exclude", "vendor/\n")
    write("site/sub/.gitignore", "local.md\n")
    for name in ("site/story.md", "_site/story.md", "vendor/lib/readme.md", "site/a.draft.md",
                 "site/sub/local.md", "site/sub/kept.md", "site/tracked.draft.md"):
        write(name, STRIPPED)
    git("add", "-f", "site/tracked.draft.md")  # git tracks it despite the pattern: it belongs to the tree
    report = json.loads(cli("scan", "--format", "json").output)
    assert sorted({f["path"] for f in report["findings"]}) == ["site/story.md", "site/sub/kept.md",
                                                              "site/tracked.draft.md"]
    assert report["skipped"] == []  # neither .git nor the ignored files are "skipped files"
    everything = json.loads(cli("scan", "--no-ignore", "--format", "json").output)
    assert len({f["path"] for f in everything["findings"]}) == 7
    named = json.loads(cli("scan", "_site", "site/a.draft.md", "--format", "json").output)
    assert sorted({f["path"] for f in named["findings"]}) == ["_site/story.md", "site/a.draft.md"]


def test_respect_gitignore_can_be_turned_off_in_the_config(cli, write, git):
    write(".gitignore", "_site/\n")
    write(".rightscheck.yaml", "respect_gitignore: false\n")
    write("_site/story.md", STRIPPED)
    assert [f["path"] for f in json.loads(cli("scan", "--format", "json").output)["findings"]][:1] == [
        "_site/story.md"]


def test_paths_are_relative_to_the_repository_root_from_any_folder(cli, write, git, tmp_path, monkeypatch):
    write(".rightscheck.yaml", "licences: [afp]\n")
    write("site/news/a.md", STRIPPED)
    assert cli("baseline", "create", "-o", "baseline.json").exit_code == 0
    monkeypatch.chdir(tmp_path / "site" / "news")
    for args in (["."], ["a.md"], ["../news"]):
        report = json.loads(cli("scan", *args, "--format", "json").output)
        assert [f["path"] for f in report["findings"]] == ["site/news/a.md"], args
        sarif = json.loads(cli("scan", *args, "--format", "sarif").output)
        assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for r in sarif["runs"][0]["results"]] == ["site/news/a.md"]
        assert sarif["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"] == tmp_path.as_uri() + "/"
        matched = cli("scan", *args, "--baseline", str(tmp_path / "baseline.json"), "--fail-on-stale")
        assert matched.exit_code == 0, matched.output
    (tmp_path / "site" / "news" / "a.md").unlink()  # gone: its entry is stale, seen from here too
    stale = cli("scan", ".", "--baseline", str(tmp_path / "baseline.json"), "--fail-on-stale")
    assert stale.exit_code == 1 and "site/news/a.md" in stale.output, stale.output
    write("site/news/a.md", STRIPPED)
    git("add", "a.md", cwd=tmp_path / "site" / "news")
    staged = json.loads(cli("scan", "--staged", "--format", "json").output)
    assert [f["path"] for f in staged["findings"]] == ["site/news/a.md"]
    assert [f["path"] for f in json.loads(cli("scan", "..", "--staged", "--format", "json").output)["findings"]] \
        == ["site/news/a.md"]


def test_since_in_a_shallow_clone_says_to_fetch_the_history(cli, write, git, tmp_path, monkeypatch):
    write("site/a.md", CLEAN)
    git("add", ".")
    git("commit", "-q", "-m", "one")
    git("checkout", "-q", "-b", "feature")
    write("site/b.md", CLEAN)
    git("add", ".")
    git("commit", "-q", "-m", "two")
    clone = tmp_path.parent / f"{tmp_path.name}-shallow"
    git("clone", "-q", "--depth", "1", "--branch", "feature", tmp_path.as_uri(), str(clone))
    monkeypatch.chdir(clone)
    result = cli("scan", "--since", "origin/main")
    assert result.exit_code == 2 and "shallow clone" in result.stderr and "fetch-depth: 0" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
