"""Where an index build's time goes: `rightscheck index build` run in this process, timed by phase.

Prints, every SLICE sources stored, the wall time, the CPU time of this process (which surveys the
files and writes the index) and of its build workers (which read, parse and fingerprint) for that
slice; then the wall and CPU time of each phase: reading (up to the last source stored), writing the
postings and the Bloom filter, and the rest (the commit, the `index info` index). Equal slices in a
big build and a small one mean the reading grows linearly; compare builds run in the same hour.

    sync; echo 1 > /proc/sys/vm/drop_caches   # cold, as a first build is
    python bench/build_phases.py --slice 100000 wire -o /tmp/index.sqlite -j 2
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

from rightscheck.checks import sourceindex
from rightscheck.cli.main import main as rightscheck

_TICKS = os.sysconf("SC_CLK_TCK")


def workers_cpu() -> float:
    """CPU seconds used so far by this process's live children (the pool's workers), from /proc."""
    total = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            total += (int(fields[11]) + int(fields[12])) / _TICKS
    return total


class Clock:
    """Wall, own user and system, and children's CPU time since the last reading."""

    def __init__(self) -> None:
        self.last = self._now()

    @staticmethod
    def _now() -> tuple[float, float, float, float]:
        own = resource.getrusage(resource.RUSAGE_SELF)
        ended = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (time.perf_counter(), own.ru_utime, own.ru_stime,
                workers_cpu() + ended.ru_utime + ended.ru_stime)

    def lap(self, name: str) -> None:
        now = self._now()
        wall, user, system, workers = (b - a for a, b in zip(self.last, now))
        print(f"{name:>16}  wall {wall:8.2f} s  own {user:7.2f} + {system:6.2f} s  workers {workers:8.2f} s",
              file=sys.stderr, flush=True)
        self.last = now


def timed(arguments: list[str], slice_size: int) -> None:
    phases, slices = Clock(), Clock()
    stored = 0
    store, write, finish = (sourceindex.SourceIndex._store, sourceindex.SourceIndex._write_postings,
                            sourceindex.SourceIndex._finish)

    def counted(self, *args, **kwargs):
        nonlocal stored
        store(self, *args, **kwargs)
        stored += 1
        if stored % slice_size == 0:
            slices.lap(f"{stored:,} stored")

    def writing(self, *args, **kwargs):
        phases.lap("reading")
        write(self, *args, **kwargs)
        phases.lap("writing")

    def finishing(self, *args, **kwargs):
        phases.lap("commit")
        finish(self, *args, **kwargs)

    sourceindex.SourceIndex._store = counted
    sourceindex.SourceIndex._write_postings = writing
    sourceindex.SourceIndex._finish = finishing
    try:
        rightscheck(["index", "build", *arguments], standalone_mode=False)
    finally:
        phases.lap("the rest")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--slice", type=int, default=100_000, help="sources a line of progress covers")
    options, rest = parser.parse_known_args()
    timed(rest, options.slice)
