"""A one-file scan, as the pre-commit hook runs it, starts from the user's cache: the config and packs
validated by an earlier run are not parsed or schema-checked again, so PyYAML and jsonschema are never
imported (issue 16, item 10; the time itself is measured in bench/hook_start.py, not here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import sys
from rightscheck.__main__ import run
sys.argv = ["rightscheck", "scan", "-q", "one.md"]
try:
    run()
except SystemExit as exit:
    print(exit.code, *sorted(m for m in ("yaml", "jsonschema") if m in sys.modules))
"""


def _probe(folder: Path, cache: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RIGHTSCHECK_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=folder, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.split("\n")[-2]


def test_a_second_run_imports_neither_yaml_nor_jsonschema(tmp_path, write):
    write(".rightscheck.yaml", "licences: [afp]\n")
    write("one.md", "The parish council will repair the hall roof in March.\n")
    cache = tmp_path / "cache"
    assert _probe(tmp_path, cache) == "0 jsonschema yaml"  # first run: everything parsed and validated
    assert _probe(tmp_path, cache) == "0"


def test_an_edited_config_is_validated_again(cli, write, tmp_path):
    write(".rightscheck.yaml", "licences: [afp]\n")
    write("one.md", "The parish council will repair the hall roof in March.\n")
    assert cli("scan", "one.md").exit_code == 0
    write(".rightscheck.yaml", "licences: [afp]\nfail_on: sometimes\n")
    result = cli("scan", "one.md")
    assert result.exit_code == 2 and ".rightscheck.yaml:2: fail_on" in result.stderr, result.stderr
