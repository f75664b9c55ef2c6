"""Git integration: --staged reads the index, --since scans a branch's changes, and the pre-commit hook
(installed with the real pre-commit framework) rejects a commit of an uncredited dispatch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRIPPED = ("Dockers at the port struck on Monday over pay.\n\n"
            "Sections of this page are protected by intellectual property rights owned by Agence France-Presse.\n")
CLEAN = "The parish council will repair the hall roof in March.\n"
IDENTITY = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org", "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def git(tmp_path, monkeypatch):
    """git("add", "x") in a fresh repository at tmp_path."""
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)

    def _git(*args: str, cwd: Path = tmp_path, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=check)

    _git("init", "-q", "-b", "main")
    return _git


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


def _hook_repo(path: Path, git) -> str:
    """A repository holding this checkout's package as it is now (committed or not), as pre-commit clones it."""
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, path / name)
    for name in ("rightscheck", "rules"):
        shutil.copytree(ROOT / name, path / name, ignore=shutil.ignore_patterns("__pycache__"))
    git("init", "-q", "-b", "main", cwd=path)
    git("add", ".", cwd=path)
    git("commit", "-q", "-m", "hook", cwd=path)
    return git("rev-parse", "HEAD", cwd=path).stdout.strip()


def test_pre_commit_hook_rejects_an_uncredited_dispatch(tmp_path, git, monkeypatch):
    hook_repo = tmp_path / "hook"
    hook_repo.mkdir()
    rev = _hook_repo(hook_repo, git)
    site = tmp_path / "site"
    site.mkdir()
    git("init", "-q", "-b", "main", cwd=site)
    (site / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo.as_uri()}\n    rev: {rev}\n    hooks:\n      - id: rightscheck\n")
    (site / ".rightscheck.yaml").write_text("licences: [afp]\n")
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))
    pre_commit = [sys.executable, "-m", "pre_commit"]
    subprocess.run([*pre_commit, "install"], cwd=site, check=True, capture_output=True)
    git("add", ".pre-commit-config.yaml", ".rightscheck.yaml", cwd=site)

    (site / "strike.md").write_text(STRIPPED)
    git("add", "strike.md", cwd=site)
    rejected = git("commit", "-m", "wire story", cwd=site, check=False)
    assert rejected.returncode != 0, rejected.stdout + rejected.stderr
    output = rejected.stdout + rejected.stderr
    assert "strike.md:3:27: error afp/missing-attribution" in output
    assert "in 1 file scanned" in output  # the YAML config files staged beside it are not articles

    (site / "strike.md").write_text(CLEAN)
    git("add", "strike.md", cwd=site)
    accepted = git("commit", "-m", "own story", cwd=site, check=False)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


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
