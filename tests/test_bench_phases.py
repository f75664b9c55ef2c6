"""bench/build_phases.py times a build by wrapping the index's own steps: if one is renamed or no longer
called, its lines go missing, and this says so (nothing is timed here)."""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "build_phases.py"


def test_the_build_phases_bench_reports_every_slice_and_phase(write, tmp_path):
    for n in range(3):
        write(f"wire/d{n}.txt", f"Oslo, May {n + 1} (AFP) - " + " ".join(f"word{n}x{i}" for i in range(60)))
    done = subprocess.run([sys.executable, str(SCRIPT), "--slice", "1", "wire", "-o", str(tmp_path / "i.sqlite"),
                           "-j", "1"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    labels = [line.split("  wall")[0].strip() for line in done.stderr.splitlines() if "  wall " in line]
    assert labels == ["1 stored", "2 stored", "3 stored", "reading", "writing", "commit", "the rest"]
