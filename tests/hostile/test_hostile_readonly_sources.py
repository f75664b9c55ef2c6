"""A read-only sources folder (an archive mount) is never written to: its index lives in the user's cache
folder (issue 16, item 3). Where that cache cannot be written either, the index is read into memory (or
built there) with a warning, under any spelling of the sources' path."""

from __future__ import annotations

import json
import os
import sqlite3

import rightscheck.checks.sourceindex as sourceindex

WIRE = "BAGHDAD, Jan 18 (AFP) - " + " ".join(f"word{n}" for n in range(80)) + "\n"


def _setup(write) -> None:
    write("wire/dispatch.txt", WIRE)
    write("site/story.txt", "Our story. " + " ".join(f"word{n}" for n in range(60)) + "\n")
    write(".rightscheck.yaml", "licences: []\n")


def test_the_index_of_a_sources_folder_is_kept_outside_it(cli, write, tmp_path, index_of):
    _setup(write)
    result = cli("scan", "--format", "json", "--sources", "wire", "site")
    assert result.exit_code == 1 and _where(result)
    assert os.listdir(tmp_path / "wire") == ["dispatch.txt"] and index_of("wire").is_file()


def test_an_unwritable_cache_keeps_the_index_in_memory(cli, write, tmp_path, monkeypatch, index_of):
    _setup(write)
    first = cli("scan", "--format", "json", "--sources", "wire", "site")  # writable: the index is written
    index = index_of("wire")
    files = sorted(os.listdir(index.parent))
    written = [(index.parent / name).stat().st_mtime_ns for name in files]
    # the cache turns read-only (tests run as root, whom chmod does not stop): no access, no new database
    writable, create = os.access, sourceindex._create
    monkeypatch.setattr(sourceindex.os, "access", lambda p, mode: False if mode == os.W_OK else writable(p, mode))

    def read_only(where):
        if str(where) != ":memory:":
            raise sqlite3.OperationalError("unable to open database file")
        return create(where)

    monkeypatch.setattr(sourceindex, "_create", read_only)
    write("wire/dispatch.txt", WIRE + "One more line.\n")  # the stored index needs an update
    for spelling in ("wire", "./wire/", str(tmp_path / "wire")):
        result = cli("scan", "--format", "json", "--sources", spelling, "site")
        assert result.exit_code == 1, result.stderr
        assert "is not writable: the index is kept in memory for this scan" in result.stderr
        assert _where(result) == _where(first)
    assert files == ["index.sqlite", "index.sqlite.bloom"]  # the index and its Bloom filter's file, kept as they were
    assert [(index.parent / name).stat().st_mtime_ns for name in files] == written
    assert sorted(os.listdir(index.parent)) == files


def _where(result) -> list[tuple]:
    """Findings without the source's path, which is shown as the folder was spelled."""
    return [(f["rule"], f["line"], f["column"]) for f in json.loads(result.stdout)["findings"]]
