"""Issue 17, item 10: a read-only sources folder (an archive mount) works under any spelling of its path:
its index is read into memory (or built there) with a warning, never written. Before, a spelling whose
index needed an update stopped the scan with "cannot create the index"."""

from __future__ import annotations

import json
import os
import sqlite3

import rightscheck.sourceindex as sourceindex

WIRE = "BAGHDAD, Jan 18 (AFP) - " + " ".join(f"word{n}" for n in range(80)) + "\n"


def test_a_read_only_sources_folder_is_indexed_in_memory(cli, write, tmp_path, monkeypatch):
    write("wire/dispatch.txt", WIRE)
    write("site/story.txt", "Our story. " + " ".join(f"word{n}" for n in range(60)) + "\n")
    write(".rightscheck.yaml", "licences: []\n")
    first = cli("scan", "--format", "json", "--sources", "wire", "site")  # writable: the index is written
    assert first.exit_code == 1 and (tmp_path / "wire" / ".rightscheck-index.sqlite").is_file()
    # the folder turns read-only (tests run as root, whom chmod does not stop): no access, no new database
    writable, create = os.access, sourceindex._create
    monkeypatch.setattr(sourceindex.os, "access", lambda p, mode: False if mode == os.W_OK else writable(p, mode))

    def read_only(where):
        if str(where) != ":memory:":
            raise sqlite3.OperationalError("unable to open database file")
        return create(where)

    monkeypatch.setattr(sourceindex, "_create", read_only)
    written = (tmp_path / "wire" / ".rightscheck-index.sqlite").stat().st_mtime_ns
    for spelling in ("wire", "./wire/", str(tmp_path / "wire")):
        result = cli("scan", "--format", "json", "--sources", spelling, "site")
        assert result.exit_code == 1, result.stderr
        assert "is not writable: the index is kept in memory for this scan" in result.stderr
        assert _where(result) == _where(first)
    assert (tmp_path / "wire" / ".rightscheck-index.sqlite").stat().st_mtime_ns == written
    assert sorted(os.listdir(tmp_path / "wire")) == [".rightscheck-index.sqlite", "dispatch.txt"]


def _where(result) -> list[tuple]:
    """Findings without the source's path, which is shown as the folder was spelled."""
    return [(f["rule"], f["line"], f["column"]) for f in json.loads(result.stdout)["findings"]]
