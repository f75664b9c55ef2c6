"""Where a scanned path stands in a git work tree: the repository root that report paths are relative to,
and the files ``.gitignore`` keeps out of a folder walk.

Paths in reports and baselines are relative to the repository root, whatever folder the scan runs from:
SARIF and GitHub annotations map them onto the repository, and a baseline made at the root still matches
a scan started in a subfolder. Ignored files are asked of git itself (``git ls-files --others --ignored
--exclude-standard``), so nested ``.gitignore`` files, ``.git/info/exclude`` and the user's global
excludes count exactly as git counts them, as ripgrep and ruff honour them."""

from __future__ import annotations

import os
import subprocess
from functools import lru_cache


@lru_cache(maxsize=4096)
def root_of(folder: str) -> str | None:
    """The work tree root (absolute) holding the folder ``folder`` (absolute), or None outside any:
    the nearest folder upwards with a ``.git`` entry (a folder, or a file in linked work trees and
    submodules)."""
    if os.path.lexists(os.path.join(folder, ".git")):
        return folder
    parent = os.path.dirname(folder)
    return None if parent == folder else root_of(parent)


def base_of(path: str) -> str:
    """The folder that report paths found under ``path`` are relative to: its work tree's root, else the
    working directory (paths are then shown as spelled)."""
    absolute = os.path.abspath(path)
    return root_of(absolute if os.path.isdir(absolute) else os.path.dirname(absolute)) or os.getcwd()


def relative_to_root(path: str) -> str | None:
    """``path`` relative to its work tree's root, or None when it is not in one."""
    absolute = os.path.abspath(path)
    root = root_of(absolute if os.path.isdir(absolute) else os.path.dirname(absolute))
    return None if root is None else os.path.relpath(absolute, root)


class Ignored:
    """The untracked files and folders git ignores under a folder being walked. Tracked files are never
    ignored (git itself tracks them), and a folder the user named is walked even when git ignores it."""

    def __init__(self, top: str) -> None:
        self.paths: frozenset[str] = frozenset()  # absolute, folders without a trailing slash
        top = os.path.abspath(top)
        if root_of(top) is None:
            return
        try:
            done = subprocess.run(["git", "ls-files", "-z", "--others", "--ignored", "--exclude-standard",
                                   "--directory"], cwd=top, capture_output=True, check=False)
        except OSError:  # no git: nothing can be asked, nothing is left out
            return
        names = [os.fsdecode(name) for name in done.stdout.split(b"\0") if name] if done.returncode == 0 else []
        if "./" in names:  # the named folder is itself ignored: the user asked for it all the same
            return
        self.paths = frozenset(os.path.join(top, name.rstrip("/")) for name in names)
