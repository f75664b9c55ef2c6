"""Ctrl-C and SIGTERM stop a scan at once: workers gone, no report written, exit 130 / 143, one line on stderr.

Each case runs the real command on a scan that would take minutes (a pack whose pattern backtracks for
about a second on every file), interrupts it once it is under way, and waits generously: the machine may
be slow and shared, but a stopped scan needs no time, while the chunks the workers are on take half a
minute each."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="reads processes from /proc")

REPO = Path(__file__).resolve().parents[2]
SLOW_PACK = """\
id: slow
name: Slow pack
licence: {terms: all-rights-reserved, summary: x}
signals:
  - id: bad
    pattern: '(a|aa)+$'
    weight: 1.0
attribution: []
"""
FILES = 256  # enough for two workers to start (64 files each) and then to be busy for minutes
EXITS_WITHIN = 15.0  # seconds from the signal to the exit; a worker's chunk of 32 files takes longer
MESSAGES = {signal.SIGINT: (130, "rightscheck: interrupted\n"), signal.SIGTERM: (143, "rightscheck: terminated\n")}


@pytest.fixture(scope="module")
def slow_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("slow")
    (root / "slow.yaml").write_text(SLOW_PACK)
    (root / ".rightscheck.yaml").write_text("rules: [slow.yaml]\npattern_timeout: 600\n")
    (root / "site").mkdir()
    for n in range(FILES):
        (root / "site" / f"f{n:03}.txt").write_text(("a" * 22 + "b\n") * 48)
    return root / "site"


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat from the state field on (the name before it may hold spaces), or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def _children(pid: int) -> dict[int, str]:
    """Child PID -> its start time (telling it from a later process given the same PID)."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) and fields[1] == str(pid):
            found[int(entry)] = fields[19]
    return found


def _running(pid: int, started: str) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[19] == started and fields[0] not in "ZX"


def _cpu_seconds(pid: int) -> float:
    """User and system time so far; infinite once the process is gone (nothing left to wait for)."""
    fields = _stat(pid)
    return float("inf") if fields is None else (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_for(condition, what: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.parametrize("signum, jobs, to_group, old_report", [
    (signal.SIGINT, 2, True, False),  # Ctrl-C in a terminal: the signal reaches every process of the scan
    (signal.SIGINT, 2, False, True),  # kill -INT on the parent alone
    (signal.SIGTERM, 2, False, False),  # a supervisor stopping the parent
    (signal.SIGTERM, 2, True, True),  # a container or service manager stopping every process
    (signal.SIGINT, 1, True, True),
    (signal.SIGTERM, 1, False, False),
])
def test_an_interrupted_scan_stops_at_once(slow_site, tmp_path, signum, jobs, to_group, old_report):
    report = tmp_path / "report.json"
    if old_report:
        report.write_text("the previous report\n")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    with open(tmp_path / "out", "w") as out, open(tmp_path / "err", "w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "rightscheck", "scan", str(slow_site), "--only", "slow",
                                 "--jobs", str(jobs), "-o", str(report)],
                                cwd=tmp_path, env=env, stdout=out, stderr=err, start_new_session=True)
    try:
        if jobs > 1:
            _wait_for(lambda: len(_children(proc.pid)) >= jobs, "the workers")
            workers = _children(proc.pid)
        else:  # under way once it has used more CPU than starting up takes (a fraction of a second)
            _wait_for(lambda: _cpu_seconds(proc.pid) > 1.5, "the scan")
            workers = {}
        assert proc.poll() is None, "the scan ended before it could be interrupted"
        (os.killpg if to_group else os.kill)(proc.pid, signum)
        returncode = proc.wait(timeout=EXITS_WITHIN)
        time.sleep(0.2)
        assert not [pid for pid, started in workers.items() if _running(pid, started)], "workers left running"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of a failed case
        except ProcessLookupError:
            pass
        proc.wait()
    code, message = MESSAGES[signum]
    assert (returncode, (tmp_path / "err").read_text(), (tmp_path / "out").read_text()) == (code, message, "")
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name not in ("out", "err")}
    assert after == before  # no report, no temporary file; the previous report untouched


def test_a_ctrl_c_lost_in_a_finalizer_still_stops_the_wait_for_a_worker(monkeypatch):
    """Python drops a KeyboardInterrupt raised inside ``__del__`` (the regex module's compiler frees its
    parse tree there): seen in a full run, where a scan ran on after Ctrl-C. The signal is noted, and the
    parent's wait for a worker's result raises it within a tenth of a second."""
    from concurrent.futures import Future

    from rightscheck.core.stopping import stoppable
    from rightscheck.engine.scanner import _result

    class Freed:
        def __del__(self):
            signal.raise_signal(signal.SIGINT)
            sum(range(1000))  # the handler runs here, inside the finalizer

    lost = []
    monkeypatch.setattr(sys, "unraisablehook", lost.append)  # what prints "Exception ignored in: ..."
    with stoppable():
        Freed()
        assert [type(report.exc_value) for report in lost] == [KeyboardInterrupt]
        with pytest.raises(KeyboardInterrupt):
            _result(Future())  # a result that never comes
