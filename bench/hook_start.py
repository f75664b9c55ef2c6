"""What a one-file commit costs in the pre-commit hook, and how much of it is rightscheck's.

Installs this checkout as a hook with the real pre-commit framework (into a throwaway repository and
PRE_COMMIT_HOME), then times, interleaved round by round so machine noise hits each alike:

- the hook environment's bare interpreter (``python -c pass``): the floor nothing can go under;
- ``rightscheck scan one.md`` with warm caches (packs and config parsed and validated before), and with
  a cold cache (a new cache folder each run: what the first commit after an upgrade pays);
- ``pre-commit run --files one.md`` with the rightscheck hook, and with a hook that runs ``true``: the
  difference is what rightscheck adds to a commit, the framework's own overhead apart.

    python bench/hook_start.py [--runs 20]

Prints median and 90th percentile wall times in milliseconds."""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "The parish council will repair the hall roof in March, the clerk said on Monday.\n"
IDENTITY = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.org", "GIT_COMMITTER_NAME": "Bench",
            "GIT_COMMITTER_EMAIL": "bench@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def _run(command: list[str], cwd: Path, env: dict) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode()[-400:]}")
    return elapsed * 1000


def _git(*args: str, cwd: Path, env: dict) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def _setup(work: Path, env: dict) -> tuple[Path, Path]:
    """(site repository with both hooks installed, the hook environment's bin folder)."""
    hook = work / "hook"
    hook.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, hook / name)
    for name in ("rightscheck", "rules"):
        shutil.copytree(ROOT / name, hook / name, ignore=shutil.ignore_patterns("__pycache__"))
    _git("init", "-q", "-b", "main", cwd=hook, env=env)
    _git("add", ".", cwd=hook, env=env)
    _git("commit", "-q", "-m", "hook", cwd=hook, env=env)
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hook, env=env, capture_output=True, text=True).stdout.strip()
    site = work / "site"
    site.mkdir()
    _git("init", "-q", "-b", "main", cwd=site, env=env)
    (site / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook.as_uri()}\n    rev: {rev}\n    hooks:\n      - id: rightscheck\n"
        "  - repo: local\n    hooks:\n      - id: nothing\n        name: nothing\n        entry: 'true'\n"
        "        language: system\n        files: '\\.md$'\n")
    (site / ".rightscheck.yaml").write_text("licences: [afp]\n")
    (site / "one.md").write_text(ARTICLE)
    subprocess.run([sys.executable, "-m", "pre_commit", "install-hooks"], cwd=site, env=env, check=True,
                   capture_output=True)
    found = sorted(Path(env["PRE_COMMIT_HOME"]).glob("*/py_env-*/bin/rightscheck"))
    if not found:
        raise SystemExit("pre-commit did not install the hook environment")
    return site, found[0].parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="hook-start-") as tmp:
        work = Path(tmp)
        env = {**os.environ, **IDENTITY, "PRE_COMMIT_HOME": str(work / "pre-commit-home"),
               "RIGHTSCHECK_CACHE_DIR": str(work / "cache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode compiled and kept
        env.pop("PYTHONPATH", None)
        site, bin_dir = _setup(work, env)
        pre_commit = [sys.executable, "-m", "pre_commit", "run", "--files", "one.md", "--hook-stage", "pre-commit"]
        cases = {
            "python -c pass (hook env)": lambda i: _run([str(bin_dir / "python"), "-c", "pass"], site, env),
            "rightscheck scan one.md (warm cache)": lambda i: _run([str(bin_dir / "rightscheck"), "scan", "one.md"],
                                                                   site, env),
            "rightscheck scan one.md (cold cache)": lambda i: _run(
                [str(bin_dir / "rightscheck"), "scan", "one.md"], site,
                {**env, "RIGHTSCHECK_CACHE_DIR": str(work / f"cold-{i}")}),
            "pre-commit run rightscheck --files one.md": lambda i: _run([*pre_commit[:4], "rightscheck",
                                                                         *pre_commit[4:]], site, env),
            "pre-commit run nothing --files one.md": lambda i: _run([*pre_commit[:4], "nothing", *pre_commit[4:]],
                                                                    site, env),
        }
        for case in cases.values():  # warm the caches and the page cache once
            case(-1)
        times: dict[str, list[float]] = {name: [] for name in cases}
        for i in range(runs):
            for name, case in cases.items():
                times[name].append(case(i))
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{runs} runs each, interleaved")
    print(f"| {'what':<44} | median ms | p90 ms |")
    print(f"|{'-' * 46}|-----------|--------|")
    for name, values in times.items():
        values.sort()
        p90 = values[min(len(values) - 1, int(round(0.9 * (len(values) - 1))))]
        print(f"| {name:<44} | {statistics.median(values):9.0f} | {p90:6.0f} |")
    hook = statistics.median(times["pre-commit run rightscheck --files one.md"])
    nothing = statistics.median(times["pre-commit run nothing --files one.md"])
    print(f"rightscheck's part of a one-file commit (hook minus a `true` hook): {hook - nothing:.0f} ms")


if __name__ == "__main__":
    main()
