"""Which files a scan reads: walking the given paths, honouring excludes, size limits and symlink rules."""

from __future__ import annotations

import os
from collections import deque
from stat import S_ISLNK, S_ISREG
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from rightscheck.config import Config
from rightscheck.core.result import Skipped
from rightscheck.inputs.base import DOCUMENT_KINDS, kind_for
from rightscheck.core.errors import RightscheckError
from rightscheck.inputs.pieces import PIECES_FROM, Pieces, read_pieces
from rightscheck.inputs.worktree import Ignored, relative_to_root, root_of

VCS_DIRS = frozenset({".git", ".hg", ".svn"})  # not part of the tree: never walked, never listed as skipped
ASIDE_REASON = "sources folder (texts to compare with), not articles"


@dataclass(frozen=True)
class Candidate:
    """A file to scan: ``path`` as shown in findings, ``fs_path`` as opened."""

    path: str
    fs_path: str
    kind: str
    key: tuple[int, int] = (0, 0)  # (device, inode): the same file reached by two paths is read once
    size: int = 0
    mtime_ns: int = 0


Reader = Callable[[Candidate, int], "bytes | Pieces"]  # (file, at most this many bytes) -> content


def read_file(item: Candidate, limit: int) -> bytes | Pieces:
    """At most ``limit`` bytes of the file, in one read when it is the size fstat says (a file object
    costs twice as much for an article-sized file; reading ``limit`` would first allocate all of it); a
    big file in pieces, so that its bytes need not be held whole beside its text."""
    fd = os.open(item.fs_path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        size = os.fstat(fd).st_size
        if min(limit, size + 1) >= PIECES_FROM:
            return read_pieces(fd, limit)
        data = os.read(fd, min(limit, size + 1))
        if len(data) == size or len(data) >= limit:
            return data
        parts = [data]  # it grew or shrank since fstat, or one read stopped short (2 GiB): on to EOF or limit
        got = len(data)
        while got < limit and (more := os.read(fd, min(limit - got, 1 << 24))):
            parts.append(more)
            got += len(more)
        return b"".join(parts)
    finally:
        os.close(fd)


READ_AHEAD = 1 << 20  # bytes of each file of a batch the kernel is asked to read ahead


def read_many(paths: list[str]) -> Iterator[bytes | OSError]:
    """Each file's bytes (or why it could not be read), in order. Every file of the batch is opened and
    the kernel asked to read it ahead before the first is read, so that files not in the page cache come
    off the disk together rather than one wait after another (10,000 dispatches read cold: 0.24–0.32 s
    instead of 0.86–0.94). One file's bytes are held at a time, as with a read of each."""
    opened = deque(_open_ahead(path) for path in paths)
    try:
        while opened:
            fd = opened.popleft()
            if isinstance(fd, OSError):
                yield fd
                continue
            try:
                data: bytes | OSError = _read_to_end(fd)
            except OSError as exc:
                data = exc
            finally:
                os.close(fd)
            yield data
    finally:
        for fd in opened:
            if isinstance(fd, int):
                os.close(fd)


def _read_to_end(fd: int) -> bytes:
    """All of an open file: a read of the size fstat gives, then reads until one finds the end."""
    parts = [os.read(fd, os.fstat(fd).st_size + 1)]
    while parts[-1]:
        parts.append(os.read(fd, 1 << 24))
    return b"".join(parts)


def _open_ahead(path: str) -> int | OSError:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        return exc
    if hasattr(os, "posix_fadvise"):  # not on macOS or Windows: files are read as they come
        try:
            os.posix_fadvise(fd, 0, READ_AHEAD, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass  # only a hint
    return fd


KindOf = Callable[[str, bool], "str | None"]  # (path, named on the command line?) -> kind, None: not picked up


def document_kind(path: str, named: bool) -> str | None:
    """A document's kind by extension; a file named on the command line is read as text whatever its name."""
    return kind_for(path) or ("text" if named else None)


def discover(paths: Iterable[str], config: Config, aside: Iterable[str] = (),
             aside_reason: str = "", ignore: bool = True, kind_of: KindOf = document_kind
             ) -> Iterator[Candidate | Skipped]:
    """Yield scan candidates and skips, in a stable (sorted) order per argument. Folders and files whose
    real path is in ``aside`` are skipped with ``aside_reason`` (the wire archive is not articles). In a
    git work tree, paths are shown relative to its root and (with ``ignore``) a folder walk leaves out
    what git ignores; files named on the command line are scanned whatever git thinks of them. ``kind_of``
    says which files are picked up and as what: a document kind, or a container an input opens (which
    max_file_size does not limit: it applies to each document inside)."""
    excluded = exclude_matcher(config)
    aside = frozenset(aside)
    paths = list(paths)
    for arg in paths:  # all first: a mistyped last argument fails before any file is scanned
        if not os.path.lexists(arg):
            raise RightscheckError("no such file or directory", arg)
    for arg in paths:
        root = os.path.realpath(arg if os.path.isdir(arg) else os.path.dirname(arg) or ".")
        show = _shower(arg)
        if under(os.path.realpath(arg), aside):  # a sources folder, or a file in one
            yield Skipped(show(arg), aside_reason, problem=False)
        elif os.path.isdir(arg):
            yield from _walk(arg, root, config, excluded, aside, aside_reason, show, ignore, kind_of)
        else:
            yield from _file(arg, kind_of(arg, True), root, config, excluded, show(arg))


def _walk(top: str, root: str, config: Config, excluded, aside: frozenset[str], aside_reason: str,
          show: Callable[[str], str], ignore: bool, kind_of: KindOf = document_kind) -> Iterator[Candidate | Skipped]:
    """Depth first, in os.walk's order (a folder's skipped subfolders, its files, then each subfolder's
    contents), but with a stack instead of recursion: a tree thousands of folders deep is walked to the
    bottom. A folder is entered once, whatever links (or bind mounts) lead to it again. What the walk
    cannot list or stat (no permission, a path past PATH_MAX, a link to itself) is a skip with its
    reason, which --strict fails on, as ripgrep reports it: never a file silently left out. Version-control
    folders and what git ignores are not part of the tree and are not listed at all."""
    try:
        visited = {_identity(top)}
    except OSError as exc:  # gone since discover() found a folder there
        yield _cannot("stat", show(top), exc)
        return
    ignored = Ignored(top) if ignore else None
    pending = [top]
    while pending:
        dirpath = pending.pop()
        try:
            entries = sorted(os.scandir(dirpath), key=lambda entry: entry.name)
        except OSError as exc:
            yield _cannot("read folder", show(dirpath), exc)
            continue
        if ignored and ignored.paths:
            folder = os.path.abspath(dirpath)
            entries = [entry for entry in entries if os.path.join(folder, entry.name) not in ignored.paths]
        dirs, files = [], []
        for entry in entries:
            try:
                (dirs if _is_dir(entry, config.follow_symlinks) else files).append(entry)
            except OSError as exc:
                yield _cannot("stat", show(entry.path), exc)
        kept = []
        for entry in dirs:
            if entry.name in VCS_DIRS:
                continue
            skip = _folder_skip(entry, config, excluded, aside, aside_reason, visited, show)
            if skip:
                yield skip
            else:
                kept.append(entry.path)
        shown = show(dirpath)  # once per folder; a plain name is then appended as it is
        prefix = "" if shown == "." else shown if shown.endswith("/") else shown + "/"  # "/" is a root
        for entry in files:
            name = entry.name
            kind = kind_of(name, False)
            if kind:
                display = prefix + name if name.isascii() else None
                yield from _file(entry.path, kind, root, config, excluded, display or show(entry.path))
        pending.extend(reversed(kept))


def _folder_skip(entry: os.DirEntry, config: Config, excluded, aside: frozenset[str], aside_reason: str,
                 visited: set[tuple[int, int]], show: Callable[[str], str]) -> Skipped | None:
    """Why the walk does not enter this folder; None to enter it, which ``visited`` then records."""
    full = entry.path
    if entry.is_symlink() and not config.follow_symlinks:
        return Skipped(show(full), "symlinked directory not followed", problem=False)
    if excluded(full, is_dir=True):
        return Skipped(show(full), "excluded by config", problem=False)
    if aside and os.path.realpath(full) in aside:
        return Skipped(show(full), aside_reason, problem=False)
    try:
        identity = _identity(full)
    except OSError as exc:
        return _cannot("stat", show(full), exc)
    if identity in visited:
        reason = "symlink loop: folder already scanned" if entry.is_symlink() else "folder already scanned"
        return Skipped(show(full), reason, problem=False)
    visited.add(identity)
    return None


def _cannot(action: str, shown: str, exc: OSError) -> Skipped:
    """The skip of an entry the walk could not stat or list: a problem for --strict."""
    return Skipped(shown, f"cannot {action}: {exc.strerror or exc}")


def _is_dir(entry: os.DirEntry, follow_symlinks: bool) -> bool:
    """Whether to treat ``entry`` as a folder; OSError when that cannot be told, except for a symlink
    that is not followed: it is not looked through (it is then a file, as os.walk has it)."""
    try:
        return entry.is_dir()
    except OSError:
        if entry.is_symlink() and not follow_symlinks:
            return False
        raise


def _file(path: str, kind: str, root: str, config: Config, excluded, display: str) -> Iterator[Candidate | Skipped]:
    if excluded(path, is_dir=False):
        yield Skipped(display, "excluded by config", problem=False)
        return
    try:
        stat = os.lstat(path)  # one call answers "symlink?" and, for the rest, everything below
        if S_ISLNK(stat.st_mode):
            target = os.path.realpath(path)
            if not os.path.exists(target):
                yield Skipped(display, "dangling symlink")
                return
            if os.path.commonpath([root, target]) != root and not config.follow_symlinks:
                yield Skipped(display, "symlink points outside the scanned root", problem=False)
                return
            stat = os.stat(path)
    except OSError as exc:
        yield Skipped(display, f"cannot stat: {exc.strerror}")
        return
    if not S_ISREG(stat.st_mode):
        yield Skipped(display, "not a regular file")  # a pipe or device would block or never end
        return
    if stat.st_size > config.max_file_size and kind in DOCUMENT_KINDS:
        yield Skipped(display, f"larger than max_file_size ({stat.st_size} > {config.max_file_size} bytes)")
        return
    yield Candidate(display, path, kind, (stat.st_dev, stat.st_ino), stat.st_size, stat.st_mtime_ns)


def under(real_path: str, roots: Iterable[str]) -> bool:
    """Whether ``real_path`` is one of ``roots`` or inside one (all real paths)."""
    return any(real_path == root or real_path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def _identity(path: str) -> tuple[int, int]:
    stat = os.stat(path)
    return stat.st_dev, stat.st_ino


def _shower(arg: str) -> Callable[[str], str]:
    """How paths found under the argument ``arg`` are shown: relative to the git work tree's root when
    ``arg`` is in one, else as the user spelled them (relative to the working directory)."""
    folder = os.path.abspath(arg if os.path.isdir(arg) else os.path.dirname(arg) or ".")
    root = root_of(folder)
    if root is None:
        return _display
    return lambda path: _display(os.path.relpath(os.path.abspath(path), root))


def shown_path(path: str) -> str:
    """A path as findings show it (see :func:`_shower`): for files that reach a report other than by a
    walk, such as source texts and skipped sources."""
    relative = relative_to_root(path)
    return _display(path if relative is None else relative)


def _display(path: str) -> str:
    """The path as findings show it: forward slashes, and bytes that are not UTF-8 as U+FFFD so every
    report format can print it (the human-readable ones show its control characters escaped, see
    :mod:`rightscheck.core.visible`)."""
    shown = os.path.normpath(path).replace(os.sep, "/")
    return shown.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def exclude_matcher(config: Config):
    """A test (path, is_dir) -> excluded by the config's gitignore-style exclude_paths."""
    if not config.exclude_paths:
        return lambda path, is_dir: False
    import pathspec

    spec = pathspec.GitIgnoreSpec.from_lines(config.exclude_paths)
    root = str(config.root)

    def excluded(path: str, is_dir: bool) -> bool:
        rel = os.path.relpath(os.path.abspath(path), root)
        if rel.startswith(".."):
            return False
        rel = rel.replace(os.sep, "/") + ("/" if is_dir else "")
        return spec.match_file(rel)

    return excluded
