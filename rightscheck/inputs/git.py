"""Files to scan as git sees them: the staged version of each staged file (pre-commit), or the files
changed since a revision (CI on a pull request).

Staged content is read from the index with ``git cat-file``, not from the working tree, so a commit is
judged on what it will contain even when the working copy has moved on."""

from __future__ import annotations

import os
import subprocess
from typing import Iterable, Iterator

from rightscheck.config import Config
from rightscheck.core.result import Skipped
from rightscheck.inputs.files import ASIDE_REASON, Candidate, exclude_matcher, shown_path, under
from rightscheck.inputs.base import kind_for
from rightscheck.core.errors import RightscheckError


def _git(*args: str, cwd: str | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise RightscheckError("git is not installed (needed for --staged and --since)") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RightscheckError(f"git {args[0]} failed: {message[-1] if message else done.returncode}")
    return done.stdout


def repo_root() -> str:
    return _git("rev-parse", "--show-toplevel").decode("utf-8", "surrogateescape").strip()


def staged(config: Config) -> Iterator[Candidate | Skipped]:
    """Staged files (added, copied, modified, renamed) of a scannable kind, with their blob ids as keys."""
    root = repo_root()
    out = _git("diff", "--cached", "--name-only", "-z", "--diff-filter=ACMRT", "--no-renames", cwd=root)
    entries = _git("ls-files", "--stage", "-z", "--", *_paths(out), cwd=root) if out else b""
    blobs = {}
    for entry in entries.split(b"\0"):
        if entry:
            meta, _, name = entry.partition(b"\t")
            mode, blob, _stage = meta.split()
            blobs[os.fsdecode(name)] = (mode.decode(), blob.decode())
    yield from _candidates(root, config, sorted(blobs), blobs)


def changed_since(revision: str, config: Config) -> Iterator[Candidate | Skipped]:
    """Files of a scannable kind that differ between the working tree and where it left ``revision``'s
    history (the merge base), as a pull request's diff does: committed, uncommitted and untracked (not
    ignored) changes alike, so a run before committing sees what the pull request will hold."""
    root = repo_root()
    try:
        base = _git("merge-base", revision, "HEAD", cwd=root).decode().strip()
    except RightscheckError as error:
        if _git("rev-parse", "--is-shallow-repository", cwd=root).strip() == b"true":
            raise RightscheckError(
                f"{error.message}: this is a shallow clone, and {revision} or where the branch left it is not in "
                "it; fetch the history first (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)"
            ) from None
        raise
    out = _git("diff", "--name-only", "-z", "--diff-filter=ACMRT", "--no-renames", base, "--", cwd=root)
    untracked = _git("ls-files", "--others", "--exclude-standard", "-z", cwd=root)
    yield from _candidates(root, config, sorted(set(_paths(out)) | set(_paths(untracked))), None)


def narrow(files: Iterable[Candidate | Skipped], paths: list[str], aside: Iterable[str]
           ) -> Iterator[Candidate | Skipped]:
    """Git's files limited to those under ``paths`` (all of them when none were given); files in a
    sources folder (``aside``, real paths) are skipped, not scanned as articles."""
    wanted = [os.path.realpath(p) for p in paths]
    aside = list(aside)
    root = repo_root()
    for item in files:
        real = os.path.realpath(os.path.join(root, item.path))  # shown relative to the root
        if wanted and not under(real, wanted):
            continue
        if isinstance(item, Candidate) and under(real, aside):
            yield Skipped(item.path, ASIDE_REASON, problem=False)
        else:
            yield item


def _paths(out: bytes) -> list[str]:
    return [os.fsdecode(p) for p in out.split(b"\0") if p]


def _candidates(root: str, config: Config, names: list[str], blobs: dict | None) -> Iterator[Candidate | Skipped]:
    excluded = exclude_matcher(config)
    for number, name in enumerate(names):
        kind = kind_for(name)
        if not kind:
            continue
        full = os.path.join(root, name)
        shown = shown_path(full)
        if excluded(full, is_dir=False):
            yield Skipped(shown, "excluded by config", problem=False)
        elif blobs is not None:
            mode, blob = blobs[name]
            if mode == "160000" or mode == "120000":
                yield Skipped(shown, "submodule or symlink in the index", problem=False)
            else:
                yield Candidate(shown, blob, kind, key=(-1, number))  # never the same file as another path
        elif os.path.isfile(full):
            stat = os.stat(full)
            yield Candidate(shown, full, kind, (stat.st_dev, stat.st_ino), stat.st_size, stat.st_mtime_ns)


class IndexReader:
    """Reads staged blobs through one ``git cat-file --batch`` process (one fork for the whole commit)."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(["git", "cat-file", "--batch"], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, cwd=repo_root())

    def __call__(self, candidate: Candidate, limit: int) -> bytes:
        """The staged content of ``candidate`` (whose ``fs_path`` is its blob id), at most ``limit`` bytes."""
        self._process.stdin.write(candidate.fs_path.encode() + b"\n")
        self._process.stdin.flush()
        header = self._process.stdout.readline().split()
        if len(header) != 3:
            raise OSError(f"blob {candidate.fs_path} is not in the repository")
        size = int(header[2])
        data = self._process.stdout.read(min(size, limit))
        rest = size - len(data) + 1  # what is left of an oversized blob, then a newline: read, not kept
        while rest > 0:
            rest -= len(self._process.stdout.read(min(rest, 1 << 20)))
        return data

    def close(self) -> None:
        self._process.stdin.close()
        self._process.wait()
