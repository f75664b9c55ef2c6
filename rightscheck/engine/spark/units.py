"""What a Spark job reads, listed on the driver and opened on the executors: one unit per file, a document
or a container of documents (a WARC, a JSON Lines dump), never read on the driver. Local paths are listed
by the same walk as a local scan (excludes, .gitignore, the same display paths); other file systems
(``s3a://``, ``gs://``, ``hdfs://``, ``file://``) through pyarrow's, each file copied to the executor's
local disk before its reader opens it; a ``.paths`` file (Common Crawl's ``warc.paths.gz``) lists units
one per line."""

from __future__ import annotations

import contextlib
import gzip
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from typing import Iterable, Iterator

from rightscheck.config import Config
from rightscheck.core.errors import RightscheckError
from rightscheck.core.result import Skipped
from rightscheck.inputs import router
from rightscheck.inputs.base import DOCUMENT_KINDS, Record, is_url
from rightscheck.inputs.files import Candidate, under

# A container bigger than this is read by several tasks: each reads the whole file (reading is cheap next
# to scanning) and scans its share of the documents, so one big WARC keeps every core busy.
SLICE_BYTES = 256 << 20
PATHS_NAMES = (".paths", ".paths.gz")  # a list of inputs, one per line, as Common Crawl publishes its WARCs
_SCHEMES = {"s3a": "s3", "s3n": "s3"}  # Hadoop's names for S3, as pyarrow knows it


@dataclass(frozen=True)
class Unit:
    """One file an executor reads. ``item`` is as a local walk lists it (display path, kind); ``remote`` the
    URI of a file on another file system; ``named``: given as an argument rather than found in a folder.
    For sources, ``pack`` is the folder's configured pack and ``top`` the real path of the sources
    argument (records of a container are named from it, as the local index names them)."""

    index: int
    item: Candidate
    named: bool = True
    remote: str | None = None
    pack: str | None = None
    top: str = ""
    part: int = 0  # a big container is read by ``parts`` tasks, each scanning every parts-th document
    parts: int = 1

    @property
    def key(self) -> tuple[int, int]:
        return self.index, self.part


OUTPUT_REASON = "output folder of this scan (-o), not articles"


def listed(paths: Iterable[str], config: Config, options: router.InputOptions, aside: Iterable[str] = (),
           aside_reason: str = "", ignore: bool = True, pack: str | None = None, output: str | None = None
           ) -> tuple[list[Unit], list[tuple[int, Skipped]]]:
    """Every unit of ``paths`` in order, and what the listing skipped, each skip with the index of the unit
    listed after it (where it stands in a local scan's order). A missing path is an error, raised before
    anything is read; standard input and web pages are not read by the Spark engine. The files of
    ``output`` (a local folder the job writes, its summary a .txt file) are one skip, never units: the job
    replaces them while they are read."""
    router.check_fields(options.fields)  # the executors parse them: a bad spec would fail the job there
    found: list[tuple[Candidate, bool, str | None, str]] = []
    skipped: list[tuple[int, Skipped]] = []
    local_output = output.removeprefix("file://") if output else None
    written = [os.path.realpath(local_output)] if local_output and "://" not in local_output else []
    for arg in _expanded(list(paths)):
        if arg == "-" or arg.startswith(("http://", "https://")):
            raise RightscheckError("the Spark engine reads files (local or on a Hadoop file system), not "
                                   "standard input or web pages", arg)
        if is_url(arg) and not arg.startswith("file://"):
            found.extend((item, named, arg_uri, "") for item, named, arg_uri in _remote(arg, options))
            continue
        local = arg.removeprefix("file://")
        if not os.path.lexists(local):
            raise RightscheckError("no such file or directory", arg)
        top = os.path.realpath(local)
        for item in router.files(local, config, options, aside, aside_reason, ignore):
            if isinstance(item, Skipped):
                skipped.append((len(found), item))
            elif written and under(os.path.realpath(item.fs_path), written):
                if not any(skip.reason == OUTPUT_REASON for _, skip in skipped):
                    skipped.append((len(found), Skipped(output, OUTPUT_REASON, problem=False)))
            else:  # executors may run elsewhere than the driver's folder
                found.append((replace(item, fs_path=os.path.abspath(item.fs_path)), not os.path.isdir(local),
                              None, top))
    units = []
    for i, (item, named, remote, top) in enumerate(found):
        parts = 1 if item.kind in DOCUMENT_KINDS else max(1, -(-item.size // SLICE_BYTES))
        units.extend(Unit(i, item, named, remote, pack, top, part, parts) for part in range(parts))
    return units, skipped


def _expanded(paths: list[str]) -> Iterator[str]:
    """The arguments, a ``.paths`` file replaced by its lines (relative ones taken from its folder)."""
    for arg in paths:
        if not arg.endswith(PATHS_NAMES) or is_url(arg):
            yield arg
            continue
        try:
            with (gzip.open if arg.endswith(".gz") else open)(arg, "rt", encoding="utf-8") as lines:
                entries = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
        except (OSError, UnicodeDecodeError, EOFError) as exc:
            raise RightscheckError(f"cannot read the list of paths: {getattr(exc, 'strerror', None) or exc}",
                                   arg) from None
        base = os.path.dirname(arg)
        yield from (entry if is_url(entry) or os.path.isabs(entry) else os.path.join(base, entry)
                    for entry in entries)


def _filesystem(uri: str):
    """(pyarrow file system, path in it) for a URI; one line when pyarrow or the file system is missing."""
    try:
        from pyarrow import fs
    except ImportError:
        raise RightscheckError("reading other file systems needs pyarrow: pip install 'rightscheck[spark]'",
                               uri) from None
    scheme, _, rest = uri.partition("://")
    try:
        return fs.FileSystem.from_uri(f"{_SCHEMES.get(scheme, scheme)}://{rest}")
    except Exception as exc:  # pyarrow's errors for an unknown scheme or missing credentials
        raise RightscheckError(f"cannot open the file system: {exc}", uri) from None


def _remote(uri: str, options: router.InputOptions) -> Iterator[tuple[Candidate, bool, str]]:
    """The files at ``uri`` (one file, or every file under a folder, sorted) a walk would pick up."""
    from pyarrow import fs

    filesystem, path = _filesystem(uri)
    info = filesystem.get_file_info(path)
    if info.type == fs.FileType.NotFound:
        raise RightscheckError("no such file or directory", uri)
    named = info.type != fs.FileType.Directory
    infos = [info] if named else sorted(
        (i for i in filesystem.get_file_info(fs.FileSelector(path, recursive=True)) if i.type == fs.FileType.File),
        key=lambda i: i.path)
    kind_of = router.kind_finder(options.input_format, bool(options.fields))
    prefix = uri[: len(uri) - len(path)] if uri.endswith(path) else uri.partition("://")[0] + "://"
    for entry in infos:
        kind = kind_of(entry.path, named)
        if kind is not None:
            shown = prefix + entry.path.lstrip("/") if not named else uri
            yield Candidate(shown, "", kind, size=entry.size or 0), named, shown


def documents(unit: Unit, config: Config, options: router.InputOptions
              ) -> Iterator[tuple[int, Candidate | Record | Skipped]]:
    """(place in the file, document or skip) of the unit's share of its file's documents, in the order a
    local scan meets them; a file that cannot be fetched is one skip. A remote file is read from a local
    copy, removed once its documents have been taken."""
    with _local(unit) as item:
        if isinstance(item, Skipped):
            if unit.part == 0:
                yield 0, item
            return
        for seq, found in enumerate(router.opened(item, config, options, unit.named)):
            if seq % unit.parts == unit.part:
                yield seq, found


@contextlib.contextmanager
def _local(unit: Unit) -> Iterator[Candidate | Skipped]:
    if unit.remote is None:
        yield unit.item
        return
    suffix = "".join(c for c in os.path.basename(unit.remote)[-24:] if c.isalnum() or c in ".-_")
    with tempfile.NamedTemporaryFile(suffix=f"-{suffix}") as copy:
        try:
            filesystem, path = _filesystem(unit.remote)
            with filesystem.open_input_stream(path) as stream:
                shutil.copyfileobj(stream, copy, 1 << 20)
            copy.flush()
        except (OSError, RightscheckError) as exc:
            yield Skipped(unit.item.path, f"cannot read: {exc}")
            return
        yield replace(unit.item, fs_path=copy.name)
