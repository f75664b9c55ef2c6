"""The source index under damage and contention: a broken index is rebuilt with a warning, killed builds
leave nothing behind for long, concurrent scans share one build, and a device as sources writes nothing."""

from __future__ import annotations

import fcntl
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _wire(write) -> None:
    """A few long sources (their blobs fill many pages) and an article copying one of them."""
    rng = random.Random(5)
    words = [f"word{i}" for i in range(3000)]
    texts = [" ".join(rng.choice(words) for _ in range(3000)) for _ in range(6)]
    for i, text in enumerate(texts):
        write(f"wire/s{i}.txt", f"Paris, Jan {i + 1} (AFP) - {text}\n")
    write("site/copy.txt", texts[2][:2000] + "\n")


def _findings(result) -> list[tuple]:
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    return sorted((f["path"], f["line"], f["rule"]) for f in json.loads(result.stdout)["findings"])


def _damaged_then_rebuilt(cli, damage, index: Path) -> None:
    fresh = _findings(cli("scan", "--format", "json", "--sources", "wire", "site"))
    damage(index)
    info = cli("index", "info", "--index", str(index))
    assert info.exit_code == 2 and "rebuilds it" in info.stderr and "Traceback" not in info.output
    result = cli("scan", "--format", "json", "--sources", "wire", "site")
    assert "index damaged" in result.stderr and "rebuilt the index" in result.stderr, result.stderr
    assert _findings(result) == fresh
    assert cli("index", "info", "--index", str(index)).exit_code == 0
    assert cli("index", "info", "wire").exit_code == 0  # found by its sources, as a scan finds it


def _garbage_inside(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size // 4)
        handle.write(b"\xa5" * (size // 2))


def _short_blob(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("UPDATE sources SET ids = x'0102030405' WHERE id = (SELECT min(id) FROM sources)")
    db.commit()
    db.close()


def _short_blocks(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("UPDATE postings SET data = substr(data, 2) WHERE count > 0")
    db.commit()
    db.close()


def test_garbage_inside_the_index_is_rebuilt(cli, write, index_of):
    _wire(write)
    _damaged_then_rebuilt(cli, _garbage_inside, index_of("wire"))


def test_blob_of_the_wrong_length_is_rebuilt(cli, write, index_of):
    _wire(write)
    _damaged_then_rebuilt(cli, _short_blob, index_of("wire"))


def test_postings_blocks_of_the_wrong_length_are_rebuilt(cli, write, index_of):
    _wire(write)
    _damaged_then_rebuilt(cli, _short_blocks, index_of("wire"))


def test_dead_builders_temporary_files_are_removed(cli, write, index_of):
    _wire(write)
    index = index_of("wire")
    index.parent.mkdir(parents=True)
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(finished.stdout)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        debris = [f"{index}.tmp-{dead}", f"{index}.tmp-{dead}-journal", f"{index}.tmp-{dead}-bloom"]
        building = [f"{index}.tmp-{live.pid}", f"{index}.tmp-{live.pid}-bloom"]
        for name in [*debris, *building]:
            Path(name).write_bytes(b"\0" * 4096)
        assert cli("scan", "--sources", "wire", "site").exit_code == 1
        assert [name for name in debris if os.path.exists(name)] == []
        assert all(os.path.exists(name) for name in building)  # its builder may still finish them
    finally:
        live.kill()
        live.wait()


def test_a_bloom_filter_file_cut_short_garbled_gone_or_a_fifo_changes_no_finding(cli, write, index_of):
    """The index's Bloom filter copied beside it is a cache: when it is no copy of the index's, a scan reads
    the index's own, and a scan with the sources writes it anew."""
    _wire(write)
    fresh = _findings(cli("scan", "--format", "json", "--sources", "wire", "site"))
    index = index_of("wire")
    sidecar = index.with_name(f"{index.name}.bloom")
    whole = sidecar.read_bytes()
    for damage in (whole[:len(whole) // 2], b"\xa5" * len(whole), b"", "gone", "fifo"):
        sidecar.unlink()
        if damage == "fifo":
            os.mkfifo(sidecar)  # neither read nor written: either would wait for the other end forever
        elif damage != "gone":
            sidecar.write_bytes(damage)
        left = sidecar.read_bytes() if sidecar.is_file() else sidecar.exists()
        assert _findings(cli("scan", "--format", "json", "--index", str(index), "site")) == fresh
        assert (sidecar.read_bytes() if sidecar.is_file() else sidecar.exists()) == left  # read as it is
        assert _findings(cli("scan", "--format", "json", "--sources", "wire", "site")) == fresh
        assert sidecar.read_bytes() == whole


def test_concurrent_scans_share_one_build(write, tmp_path, index_of):
    _wire(write)
    index = index_of("wire")
    index.parent.mkdir(parents=True)
    command = [sys.executable, "-m", "rightscheck", "scan", "-v", "--format", "json", "--sources", "wire", "site"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    folder = os.open(index.parent, os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)  # a builder at work: the scans must wait for it
        scans = [subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(3)]
        time.sleep(2)
        assert [scan.poll() for scan in scans] == [None] * 3
    finally:
        os.close(folder)
    outputs = [scan.communicate(timeout=120) for scan in scans]
    assert [scan.returncode for scan in scans] == [1] * 3, outputs
    assert len({json.dumps(json.loads(out)["findings"], sort_keys=True) for out, _ in outputs}) == 1
    errors = [err for _, err in outputs]
    assert not any("locked" in err or "error" in err for err in errors), errors
    assert sorted(" 6 added" in err for err in errors) == [False, False, True], errors  # the others reuse it
    assert [name for name in os.listdir(index.parent) if ".tmp-" in name] == []
    assert sorted(os.listdir(tmp_path / "wire")) == [f"s{i}.txt" for i in range(6)]  # nothing written there


def test_device_as_sources_writes_no_index(cli, write):
    write("site/a.txt", "Nothing copied here.\n")
    assert not os.path.exists("/dev/.rightscheck-index.sqlite")
    result = cli("scan", "-v", "--sources", "/dev/zero", "site")
    assert result.exit_code == 0 and "skipped /dev/zero: source not indexed" in result.stderr, result.output
    assert not os.path.exists("/dev/.rightscheck-index.sqlite")


def test_damage_in_an_index_too_big_to_check_on_open_is_one_line(cli, write, index_of, monkeypatch):
    """Above a size, an index is not read whole on open (PRAGMA quick_check would cost seconds per GB):
    damage a query meets ends the scan with one line saying how to rebuild, never a traceback."""
    _wire(write)
    fresh = cli("scan", "--format", "json", "--sources", "wire", "site")
    assert fresh.exit_code == 1
    monkeypatch.setattr("rightscheck.checks.sourceindex._CHECKED_SIZE", 0)
    _garbage_inside(index_of("wire"))
    result = cli("scan", "--format", "json", "--sources", "wire", "site")
    assert "Traceback" not in result.output and "internal error" not in result.stderr, result.stderr
    assert result.exit_code == 1 and _findings(result) == _findings(fresh) or (
        result.exit_code == 2 and "index build` rebuilds it" in result.stderr
        and len(result.stderr.strip().splitlines()) == 1), result.stderr


def test_postings_blocks_damaged_in_an_index_too_big_to_check_on_open_are_one_line(cli, write, index_of, monkeypatch):
    _wire(write)
    assert cli("scan", "--format", "json", "--sources", "wire", "site").exit_code == 1
    monkeypatch.setattr("rightscheck.checks.sourceindex._CHECKED_SIZE", 0)
    _short_blocks(index_of("wire"))
    result = cli("scan", "--format", "json", "--index", str(index_of("wire")), "site")
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert "index damaged (a block of postings has the wrong size)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
