"""Shared helpers: write invented documents and packs into a temp dir, run the CLI in-process."""

from __future__ import annotations

import os
import signal
import subprocess
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from rightscheck.cli.main import main

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def _isolated(tmp_path_factory):
    """Packs and indexes are cached in a folder of this test session, never the user's own cache; git
    commits in test repositories with a fixed identity and none of the user's git configuration."""
    os.environ["RIGHTSCHECK_CACHE_DIR"] = str(tmp_path_factory.mktemp("pack-cache"))
    os.environ.update({"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
                       "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org",
                       "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})
    # Commands the tests start take Ctrl-C as from a shell prompt: a CI job started in the background of a
    # non-interactive shell inherits SIGINT ignored, and would pass that on to them (exec resets a handler
    # to the default, not an ignored signal)
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture
def git(tmp_path):
    """git("add", "x") in a fresh repository at tmp_path."""

    def _git(*args: str, cwd: Path = tmp_path, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=check)

    _git("init", "-q", "-b", "main")
    return _git


@pytest.fixture
def write(tmp_path):
    """write("a/b.md", text) -> Path; text is dedented so tests can indent it."""

    def _write(name: str, text: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def cli(monkeypatch, tmp_path):
    """cli("scan", ...) -> click Result, run in ``tmp_path``."""
    monkeypatch.chdir(tmp_path)

    def _cli(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return _cli


@pytest.fixture
def index_of(tmp_path):
    """index_of("wire") -> where a scan with ``--sources wire`` (relative to tmp_path) keeps its index."""
    from rightscheck.config import Config, SourceDir
    from rightscheck.checks.sourceindex import default_index_path

    return lambda *folders: default_index_path([SourceDir(str(tmp_path / f)) for f in folders], Config())
