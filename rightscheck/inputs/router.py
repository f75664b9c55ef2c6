"""Which input reads each command-line argument, and the items they all yield in argument order: ``-`` is
standard input, ``http(s)://`` a web page or sitemap, a container file (WARC, WXR, JSON Lines, CSV) its
records, a folder its files, containers found in it included. Detection is by name, then by the first
bytes of the file (a crawl named without ``.warc``); ``--input-format`` forces one reader for the files
named on the command line."""

from __future__ import annotations

import os
import sys
from importlib import import_module
from dataclasses import dataclass
from typing import Iterable, Iterator

from rightscheck.config import Config
from rightscheck.core.errors import RightscheckError
from rightscheck.core.result import Skipped
from rightscheck.inputs.base import DOCUMENT_KINDS, WARC_NAMES, Record, is_csv, is_jsonl, is_url, kind_for
from rightscheck.inputs.files import Candidate, discover, document_kind
from rightscheck.inputs.stdin import STDIN_PATH, stdin_record

# The reader of each kind of container: a module of this package and its generator of records (a new
# container format is a module and a line here). Rows also take the fields that name their text and id.
READERS = {"warc": "warc:warc_records", "wxr": "wxr:wxr_records", "jsonl": "rows:jsonl_records",
           "csv": "rows:csv_records"}
ROWS = ("jsonl", "csv")
INPUT_FORMATS = ("auto", "files", *READERS)
_XML = "xml"  # a file a walk finds by name that may be a WXR export: its first bytes decide
HEAD = 4096  # bytes of a file read to tell what it holds


@dataclass(frozen=True)
class InputOptions:
    """How arguments are read beyond the config: the forced format, the fields of JSON Lines and CSV rows
    (``--field``; rows in a folder walk are read only when fields are given), standard input's kind and
    name, and URLs from ``--urls FILE``."""

    input_format: str = "auto"
    fields: tuple[str, ...] = ()
    stdin_kind: str | None = None
    stdin_name: str | None = None
    extra_urls: tuple[str, ...] = ()  # from --urls FILE


def items(paths: Iterable[str], config: Config, options: InputOptions = InputOptions(), aside: Iterable[str] = (),
          aside_reason: str = "", ignore: bool = True) -> Iterator[Candidate | Record | Skipped]:
    """Every document and skip of ``paths`` (then ``options.extra_urls``), in order. Bad arguments (a missing
    file, ``-`` twice, a field spec that does not parse) fail before anything is read."""
    paths = list(paths)
    _fields(options.fields)  # a spec that does not parse fails before anything is read
    if paths.count(STDIN_PATH) > 1:
        raise RightscheckError("standard input can be read once", key="-")
    for arg in paths:
        if arg != STDIN_PATH and not is_url(arg) and not os.path.lexists(arg):
            raise RightscheckError("no such file or directory", arg)
    urls: list[str] = []
    for arg in [*paths, *options.extra_urls]:
        if is_url(arg):
            urls.append(arg)
            continue
        yield from _fetched(urls, config)  # URLs given together are fetched together
        urls = []
        if arg == STDIN_PATH:
            yield stdin_record(sys.stdin.buffer, config.max_file_size, options.stdin_name, options.stdin_kind)
            continue
        named = not os.path.isdir(arg)  # asked once per argument, not once per file of a folder
        for item in files(arg, config, options, aside, aside_reason, ignore):
            yield from opened(item, config, options, named=named) if isinstance(item, Candidate) else (item,)
    yield from _fetched(urls, config)


def files(arg: str, config: Config, options: InputOptions = InputOptions(), aside: Iterable[str] = (),
          aside_reason: str = "", ignore: bool = True) -> Iterator[Candidate | Skipped]:
    """The files of one path argument, containers not opened yet (see :func:`opened`): what an engine that
    spreads containers over machines lists before any is read."""
    kind_of = kind_finder(options.input_format, bool(options.fields))
    return discover([arg], config, aside, aside_reason, ignore, kind_of)


def opened(item: Candidate, config: Config, options: InputOptions = InputOptions(), named: bool = True
           ) -> Iterator[Candidate | Record | Skipped]:
    """A file :func:`files` listed as the documents it holds: itself, or a container's records. ``named``:
    the file was named as an argument (not found in a folder walk)."""
    if item.kind in DOCUMENT_KINDS:
        yield item
    else:
        yield from _opened(item, config, _fields(options.fields), named)


def check_fields(specs: tuple[str, ...]) -> None:
    """One line (RightscheckError) if a ``--field`` spec does not parse: for an engine that lists files here
    and opens their containers elsewhere, before anything is read."""
    _fields(specs)


def _fields(specs: tuple[str, ...]):
    """Parsed ``--field`` specs, or None when none are given (rows in a walk are then left alone)."""
    if not specs:
        return None
    from rightscheck.inputs.rows import parse_fields

    try:
        return parse_fields(specs)
    except ValueError as exc:
        raise RightscheckError(str(exc), key="--field") from None


def kind_finder(forced: str, rows: bool):
    """The ``kind_of`` for :func:`discover`: documents by extension; containers by name (rows only when
    fields are given, or named); with a forced format, every named file is read with it."""

    def kind_of(path: str, named: bool) -> str | None:
        if named and forced not in ("auto", "files"):
            return forced
        name = os.path.basename(path).lower()
        if forced != "files":
            if name.endswith(WARC_NAMES):
                return "warc"
            if is_jsonl(name) and (rows or named):
                return "jsonl"
            if is_csv(name) and (rows or named):
                return "csv"
            if name.endswith((".xml", ".wxr")):
                return _XML
            if named and not kind_for(name):
                return _XML  # an unknown name: its first bytes say if it is a crawl or an export
        return document_kind(path, named)

    return kind_of


def _opened(item: Candidate, config: Config, fields, named: bool) -> Iterator[Record | Skipped]:
    """The records of a container file; a file a walk took for an export that is not one is left out (a
    named one is read as the text it is)."""
    kind = item.kind
    if kind == _XML:
        kind = _sniffed(item)
        if kind is None:
            if named:
                yield Candidate(item.path, item.fs_path, kind_for(item.path) or "text", item.key, item.size,
                                item.mtime_ns)
            return
    module, function = READERS[kind].split(":")
    read = getattr(import_module(f"rightscheck.inputs.{module}"), function)
    try:
        if kind in ROWS:
            from rightscheck.inputs.rows import Fields

            yield from read(item.fs_path, item.path, fields or Fields(), config.max_file_size)
        else:
            yield from read(item.fs_path, item.path, config.max_file_size)
    except OSError as exc:
        yield Skipped(item.path, f"cannot read: {exc.strerror or exc}")


def _sniffed(item: Candidate) -> str | None:
    """``warc`` or ``wxr`` from the file's first bytes, or None."""
    from rightscheck.inputs.warc import is_warc
    from rightscheck.inputs.wxr import opens_export

    try:
        with open(item.fs_path, "rb") as file:
            head = file.read(HEAD)
    except OSError:
        return None
    name = os.path.basename(item.path)
    return "warc" if is_warc(name, head) else "wxr" if opens_export(head) else None


def _fetched(urls: list[str], config: Config) -> Iterator[Record | Skipped]:
    """The pages of ``urls``, fetched together (the HTTP client is imported only here), as the config's
    ``web:`` section says; the user agent names rightscheck and its version."""
    if not urls:
        return
    from rightscheck import __version__
    from rightscheck.inputs.web import WebOptions, fetch_pages

    names = {"interval": "per_host_interval"}  # the config's names for WebOptions' fields
    agent = f"rightscheck/{__version__} (+https://github.com/rightscheck/rightscheck)"
    web = WebOptions(user_agent=agent, limit=config.max_file_size,
                     **{names.get(key, key): value for key, value in config.web.items()})
    yield from fetch_pages(urls, web)
