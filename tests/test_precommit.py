"""The pre-commit hook as a newsroom wires it: installed with the real pre-commit framework from a
repository holding this checkout, committing to throwaway repositories (issue 16, items 1, 3, 6 and 7).
The framework builds the hook's virtualenv once per test module; git's identity comes from conftest."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from rightscheck.inputs.base import KINDS

ROOT = Path(__file__).resolve().parent.parent
STRIPPED = ("Dockers at the port struck on Monday over pay.\n\n"
            "Sections of this page are protected by intellectual property rights owned by Agence France-Presse.\n")
CLEAN = "The parish council will repair the hall roof in March.\n"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=check)


@pytest.fixture(scope="module")
def hook(tmp_path_factory) -> tuple[Path, str, Path]:
    """(hook repository, its commit, PRE_COMMIT_HOME): this checkout's package as it is now (committed or
    not), as pre-commit clones it."""
    path = tmp_path_factory.mktemp("hook")
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, path / name)
    for name in ("rightscheck", "rules"):
        shutil.copytree(ROOT / name, path / name, ignore=shutil.ignore_patterns("__pycache__"))
    _git("init", "-q", "-b", "main", cwd=path)
    _git("add", ".", cwd=path)
    _git("commit", "-q", "-m", "hook", cwd=path)
    return path, _git("rev-parse", "HEAD", cwd=path).stdout.strip(), tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def site(hook, tmp_path, monkeypatch):
    """site(config, hook_args) -> a repository with the hook installed and its config files committed."""
    repo, rev, home = hook
    monkeypatch.setenv("PRE_COMMIT_HOME", str(home))

    def _site(config: str = "licences: [afp]\n", args: list[str] | None = None) -> Path:
        folder = tmp_path / "site"
        folder.mkdir()
        _git("init", "-q", "-b", "main", cwd=folder)
        entry = {"id": "rightscheck", **({"args": args} if args else {})}
        (folder / ".pre-commit-config.yaml").write_text(yaml.safe_dump(
            {"repos": [{"repo": repo.as_uri(), "rev": rev, "hooks": [entry]}]}))
        (folder / ".rightscheck.yaml").write_text(config)
        subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=folder, check=True, capture_output=True)
        _git("add", ".", cwd=folder)
        _commit(folder, "setup")
        return folder

    return _site


def _commit(folder: Path, message: str) -> subprocess.CompletedProcess:
    done = _git("commit", "-m", message, cwd=folder, check=False)
    done.output = done.stdout + done.stderr
    return done


def _stage(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    _git("add", *files, cwd=folder)


def test_the_hooks_file_pattern_is_the_scanners_extension_list():
    pattern = re.compile(yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]["files"])
    for extension in KINDS:
        assert pattern.search(f"site/story{extension}") and pattern.search(f"site/STORY{extension.upper()}")
    for other in (".yaml", ".json", ".py", ".toml", ".txt.bak", ".md~", ".htmlx", "Makefile"):
        assert not pattern.search(f"site/story{other}"), other


def test_the_hook_rejects_an_uncredited_dispatch_in_every_kind_of_article(site):
    folder = site()
    html = f"<html><body><p>{STRIPPED}</p></body></html>\n"
    articles = {f"news/story{n}{ext}": html if kind == "html" else STRIPPED
                for n, (ext, kind) in enumerate(KINDS.items())}
    articles["news/LOUD.HTML"] = html
    _stage(folder, {**articles, "news/notes.yaml": f"note: {STRIPPED!r}\n"})
    rejected = _commit(folder, "wire stories")
    assert rejected.returncode != 0, rejected.output
    reported = set(re.findall(r"^(news/\S+?):\d+:\d+: error afp/missing-attribution", rejected.output, re.M))
    assert reported == set(articles), rejected.output  # every extension; not the YAML beside them

    _stage(folder, {name: CLEAN for name in articles})
    assert _commit(folder, "own stories").returncode == 0


def test_the_hook_with_sources_writes_nothing_into_the_repository(site):
    wire = "BAGHDAD, Jan 18 (AFP) - " + "Ministers met on Sunday to discuss the national grid. " * 12 + "\n"
    folder = site("licences: [afp]\nsources: [wire/]\n")
    _stage(folder, {"wire/dispatch.txt": wire, "news/a.md": CLEAN})
    first = _commit(folder, "archive and a story")
    assert first.returncode == 0, first.output
    _stage(folder, {"news/b.md": CLEAN + "More from the council.\n"})
    second = _commit(folder, "another story")
    assert second.returncode == 0 and "files were modified by this hook" not in second.output, second.output
    assert _git("status", "--porcelain", "--ignored", cwd=folder).stdout == ""


def test_the_hook_keeps_suppressions_honest(site):
    folder = site()
    directive = "<!-- rightscheck: ignore afp/missing-attribution{} -->\n"
    _stage(folder, {"news/a.md": directive.format("") + STRIPPED.replace("\n\n", " ")})
    unexplained = _commit(folder, "no reason")
    assert unexplained.returncode != 0 and "rightscheck/unexplained-suppression" in unexplained.output
    assert "afp/missing-attribution" in unexplained.output.replace("ignore afp/missing-attribution", "")
    _stage(folder, {"news/a.md": directive.format(" -- syndication deal 2026-114") + STRIPPED.replace("\n\n", " ")})
    assert _commit(folder, "with a reason").returncode == 0


def test_the_hook_with_a_baseline_accepts_what_it_records_and_nothing_new(site, tmp_path):
    folder = site(args=["--baseline", ".rightscheck-baseline.json"])
    (folder / "old.md").write_text(STRIPPED)
    created = subprocess.run([sys.executable, "-m", "rightscheck", "baseline", "create", "old.md"], cwd=folder,
                             capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert created.returncode == 0, created.stderr
    assert json.loads((folder / ".rightscheck-baseline.json").read_text())["findings"][0]["path"] == "old.md"
    _git("add", "old.md", ".rightscheck-baseline.json", cwd=folder)
    accepted = _commit(folder, "archive with a known finding")
    assert accepted.returncode == 0, accepted.output
    _stage(folder, {"new.md": STRIPPED})
    rejected = _commit(folder, "a new uncredited story")
    assert rejected.returncode != 0 and "new.md:3:27: error afp/missing-attribution" in rejected.output


def test_pre_commit_autoupdate_fills_in_a_rev_that_exists(hook, tmp_path, monkeypatch):
    """The README's `rev:` advice: without release tags, autoupdate writes the newest commit."""
    repo, rev, home = hook
    monkeypatch.setenv("PRE_COMMIT_HOME", str(home))
    folder = tmp_path / "site"
    folder.mkdir()
    _git("init", "-q", "-b", "main", cwd=folder)
    (folder / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo.as_uri()}\n    rev: v0.0.0\n    hooks:\n      - id: rightscheck\n")
    done = subprocess.run([sys.executable, "-m", "pre_commit", "autoupdate"], cwd=folder, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"rev: {rev}" in (folder / ".pre-commit-config.yaml").read_text()
