"""Shared helpers: write invented documents and packs into a temp dir, run the CLI in-process."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from rightscheck.cli import main

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def _pack_cache(tmp_path_factory):
    """Packs are cached in a folder of this test session, never the user's own cache."""
    import os

    os.environ["RIGHTSCHECK_CACHE_DIR"] = str(tmp_path_factory.mktemp("pack-cache"))


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
    from rightscheck.sourceindex import default_index_path

    return lambda *folders: default_index_path([SourceDir(str(tmp_path / f)) for f in folders], Config())
