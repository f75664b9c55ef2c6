"""Hostile files: every odd file is scanned correctly or skipped with its reason, and the scan completes."""

from __future__ import annotations

import json
import os

import pytest

DISPATCH = "BAGHDAD, Jan 18 (AFP) - Engineers began repairs to the bridge on Sunday, officials said."


def _scan(cli, *args):
    result = cli("scan", "--format", "json", *args)
    assert result.exit_code in (0, 1, 2) and "Traceback" not in result.output, result.output
    return result, json.loads(result.stdout)


def _rules(payload):
    return sorted((f["path"].rsplit("/", 1)[-1], f["line"], f["rule"]) for f in payload["findings"])


@pytest.mark.parametrize("name, data", [
    ("invalid-utf8.txt", b"Caf\xe9 \xff\xfe\xfd " + DISPATCH.encode()),
    ("utf16-bom.txt", DISPATCH.encode("utf-16")),
    ("utf16le-nobom.txt", DISPATCH.encode("utf-16-le")),
    ("utf16be-nobom.txt", DISPATCH.encode("utf-16-be")),
    ("latin1.txt", ("Génève, café. " + DISPATCH).encode("latin-1")),
    ("cp1252.txt", ("“Quotes” – dashes. " + DISPATCH).encode("cp1252")),
])
def test_encodings_are_decoded(cli, write, name, data):
    write(f"site/{name}", data)
    _, payload = _scan(cli, "site")
    assert [rule for *_, rule in _rules(payload)] == ["afp/unlicensed-content"], payload


@pytest.mark.parametrize("separator", ["\r\n", "\r", "\n", "\u2028", "\r\n\r"])
def test_line_endings_count_lines_like_editors(cli, write, separator):
    lines = ["Own reporting.", "", "More of it.", DISPATCH, "-- AFP"]
    write("site/a.txt", separator.join(lines).encode())
    _, payload = _scan(cli, "site")
    expected = 4 if separator != "\r\n\r" else 7  # "\r\n\r" is two line breaks each time
    assert _rules(payload) == [("a.txt", expected, "afp/unlicensed-content")]


def test_nul_bytes_and_empty_files(cli, write):
    write("site/nul.txt", b"text\x00with\x00nuls " * 10)
    write("site/empty.txt", b"")
    write("site/empty.html", b"")
    result, payload = _scan(cli, "--strict", "site")
    assert {"path": "site/nul.txt", "reason": "binary file (NUL bytes)"} in payload["skipped"]
    assert payload["summary"]["files"] == 2
    assert result.exit_code == 2 and "1 path(s) could not be scanned (--strict)" in result.stderr
    assert _scan(cli, "site")[0].exit_code == 0  # without --strict a skip is not an error


def test_huge_files_are_skipped_by_size_without_reading(cli, write, tmp_path):
    with open(tmp_path / "huge.txt", "wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: costs no disk
    write("big/ok.txt", DISPATCH)
    os.replace(tmp_path / "huge.txt", tmp_path / "big" / "huge.txt")
    _, payload = _scan(cli, "big")
    assert payload["skipped"][0]["reason"].startswith("larger than max_file_size (209715200 >")
    assert payload["summary"]["files"] == 1


def test_one_line_of_50_mb_is_skipped_by_size(cli, write):
    write("big/line.txt", b"word " * 10_000_000)
    _, payload = _scan(cli, "big")
    assert payload["skipped"][0]["reason"].startswith("larger than max_file_size (50000000 >")


def test_one_long_line(cli, write):
    write("big/line.txt", ("word " * 1_000_000 + DISPATCH).encode())  # 5 MB on one line
    write("big/.rightscheck.yaml", "max_file_size: 20MB\n")
    _, payload = _scan(cli, "big")
    assert [rule for *_, rule in _rules(payload)] == ["afp/unlicensed-content"]


def test_deep_malformed_html_with_entities_and_comments(cli, write):
    deep = "<div>" * 20000 + "<p>" + DISPATCH.replace("(AFP)", "&#40;AFP&#41;") + "</p>" + "</span>" * 50
    write("site/deep.html", deep + "<!-- Copyright AFP <p>hidden</p> --><p>Broken &amp &bogus; <b>bold<i></p")
    _, payload = _scan(cli, "site")
    assert _rules(payload) == [("deep.html", 1, "afp/unlicensed-content")]


def test_symlink_loops_dangling_and_outside_links(cli, write, tmp_path):
    write("site/a.txt", DISPATCH)
    write("outside/b.txt", DISPATCH)
    os.symlink(tmp_path / "site", tmp_path / "site" / "loop")
    os.symlink(tmp_path / "nowhere.txt", tmp_path / "site" / "dangling.txt")
    os.symlink(tmp_path / "outside" / "b.txt", tmp_path / "site" / "out.txt")
    _, payload = _scan(cli, "site")
    reasons = {s["path"]: s["reason"] for s in payload["skipped"]}
    assert reasons == {"site/dangling.txt": "dangling symlink", "site/loop": "symlinked directory not followed",
                       "site/out.txt": "symlink points outside the scanned root"}
    assert payload["summary"]["files"] == 1
    _, followed = _scan(cli, "--follow-symlinks", "site")
    assert {s["path"]: s["reason"] for s in followed["skipped"]}["site/loop"] == "symlink loop: folder already scanned"
    assert followed["summary"]["files"] == 2  # a.txt once (not again through the loop) and out.txt


def test_unreadable_and_vanishing_files(cli, write, monkeypatch):
    write("site/locked.txt", DISPATCH)
    write("site/ok.txt", DISPATCH)
    real_open = os.open

    def deny(path, *args, **kwargs):  # as chmod 000 would, which root (CI) is not stopped by
        if str(path).endswith("locked.txt"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    _, payload = _scan(cli, "site")
    assert {"path": "site/locked.txt", "reason": "cannot read: Permission denied"} in payload["skipped"]
    assert _rules(payload) == [("ok.txt", 1, "afp/unlicensed-content")]


def test_odd_file_names(cli, write, tmp_path):
    for raw in (b"with space.txt", b"caf\xe9.txt", b"-dash.txt", b"new\nline.txt"):
        (tmp_path / "site").mkdir(exist_ok=True)
        (tmp_path / "site" / os.fsdecode(raw)).write_text(DISPATCH)
    result, payload = _scan(cli, "site")
    assert payload["summary"]["files"] == 4 and len(payload["findings"]) == 4
    text = cli("scan", "site")
    assert text.exit_code == 1 and "site/caf\ufffd.txt:1:1:" in text.stdout
    assert "site/new\\x0aline.txt:1:1:" in text.stdout


def test_file_vanishing_before_read_is_a_skip_not_a_crash(tmp_path):
    from rightscheck.config import Config
    from rightscheck.inputs.files import Candidate
    from rightscheck.core.result import ScanResult
    from rightscheck.engine.scanner import Scanner

    result = ScanResult()
    Scanner([], Config()).scan_file(Candidate("gone.txt", str(tmp_path / "gone.txt"), "text"), result)
    assert [(s.path, s.reason) for s in result.skipped] == [("gone.txt", "cannot read: No such file or directory")]


def test_a_file_that_grew_after_its_size_was_taken_is_read_to_the_limit(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from rightscheck.inputs.files import Candidate
    from rightscheck.inputs.files import read_file

    path = tmp_path / "growing.txt"
    path.write_bytes(b"x" * 5000)
    monkeypatch.setattr(os, "fstat", lambda fd: SimpleNamespace(st_size=10))  # the size before it grew
    item = Candidate("growing.txt", str(path), "text")
    assert read_file(item, 100_000) == b"x" * 5000
    assert read_file(item, 3000) == b"x" * 3000  # never past the limit (max_file_size + 1)


def test_a_read_that_stops_short_is_continued(tmp_path, monkeypatch):
    from rightscheck.inputs.files import Candidate
    from rightscheck.inputs.files import read_file

    path = tmp_path / "big.txt"
    path.write_bytes(b"y" * 5000)
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: real_read(fd, min(n, 1000)))  # as one read stops at 2 GiB
    assert read_file(Candidate("big.txt", str(path), "text"), 100_000) == b"y" * 5000


def test_files_read_in_a_batch_come_in_order_each_with_its_bytes_or_its_error(tmp_path):
    """The index build reads its sources 64 at a time, all opened (and read ahead) before the first is read:
    a file that cannot be opened or read is that file's error, in its place, and the rest are read."""
    from rightscheck.inputs.files import read_many

    (tmp_path / "a.txt").write_bytes(b"first")
    (tmp_path / "folder").mkdir()  # opens, but cannot be read
    (tmp_path / "c.txt").write_bytes(b"")
    (tmp_path / "d.txt").write_bytes(b"last" * 100_000)
    names = ["a.txt", "gone.txt", "folder", "c.txt", "d.txt"]
    got = list(read_many([str(tmp_path / name) for name in names]))
    assert [g if isinstance(g, bytes) else type(g) for g in got] == [
        b"first", FileNotFoundError, IsADirectoryError, b"", b"last" * 100_000]


def test_a_batch_read_stopped_early_leaves_no_file_open(tmp_path):
    from rightscheck.inputs.files import read_many

    paths = []
    for n in range(20):
        (tmp_path / f"{n}.txt").write_text(str(n))
        paths.append(str(tmp_path / f"{n}.txt"))
    before = len(os.listdir("/proc/self/fd")) if os.path.exists("/proc/self/fd") else None
    files = read_many(paths)
    assert next(files) == b"0"
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before + 19  # the rest are open, read ahead
    files.close()
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before


def test_files_in_a_root_folder_are_shown_with_one_slash(monkeypatch):
    from types import SimpleNamespace

    from rightscheck.config import Config
    from rightscheck.inputs.files import discover

    gone = SimpleNamespace(name="gone.txt", path="/gone.txt", is_dir=lambda: False)
    monkeypatch.setattr(os, "scandir", lambda path: iter([gone] if path == "/" else []))
    skipped = list(discover(["/"], Config()))
    assert [item.path for item in skipped] == ["/gone.txt"]


def test_a_report_to_a_pipe_or_device_writes_through_it_and_never_replaces_it(cli, write, tmp_path):
    """`-o /dev/null` is a common idiom: renaming a finished report over it would put a regular file in the
    place of the device (as root). A named pipe stands in for the device here."""
    import stat
    import threading

    write("site/a.md", "---\nsource: AFP\n---\nText.\n")
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    result = cli("scan", "site", "--format", "json", "-o", str(fifo))
    reader.join(timeout=10)
    assert result.exit_code == 1 and stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert received and json.loads(received[0])["findings"]
