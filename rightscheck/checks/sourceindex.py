"""The on-disk index of source texts (SQLite), queried per scanned document, never loaded whole.

One row per source file: its content hash, the pack it is attributed to and its token ids; one
posting per winnowed fingerprint (hash, source, token position), kept in hash order (see postings).
A scanned document is winnowed the same way and looks up only its own ~2/7 of its shingles: the MOSS
guarantee holds when both sides are winnowed, so every shared run of ``GUARANTEE`` words still meets a
posting. Token ids are read only for the sources a document hits. A scan's memory and start-up thus
do not grow with the archive (a million dispatches is a few GB on disk and a few MB in memory), and a
refresh re-fingerprints only files whose content hash changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import multiprocessing
import os
import secrets
import sqlite3
import time
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from rightscheck.checks import bloomfile, indexlock, postings
from rightscheck.text import fingerprints, tokens
from rightscheck.checks.bloom import Bloom
from rightscheck.checks.spill import SpilledPostings
from rightscheck.checks.attribution import carries
from rightscheck.config import Config, SourceDir
from rightscheck.core.result import Skipped
from rightscheck.core.findings import place
from rightscheck.inputs import router
from rightscheck.inputs.base import Record
from rightscheck.inputs.files import Candidate, read_many, under
from rightscheck.documents.document import Document, SkipFile, parse
from rightscheck.core.errors import RightscheckError
from rightscheck.packs.pack import Pack
from rightscheck.packs.prefilter import Prefilter
from rightscheck.core.usercache import cache_dir

INDEX_NAME = "index.sqlite"
FINGERPRINTS = f"t{tokens.TOKENIZER_VERSION}/k{fingerprints.K}/w{fingerprints.W}"  # what words and hashes depend on
FORMAT = f"9/{FINGERPRINTS}"  # 7: postings in blocks; 8: a long run of one hash in a block of its own, 8 KiB
# pages; 9: a blocked Bloom filter (bloom.py)
_BUSY_SECONDS = 120.0  # how long a reader waits for another process's commit (and it for the reader)
# A row whose blobs cannot be what _store wrote: numpy would refuse them, or the lookup would misread them.
_MISSHAPEN = """
SELECT display_path FROM sources
WHERE typeof(ids) != 'blob' OR typeof(tokens) != 'integer' OR typeof(real_path) NOT IN ('blob', 'text')
   OR length(ids) != 4 * tokens
LIMIT 1
"""
# `index info` without a read of every token list: made at the end of a refresh, so a new index gets it once
# its sources are in (inserted into row by row, at random places, it made a million rows' inserts 1.3x slower)
_TALLY = "CREATE INDEX IF NOT EXISTS tally ON sources (pack, tokens, size)"
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    real_path BLOB NOT NULL UNIQUE,
    display_path TEXT NOT NULL,
    kind TEXT NOT NULL,
    digest TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    pack TEXT,
    attributed_by TEXT,
    tokens INTEGER NOT NULL,
    ids BLOB NOT NULL
);
CREATE TABLE folders (path BLOB PRIMARY KEY, mtime_ns INTEGER NOT NULL);
CREATE TABLE bloom (capacity INTEGER NOT NULL, bits BLOB NOT NULL);
CREATE TABLE held (source INTEGER PRIMARY KEY, data BLOB NOT NULL, charset TEXT);  -- records' own bytes
""" + postings.TABLE
_PAGE_SIZE = 8192  # a source's row (its token ids: 2.5 KB for 600 words) fills 2/3 of a 4 KiB page; 3 fit in 8
HELD = "\0"  # in a real path, between an archive's path and a record's name: a record of a container
TRUST_FOLDERS_FROM = 5_000  # sources: from this size on, a scan trusts folder times to tell the index is fresh
_BUILD_CACHE_KB = 256 << 10  # while refreshing: room for the pages that written sources and postings touch
_LOAD_BLOOM_AFTER = 32  # documents a process scans before it loads the Bloom filter whole (when it has no file)
_READ_CACHE_KB = 64 << 10  # SQLite's page cache per reading connection (its default is 2 MB)
_CHECKED_SIZE = 32 << 20  # indexes up to this size (about 4,000 sources) get PRAGMA quick_check on open;
# larger ones are trusted until a query meets damage (a read of the whole file costs a scan a second per GB)


@dataclass(frozen=True)
class Source:
    """An indexed source file."""

    id: int
    path: str  # display path
    real_path: str
    kind: str
    pack: str | None
    tokens: int


@dataclass
class RefreshStats:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (path, path of identical source)
    skipped: list[Skipped] = field(default_factory=list)
    bytes_indexed: int = 0
    seconds: float = 0.0
    rebuilt: str | None = None  # why the whole index was rebuilt
    in_memory: str | None = None  # why the index is kept in memory for this scan instead of on disk


def default_index_path(dirs: list[SourceDir], config: Config) -> Path | None:
    """Configured index path, else a file in the user's cache folder named after the sources' real paths
    (the same sources share an index, whatever spelling or working directory asks for them; nothing is
    written into the sources or the scanned tree, where a pre-commit hook's write would fail its own
    commit). None when there is no cache folder (RIGHTSCHECK_NO_CACHE) or the sources are not files and
    folders (``--sources /dev/zero``): the index is then built in memory only."""
    if config.index:
        return config.index
    if not dirs:
        raise RightscheckError("no sources given: pass --sources DIR or set sources: in the config")
    folder = cache_dir()
    if folder is None or not all(os.path.isdir(item.path) or os.path.isfile(item.path) for item in dirs):
        return None
    digest = hashlib.blake2b(digest_size=12)
    for real in sorted({os.path.realpath(item.path) for item in dirs}):
        digest.update(os.fsencode(real) + b"\0")
    # a folder per index: its writers lock the folder (see indexlock), not each other's
    return folder / "indexes" / digest.hexdigest() / INDEX_NAME


def packs_digest(packs: Iterable[Pack]) -> str:
    """Changes whenever a pack changes: sources are attributed to packs by their signals."""
    digest = hashlib.blake2b(digest_size=16)
    for pack in packs:
        digest.update(f"{pack.id}={pack.digest}\0".encode())
    return digest.hexdigest()


def packs_key(packs: Iterable[Pack], dirs: Iterable[SourceDir], index_path: Path | None) -> str:
    """Changes whenever the packs or the folder-to-pack mapping change (source attribution depends on both);
    folders count relative to the index, so a moved checkout keeps its index."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(packs_digest(packs).encode())
    base = os.path.realpath(index_path.parent if index_path else ".")
    for item in dirs:
        digest.update(f"{os.path.relpath(os.path.realpath(item.path), base)}={item.pack}\0".encode())
    return digest.hexdigest()


@dataclass
class _Known:
    id: int
    digest: str
    size: int
    mtime_ns: int
    display: str


_WORK: tuple[list[Pack], Prefilter] | None = None  # what forked build workers inherit
_BUILD_CHUNK = 64  # source files per task of a build worker


def _prepared(todo: Iterable[tuple[Candidate, str, str | None, "_Known | None"]], packs: list[Pack],
              prefilter: Prefilter, jobs: int) -> Iterator[tuple]:
    """(item, real path, existing row, digest, outcome) per source, in the order given: outcome is None
    for content already indexed, a reason for a file that could not be read, else (attribution, token ids,
    (fingerprint hashes, positions)). Reading, parsing, tokenizing and winnowing run in ``jobs`` forked
    processes; the index is written by this one."""
    global _WORK
    _WORK = (packs, prefilter)
    chunks = iter(lambda: list(itertools.islice(todo, _BUILD_CHUNK)), [])
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for chunk in chunks:
            yield from _prepare_chunk(chunk)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        pending = []
        try:
            for chunk in chunks:
                pending.append(pool.submit(_prepare_chunk, chunk))
                if len(pending) >= 2 * jobs:  # a bounded window: the survey is not read ahead whole
                    yield from pending.pop(0).result()
            for future in pending:
                yield from future.result()
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _prepare_chunk(chunk: list[tuple[Candidate, str, str | None, "_Known | None"]]) -> list[tuple]:
    packs, prefilter = _WORK
    out = []
    changed = [not (existing and not isinstance(item, _Held)
                    and (existing.size, existing.mtime_ns) == (item.size, item.mtime_ns))
               for item, _, _, existing in chunk]
    files = read_many([item.fs_path for (item, *_), read in zip(chunk, changed)
                       if read and not isinstance(item, _Held)])
    for (item, real, mapped, existing), read in zip(chunk, changed):
        if not read:
            out.append((item, real, existing, existing.digest, None))
            continue
        data = item.data if isinstance(item, _Held) else next(files)
        if isinstance(data, OSError):
            out.append((item, real, existing, None, f"cannot read: {data.strerror or data}"))
            continue
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        if existing and existing.digest == digest:
            out.append((item, real, existing, digest, None))
            continue
        try:
            form = source_form(item.path, data, item.kind, getattr(item, "charset", None), mapped, packs, prefilter)
        except SkipFile as exc:
            out.append((item, real, existing, digest, str(exc)))
            continue
        out.append((item, real, existing, digest, (*form, fingerprints.fingerprint(form[1]))))
    return out


def source_form(path: str, data: bytes, kind: str, charset: str | None, mapped: str | None, packs: list[Pack],
                prefilter: Prefilter) -> tuple[tuple[str | None, str | None], np.ndarray]:
    """What an index keeps of a source's bytes: the pack it is attributed to (and how), and its token ids.
    Raises SkipFile for bytes that are no document."""
    doc = parse(path, data, kind, charset=charset)
    prefilter.apply(doc)
    return attribute(doc, mapped, packs), tokens.tokenize(doc.text).ids


def held_path(top: str, shown: str, named: Counter) -> str:
    """The real path an index gives a container's record: the archive's, then the record's name (``shown``),
    numbered when ``named`` (the names met so far in that archive) has met it before (a URL crawled twice)."""
    named[shown] += 1
    return f"{top}{HELD}{shown if named[shown] == 1 else f'{shown}{HELD}{named[shown]}'}"


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


@dataclass(frozen=True)
class _Held(Candidate):
    """A source that is a record of a container (a row of an agency's JSON Lines archive, a WARC response):
    its bytes in hand, its path the container with the record in brackets. It has no time of its own, so
    its content hash alone tells whether it changed."""

    data: bytes = b""
    charset: str | None = None


class _BlobWords:
    """An open SQLite blob holding a Bloom filter: its length in bytes, as the filter's array has, and its
    64-bit words read where a numpy array of word numbers asks, as the filter's words would be."""

    def __init__(self, blob) -> None:
        self._blob = blob

    def __len__(self) -> int:
        return len(self._blob)

    def __getitem__(self, words: np.ndarray) -> np.ndarray:
        blob = self._blob
        data = b"".join(blob[8 * word:8 * word + 8] for word in words.ravel().tolist())
        return np.frombuffer(data, dtype="<u8").reshape(words.shape)


class Damaged(Exception):
    """Damage met in an index after it was opened (one too big to check whole on open): rebuilt."""


_DAMAGE = ("SQLITE_CORRUPT", "SQLITE_NOTADB")


class SourceIndex:
    """An open index file (``path`` None: in memory). Use :func:`open_index` to get one (it handles old or
    corrupt files)."""

    def __init__(self, path: Path | None, connection: sqlite3.Connection, final_path: Path | None = None):
        self.path = path
        self._db = connection
        self._final_path = final_path  # set while a rebuild writes a temporary file
        self._pid = os.getpid()
        self._forked: tuple[int, sqlite3.Connection] | None = None
        self._tuned: set[sqlite3.Connection] = set()
        self._posted = 0  # postings written (less those removed) by the refresh under way

    @property
    def _home(self) -> Path | None:
        """Where the index is (or will be, once a rebuild is renamed there); None in memory."""
        return self._final_path or self.path

    @property
    def name(self) -> str:
        """The index file, for messages."""
        return str(self._final_path or self.path or "(in memory: the first sources path is no folder or file)")

    # -- writing -----------------------------------------------------------------------------------
    def refresh(self, dirs: list[SourceDir], packs: list[Pack], config: Config, key: str,
                jobs: int = 1) -> RefreshStats:
        """Bring the index in line with the files under ``dirs``, reading each changed file once (in ``jobs``
        worker processes). A file whose size and modification time are unchanged is not read; one whose
        content hash is unchanged is not re-fingerprinted; an index with nothing to change is not written
        to. Postings added and removed are spilled to temporary files and written in hash order, at the end."""
        started = time.perf_counter()
        stats = RefreshStats()
        self._posted = 0
        try:
            known = {os.fsdecode(row[0]): _Known(*row[1:]) for row in self._db.execute(
                "SELECT real_path, id, digest, size, mtime_ns, display_path FROM sources")}
            meta = dict(self._db.execute("SELECT key, value FROM meta"))
            prefilter = Prefilter(packs)
            spill, unposted = SpilledPostings(), SpilledPostings()
            self._db.execute(f"PRAGMA cache_size = -{_BUILD_CACHE_KB}")
            current: set[str] = set()
            by_digest: dict[str, str] = {}
            folders: set[str] = set()
            with self._db, contextlib.closing(spill), contextlib.closing(unposted):
                todo = ((item, real, mapped, known.get(real)) for item, real, mapped
                        in self._survey(dirs, config, stats, folders))
                for item, real, existing, digest, outcome in _prepared(todo, packs, prefilter, jobs):
                    if real in current:
                        continue
                    if isinstance(outcome, str):  # could not be read or parsed
                        stats.skipped.append(Skipped(item.path, outcome))
                        continue
                    current.add(real)
                    if digest in by_digest:
                        stats.duplicates.append((item.path, by_digest[digest]))
                        current.discard(real)
                        continue
                    by_digest[digest] = item.path
                    if outcome is None:  # the same content as indexed
                        stats.unchanged += 1
                        if (existing.display, existing.mtime_ns) != (item.path, item.mtime_ns):
                            self._db.execute("UPDATE sources SET display_path = ?, mtime_ns = ? WHERE id = ?",
                                             (item.path, item.mtime_ns, existing.id))
                        continue
                    attribution, ids, fingerprinted = outcome
                    self._store(real, item, ids, fingerprinted, digest, attribution, existing, spill, unposted)
                    stats.bytes_indexed += item.size
                    stats.updated += bool(existing)
                    stats.added += not existing
                gone = [known[real].id for real in known if real not in current]
                for source_id in gone:
                    self._unpost(source_id, unposted)
                self._db.executemany("DELETE FROM sources WHERE id = ?", [(source_id,) for source_id in gone])
                self._db.executemany("DELETE FROM held WHERE source = ?", [(source_id,) for source_id in gone])
                stats.removed = len(gone)
                changed = stats.added + stats.updated + stats.removed > 0
                self._write_postings(spill, unposted, *self._next_bloom(changed))
                self._remember_folders(folders)
                self._db.execute(_TALLY)
                if stats.added or stats.updated or stats.removed or meta.get("packs") != key:
                    self._db.execute("INSERT OR REPLACE INTO meta VALUES ('packs', ?)", (key,))
                    self._db.execute("INSERT OR REPLACE INTO meta VALUES ('packset', ?)", (packs_digest(packs),))
                    self._db.execute("INSERT OR REPLACE INTO meta VALUES ('updated', ?)",
                                     (time.strftime("%Y-%m-%dT%H:%M:%S"),))
            self._finish()
        except sqlite3.Error as exc:
            self._abandon()
            if getattr(exc, "sqlite_errorname", "") in _DAMAGE:
                raise Damaged(f"index damaged ({exc})") from None
            raise RightscheckError(f"cannot write the index: {exc}", self.name) from None
        except BaseException:
            self._abandon()
            raise
        stats.seconds = time.perf_counter() - started
        return stats

    @staticmethod
    def _survey(dirs: list[SourceDir], config: Config, stats: RefreshStats,
                folders: set[str]) -> Iterator[tuple[Candidate, str, str | None]]:
        """Every source file (with its real path and configured pack), and into ``folders`` every folder
        from each file's up to its sources folder, whose times tell a later scan whether anything was
        added, removed or renamed."""
        real_folders: dict[str, str] = {}  # realpath() per file cost a big archive's scan half a second
        for source_dir in dirs:
            top = os.path.realpath(source_dir.path)
            if os.path.isfile(top):  # an archive in one file (JSON Lines, WARC): its time tells if it changed
                folders.add(top)
            # an archive, named on purpose (git's ignores do not apply); its containers read as their records
            named: Counter[str] = Counter()  # a record's name repeated (a URL crawled twice) gets a number
            for item in router.items([source_dir.path], config, router.InputOptions(fields=config.fields),
                                     ignore=False):
                if isinstance(item, Skipped):
                    stats.skipped.append(item)
                    continue
                if isinstance(item, Record):
                    shown = place(item.path, item.record)
                    yield (_Held(shown, "", item.kind, size=len(item.data), data=item.data, charset=item.charset),
                           held_path(top, shown, named), source_dir.pack)
                    continue
                parent, name = os.path.split(item.fs_path)
                if parent not in real_folders:
                    real_folders[parent] = os.path.realpath(parent)
                real = os.path.realpath(item.fs_path) if os.path.islink(item.fs_path) else \
                    os.path.join(real_folders[parent], name)
                folder = os.path.dirname(real)
                while folder not in folders and under(folder, [top]):
                    folders.add(folder)
                    folder = os.path.dirname(folder)
                yield item, real, source_dir.pack

    def _remember_folders(self, folders: set[str]) -> None:
        """Record the folders' modification times (see :meth:`unchanged`), where they differ."""
        stored = {os.fsdecode(path): mtime for path, mtime in self._db.execute("SELECT path, mtime_ns FROM folders")}
        now = {}
        for folder in folders:
            with contextlib.suppress(OSError):
                now[folder] = os.stat(folder).st_mtime_ns
        if now != stored:
            self._db.execute("DELETE FROM folders")
            self._db.executemany("INSERT INTO folders VALUES (?, ?)",
                                 [(os.fsencode(path), mtime) for path, mtime in sorted(now.items())])

    def unchanged(self, key: str) -> bool:
        """Whether a big index can be trusted without a refresh: built with these packs and sources
        (``key``), and none of its source folders changed time since (no file added, removed or renamed).
        Files rewritten in place keep their folder's time: `rightscheck index build` reads every file's
        time, as a scan does for indexes of up to TRUST_FOLDERS_FROM sources."""
        meta = dict(self._db.execute("SELECT key, value FROM meta"))
        if meta.get("packs") != key or self.count() < TRUST_FOLDERS_FROM:
            return False
        for path, mtime in self._db.execute("SELECT path, mtime_ns FROM folders"):
            try:
                if os.stat(path).st_mtime_ns != mtime:
                    return False
            except OSError:
                return False
        return True

    def _store(self, real: str, item: Candidate, ids: np.ndarray, fingerprinted: tuple[np.ndarray, np.ndarray],
               digest: str, attribution: tuple[str | None, str | None], existing: _Known | None,
               spill: SpilledPostings, unposted: SpilledPostings) -> None:
        row = (os.fsencode(real), item.path, item.kind, digest, item.size, item.mtime_ns, *attribution, len(ids),
               ids.tobytes())
        if existing:
            self._unpost(existing.id, unposted)
            self._db.execute(
                "UPDATE sources SET real_path=?, display_path=?, kind=?, digest=?, size=?, mtime_ns=?, pack=?, "
                "attributed_by=?, tokens=?, ids=? WHERE id=?", (*row, existing.id))
            source_id = existing.id
        else:
            source_id = self._db.execute(
                "INSERT INTO sources (real_path, display_path, kind, digest, size, mtime_ns, pack, attributed_by, "
                "tokens, ids) VALUES (?,?,?,?,?,?,?,?,?,?)", row).lastrowid
        if isinstance(item, _Held):  # no file to re-read it from when a passage is shown
            self._db.execute("INSERT OR REPLACE INTO held VALUES (?, ?, ?)", (source_id, item.data, item.charset))
        hashes, positions = fingerprinted
        spill.add(source_id, hashes, positions)
        self._posted += len(hashes)

    def _write_postings(self, spill: SpilledPostings, unposted: SpilledPostings, bloom: Bloom | None,
                        from_table: bool) -> None:
        """Write the postings added and removed, a part of the hash range at a time, while a thread sorts the
        next part and another fills the new filter with the hashes added (numpy lets go of the GIL while it
        sorts and sets bits, SQLite while it writes); at most two parts wait for the filter."""
        writer = postings.Writer(self._db)
        with ThreadPoolExecutor(1) as filling, ThreadPoolExecutor(1) as sorting:
            waiting: deque = deque()
            for added, removed in _ahead(zip(spill.sorted_buckets(), unposted.sorted_buckets()), sorting):
                writer.apply(added, removed)
                if bloom is not None and not from_table:
                    waiting.append(filling.submit(bloom.add, added["hash"]))
                    if len(waiting) > 2:
                        waiting.popleft().result()
            for done in waiting:
                done.result()
        if bloom is not None:
            for block in postings.hashes(self._db) if from_table else ():
                bloom.add(block)
            self._store_bloom(bloom)

    def _next_bloom(self, changed: bool) -> tuple[Bloom | None, bool]:
        """The Bloom filter of posted hashes (see :class:`Bloom`) this refresh is to leave, and whether it is
        to be made from every posting once they are written (else from those this refresh adds, as they
        are written). None when nothing changed: the index stays byte for byte as it was. A new index, and
        one whose postings outgrew its filter, get a new one; removed postings leave their bits set (a
        false "maybe", never a missed hash)."""
        row = self._db.execute("SELECT capacity, bits FROM bloom").fetchone()
        if row is not None and not changed:
            return None, False
        total = self._db.execute("SELECT value FROM meta WHERE key = 'postings'").fetchone()
        total = (int(total[0]) if total else 0) + self._posted
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('postings', ?)", (str(total),))
        if row is not None and total <= row[0] and Bloom.can_be(len(row[1])):
            return Bloom(np.frombuffer(row[1], dtype=np.uint8).copy()), False
        return Bloom.sized(max(total, 1)), row is not None  # a power of two of bits: up to twice the room

    def _store_bloom(self, bloom: Bloom) -> None:
        """Store the filter in the index under a new random token, the row's rowid, and copy it to its file
        (see :mod:`bloomfile`), which readers use only while the row's token is the file's. Never token 1:
        older versions, which know no file, delete the row and insert a new one, which SQLite numbers 1."""
        token = secrets.randbelow(2**63 - 2) + 2
        self._db.execute("DELETE FROM bloom")
        self._db.execute("INSERT INTO bloom (rowid, capacity, bits) VALUES (?, ?, ?)",
                         (token, bloom.capacity, memoryview(bloom.bits)))  # not copied to bytes first
        self._db.execute("INSERT OR REPLACE INTO meta SELECT 'sources', count(*) || ' ' || ? FROM sources",
                         (str(token),))
        if self._home is not None:
            bloomfile.write(self._home, token, bloom.bits)

    def keep_bloom_file(self) -> None:
        """Write the filter's file where it does not copy the index's filter (deleted, damaged, or the index
        written by another version, or a refresh that was stopped). An index from before these files gets its
        token first, where it can be written to; one that cannot is read as before."""
        if self._home is None:
            return
        row = self._db.execute("SELECT rowid, length(bits) FROM bloom").fetchone()
        if row is None or self._bloom_file(*_stored_filter(row)) is not None:
            return
        bloom = self._bloom_blob(self._db, row[0])
        if row[0] != 1:
            bloomfile.write(self._home, row[0], bloom.bits)
            return
        try:
            with self._db:
                self._store_bloom(bloom)
        except sqlite3.OperationalError:  # read-only, or readers kept it busy: its blob serves, as before
            bloomfile.remove(self._home)

    def bloom(self, lazy: bool = False) -> Bloom | None:
        """The Bloom filter of posted hashes: its file memory-mapped where that copies the index's (free to
        open, its pages shared by a scan's workers), else the index's blob, loaded whole or (``lazy``) read a
        byte at a time where a query probes it, which spares a scan of a few documents loading 256 MB for a
        million sources."""
        db = self.reader()
        row = db.execute("SELECT rowid, length(bits) FROM bloom").fetchone()
        if row is None:
            return None
        bits = self._bloom_file(*_stored_filter(row))
        return Bloom(bits) if bits is not None else self._bloom_blob(db, row[0], lazy)

    def _bloom_file(self, token: int, size: int) -> np.ndarray | None:
        """The filter's file, mapped, if it copies the filter stored under ``token`` (``size`` bytes)."""
        return bloomfile.mapped(self._home, token, size) if self._home is not None else None

    @staticmethod
    def _bloom_blob(db: sqlite3.Connection, rowid: int, lazy: bool = False) -> Bloom:
        """The filter stored in the index's row ``rowid`` (see :meth:`bloom`)."""
        if not hasattr(db, "blobopen"):  # Python 3.10: the blob as one value
            return Bloom(np.frombuffer(db.execute("SELECT bits FROM bloom").fetchone()[0], dtype=np.uint8))
        blob = db.blobopen("bloom", "bits", rowid, readonly=True)
        if lazy:
            return Bloom(_BlobWords(blob))
        bits = np.empty(len(blob), dtype=np.uint8)  # read in pieces: one value would be held twice
        for start in range(0, len(bits), 1 << 24):
            bits[start:start + (1 << 24)] = np.frombuffer(blob.read(1 << 24), dtype=np.uint8)
        blob.close()
        return Bloom(bits)

    def _unpost(self, source_id: int, unposted: SpilledPostings) -> None:
        """Mark a source's postings for removal, found again from its stored token ids (fingerprints are a
        function of them), so no second index by source is needed."""
        ids = self._db.execute("SELECT ids FROM sources WHERE id = ?", (source_id,)).fetchone()[0]
        hashes, positions = fingerprints.fingerprint(np.frombuffer(ids, dtype=np.uint32))
        unposted.add(source_id, hashes, positions)
        self._posted -= len(hashes)

    def _finish(self) -> None:
        """After a rebuild, move the finished temporary file over the old index in one rename."""
        if self._final_path is not None:
            self._db.close()
            try:
                # on disk before it takes the index's name (opened for writing: Windows syncs no other handle)
                with open(self.path, "r+b") as written:
                    os.fsync(written.fileno())
                os.replace(self.path, self._final_path)
            except OSError as exc:
                self.path.unlink(missing_ok=True)
                raise RightscheckError(f"cannot write the index: {exc.strerror}", str(self._final_path)) from None
            self.path, self._final_path = self._final_path, None
            self._db = sqlite3.connect(self.path, timeout=_BUSY_SECONDS)

    def _abandon(self) -> None:
        """A failed rebuild leaves no temporary file behind, and a failed refresh no filter's file that may
        copy a filter it did not commit (the next refresh writes it anew)."""
        if self._home is not None:
            bloomfile.remove(self._home)
        if self._final_path is not None:
            self._db.close()
            self.path.unlink(missing_ok=True)

    def close(self) -> None:
        self._db.close()

    # -- reading -----------------------------------------------------------------------------------
    def reader(self) -> sqlite3.Connection:
        """A connection for reading in this process: a scan's forked workers must not share the parent's
        (SQLite connections do not survive fork), so each opens its own, read-only, once."""
        if os.getpid() == self._pid or self.path is None:  # in memory: the inherited copy is the only one
            connection = self._db
        else:
            if self._forked is None or self._forked[0] != os.getpid():
                self._forked = (os.getpid(), sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                                             timeout=_BUSY_SECONDS))
            connection = self._forked[1]
        if connection not in self._tuned:  # the upper B-tree levels and hot leaves stay in memory, bounded
            connection.execute(f"PRAGMA cache_size = -{_READ_CACHE_KB}")
            self._tuned.add(connection)
        return connection

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """One read transaction for the queries of a document: SQLite takes its lock, looks for a hot journal
        and checks its cache once, not once a query (per 2,000 articles, 8,000 fewer `fcntl` and 4,000 fewer
        `stat` calls), and the document sees the index as of one moment. Another process's refresh commits
        once the document's lookups are done (seconds for a 50 MB file) instead of between two queries."""
        db = self.reader()
        if db.in_transaction:
            yield
            return
        db.execute("BEGIN")
        try:
            yield
        finally:
            if db.in_transaction:
                db.execute("COMMIT")

    def count(self) -> int:
        """How many sources: as counted when the index was last written, if no other version has written it
        since (a new filter's token is the count's: see _store_bloom), else counted (70 ms at a million)."""
        db = self.reader()
        stored = db.execute("SELECT value FROM meta WHERE key = 'sources'").fetchone()
        token = db.execute("SELECT rowid FROM bloom").fetchone()
        if stored and token and stored[0].partition(" ")[2] == str(token[0]):
            return int(stored[0].partition(" ")[0])
        return db.execute("SELECT count(*) FROM sources").fetchone()[0]

    def sources(self, ids: Iterable[int] = ()) -> dict[int, Source]:
        """The sources with these ids (all of them when none are given: for tests and small indexes)."""
        wanted = list(ids)
        query = "SELECT id, display_path, real_path, kind, pack, tokens FROM sources"
        rows = self.reader().execute(query + " WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(wanted),)) \
            if wanted else self.reader().execute(query)
        return {row[0]: Source(row[0], row[1], os.fsdecode(row[2]), *row[3:]) for row in rows}

    def with_token_ids(self, ids: list[int]) -> dict[int, tuple[Source, np.ndarray]]:
        """The sources with these ids and their token ids, in one query (a scanned document's hits)."""
        rows = self.reader().execute(
            "SELECT id, display_path, real_path, kind, pack, tokens, ids FROM sources "
            "WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(ids),))
        return {row[0]: (Source(row[0], row[1], os.fsdecode(row[2]), *row[3:6]),
                         np.frombuffer(row[6], dtype=np.uint32)) for row in rows}

    def token_windows(self, wanted: dict[int, tuple[int, int]]) -> dict[int, np.ndarray]:
        """Token ids ``start``..``end`` (clipped to the source) of each source wanted, in one query, without
        handing over any source's whole list."""
        rows = self.reader().execute(
            "SELECT sources.id, substr(ids, json_extract(value, '$[1]') * 4 + 1, json_extract(value, '$[2]') * 4) "
            "FROM json_each(?) JOIN sources ON sources.id = json_extract(value, '$[0]')",
            (json.dumps([[source_id, start, end - start] for source_id, (start, end) in wanted.items()]),))
        return {source_id: np.frombuffer(ids, dtype=np.uint32) for source_id, ids in rows}

    def source_bytes(self, source: Source) -> tuple[bytes, str | None]:
        """A source's bytes as they are now (its file re-read; a record's as indexed) and its declared charset.
        Raises OSError when the file is gone."""
        if HELD not in source.real_path:
            return _read(source.real_path), None
        row = self.reader().execute("SELECT data, charset FROM held WHERE source = ?", (source.id,)).fetchone()
        if row is None:
            raise FileNotFoundError(source.real_path)
        return row[0], row[1]

    def token_ids(self, source_id: int) -> np.ndarray:
        row = self.reader().execute("SELECT ids FROM sources WHERE id = ?", (source_id,)).fetchone()
        return np.frombuffer(row[0], dtype=np.uint32) if row else np.empty(0, dtype=np.uint32)

    def info(self) -> dict:
        """Counts and settings for `rightscheck index info`."""
        meta = dict(self._db.execute("SELECT key, value FROM meta"))
        count, total_tokens, size = self._db.execute(
            "SELECT count(*), coalesce(sum(tokens), 0), coalesce(sum(size), 0) FROM sources").fetchone()
        fps = int(meta["postings"]) if "postings" in meta else postings.count(self._db)  # kept by every refresh
        per_pack = dict(self._db.execute(
            "SELECT coalesce(pack, '(none)'), count(*) FROM sources GROUP BY pack ORDER BY pack"))
        return {
            "path": self.name, "format": meta.get("format"), "updated": meta.get("updated"),
            "sources": count, "bytes": size, "tokens": total_tokens, "fingerprints": fps, "by_pack": per_pack,
            "shingle_words": fingerprints.K, "window": fingerprints.W, "guaranteed_match_words": fingerprints.GUARANTEE,
        }

    def lookup(self, max_df: int | None = None) -> "Lookup":
        return Lookup(self, max_df)


def build_index(dirs: list[SourceDir], packs: list[Pack], config: Config, path: Path | None = None,
                trust_folders: bool = True, jobs: int = 1) -> tuple[SourceIndex, RefreshStats]:
    """Open the index for ``dirs`` (rebuilding it if stale or broken) and refresh it from the files, as the
    only writer of that index (see :mod:`rightscheck.checks.indexlock`). With ``trust_folders`` (a scan), a big
    index whose source folders have not changed is used as it is (:meth:`SourceIndex.unchanged`)."""
    for source_dir in dirs:
        error = source_dir.missing()
        if error:
            raise error
    chosen = path is not None or config.index is not None
    path = path or default_index_path(dirs, config)
    key = packs_key(packs, dirs, path)
    if path is not None and not chosen and not _writable_folder(path.parent):
        # a read-only cache (a locked-down CI runner): the index, if any, is read into memory and kept there
        index, reason = _read_into_memory(path, key)
        stats = index.refresh(dirs, packs, config, key, jobs)
        stats.in_memory = f"{path.parent} is not writable: the index is kept in memory for this scan"
        return index, stats
    with indexlock.writing(path) if path else contextlib.nullcontext():
        index, reason = open_index(path, key)
        try:
            if reason is None and trust_folders and index.unchanged(key):
                stats = RefreshStats(unchanged=index.count())
            else:
                stats = index.refresh(dirs, packs, config, key, jobs)
            index.keep_bloom_file()
        except (Damaged, sqlite3.DatabaseError) as exc:  # met in an index too big to check whole on open
            index.close()
            reason = str(exc) if isinstance(exc, Damaged) else f"index damaged ({exc})"
            index, _ = open_index(path, key, rebuild=True)
            stats = index.refresh(dirs, packs, config, key, jobs)
    stats.rebuilt = reason
    return index, stats


def _ahead(items: Iterator, pool: ThreadPoolExecutor) -> Iterator:
    """``items``, each one made in ``pool`` while the one before it is used."""
    pending = pool.submit(next, items, None)
    while (item := pending.result()) is not None:
        pending = pool.submit(next, items, None)
        yield item


def _stored_filter(row: tuple[int, int]) -> tuple[int, int]:
    """The (token, size) row of the index's filter; a size no filter has is damage, met as SQLite's own
    would be (an index too big to check on open is trusted until then)."""
    if not Bloom.can_be(row[1]):
        raise sqlite3.DatabaseError("the Bloom filter has the wrong size")
    return row


def _writable_folder(folder: Path) -> bool:
    """Whether ``folder`` exists (created if need be) and this process may write in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def _read_into_memory(path: Path, key: str) -> tuple[SourceIndex, str | None]:
    """The index at ``path`` copied into memory if it is usable, else a new one there."""
    memory = _create(":memory:")
    if path.is_file():
        try:
            stored = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                if _unusable(stored, key) is None:
                    memory.close()
                    memory = sqlite3.connect(":memory:")
                    stored.backup(memory)
                    return SourceIndex(None, memory), None
            finally:
                stored.close()
        except sqlite3.DatabaseError:
            pass
    return SourceIndex(None, memory), "new index"


def attribute(doc: Document, mapped: str | None, packs: list[Pack]) -> tuple[str | None, str | None]:
    """Which pack a source belongs to: the config mapping, else the first pack (by id) whose front matter
    declaration or signals claim it."""
    if mapped:
        return mapped, "config"
    for pack in packs:
        how = carries(doc, pack)
        if how:
            return pack.id, how
    return None, None


def open_index(path: Path | None, key: str, rebuild: bool = False) -> tuple[SourceIndex, str | None]:
    """Open (or create) the index at ``path``, or a new one in memory if None; an unreadable, damaged,
    old-format or stale-pack index is rebuilt.

    Returns the index and, when it is being (re)built, the reason (for a warning). A rebuild writes a
    temporary file beside ``path`` and renames it over the old one only when complete.
    """
    if path is None:
        return SourceIndex(None, _create(":memory:")), "new index"
    reason = "new index"
    if path.is_file() and not rebuild:
        try:
            db = sqlite3.connect(path, timeout=_BUSY_SECONDS)
            reason = _unusable(db, key, path.stat().st_size)
            if reason is None:
                return SourceIndex(path, db), None
            db.close()
        except sqlite3.DatabaseError as exc:
            reason = f"index unreadable ({exc})"
    elif path.exists() and not path.is_file():
        raise RightscheckError("index path is not a file", str(path))
    temporary = indexlock.temporary_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.unlink(missing_ok=True)
        db = _create(temporary)
        # no reader opens the temporary file and a failed rebuild deletes it: a rollback journal, and the
        # syncs of one at every spill of the page cache, buy nothing there (_finish syncs the file once)
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise RightscheckError(f"cannot create the index: {exc}", str(path)) from None
    return SourceIndex(temporary, db, final_path=path), reason


def _create(where: Path | str) -> sqlite3.Connection:
    """A new, empty index database."""
    db = sqlite3.connect(where, timeout=_BUSY_SECONDS)
    db.execute(f"PRAGMA page_size = {_PAGE_SIZE}")
    db.executescript(_SCHEMA)
    db.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
    db.commit()
    return db


def _unusable(db: sqlite3.Connection, key: str, size: int = 0) -> str | None:
    """Why an index must be rebuilt rather than refreshed (old format, other packs, damage), or None."""
    meta = dict(db.execute("SELECT key, value FROM meta"))
    if meta.get("format") != FORMAT:
        return f"index format {meta.get('format')} is not {FORMAT}"
    if meta.get("packs") != key:
        return "rule packs or source mapping changed"
    return _damage(db, size)


def _damage(db: sqlite3.Connection, size: int) -> str | None:
    """What is broken in an index of ``size`` bytes, or None: ``PRAGMA quick_check`` (some 30 ms on a 35 MB
    index) and every row's blob sizes (from the record headers, not the blobs). Above _CHECKED_SIZE both
    would read gigabytes on every scan: such an index is trusted, and damage a query meets is an error."""
    if size > _CHECKED_SIZE:
        return None
    verdict = db.execute("PRAGMA quick_check(1)").fetchone()[0]
    if verdict != "ok":  # "*** in database main ***\nPage 2686: btreeInitPage() returns error code 11"
        return f"index damaged ({verdict.splitlines()[-1]})"
    misshapen = db.execute(_MISSHAPEN).fetchone()
    if misshapen:
        return f"index damaged (the stored words of {misshapen[0]} have the wrong size)"
    if db.execute(postings.MISSHAPEN).fetchone():
        return "index damaged (a block of postings has the wrong size)"
    if any(not Bloom.can_be(size) for (size,) in db.execute("SELECT length(bits) FROM bloom")):
        return "index damaged (the Bloom filter has the wrong size)"
    return None


def read_index(path: Path | None, packs: list[Pack] | None = None) -> SourceIndex:
    """Open an existing index read-only (`index info`, or a scan with ``--index`` and no sources, which
    ``packs`` must be the packs it was built with); a damaged or mismatched one is an error here (it has
    no sources to rebuild from)."""
    if path is None or not path.is_file():
        raise RightscheckError("no index here (build one with `rightscheck index build SOURCES`)",
                               str(path) if path else None)
    db = None
    try:
        db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=_BUSY_SECONDS)
        db.execute("SELECT 1 FROM meta, sources LIMIT 1").fetchall()
        meta = dict(db.execute("SELECT key, value FROM meta"))
        damage = (f"index format {meta.get('format')} is not {FORMAT}" if meta.get("format") != FORMAT
                  else "index built with other rule packs" if packs is not None and meta.get("packset") != packs_digest(packs)
                  else _damage(db, path.stat().st_size))
    except sqlite3.DatabaseError as exc:
        damage = f"cannot read the index ({exc})"
    if damage:
        if db is not None:
            db.close()
        raise RightscheckError(f"{damage}; a scan with its sources or `rightscheck index build` rebuilds it",
                               str(path))
    return SourceIndex(path, db)


class Lookup:
    """The postings of one scanned document's fingerprints, asked of the index per document. A fingerprint
    posted by more than ``limit`` sources is boilerplate (a stock phrase: passim's document-frequency
    cut); its postings are counted only up to the cut, never fetched."""

    def __init__(self, index: SourceIndex, max_df: int | None = None):
        self._index = index
        self.source_count = index.count()
        self.limit = max_df if max_df is not None else df_cut(self.source_count)
        self._bloom: Bloom | None = None
        self._owner = 0  # the process the filter belongs to: a forked worker opens its own
        self._asked = 0

    def _filter(self) -> Bloom | None:
        """This process's Bloom filter: its file mapped, else read from the index where probed for its first
        documents, loaded whole after."""
        if self._owner != os.getpid():
            self._bloom, self._owner, self._asked = self._index.bloom(lazy=True), os.getpid(), 0
        self._asked += 1
        if self._asked == _LOAD_BLOOM_AFTER and isinstance(getattr(self._bloom, "bits", None), _BlobWords):
            self._bloom = self._index.bloom()
        return self._bloom

    def seeds(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(query position, source id, source position) for every posting of a query hash that is not
        boilerplate, and which query hashes are boilerplate."""
        db = self._index.reader()
        signed = query.view(np.int64)
        asked = np.unique(signed)
        bloom = self._filter()
        if bloom is not None:  # most of a document's fingerprints are in no source: no block read
            asked = asked[bloom.may_hold(asked)]
        rows, banal = postings.fetch(db, asked, self.limit) if len(asked) else \
            (np.empty(0, dtype=postings.ROW), np.empty(0, dtype=np.int64))
        left = np.searchsorted(rows["hash"], signed, "left")
        stock = np.isin(signed, banal) if len(banal) else np.zeros(len(signed), dtype=bool)
        counts_at = np.where(stock, 0, np.searchsorted(rows["hash"], signed, "right") - left)
        qpos = np.repeat(np.arange(len(signed)), counts_at)
        offsets = np.arange(len(qpos)) - np.repeat(np.cumsum(counts_at) - counts_at, counts_at)
        index = np.repeat(left, counts_at) + offsets
        return qpos, rows["source"][index].astype(np.int64), rows["pos"][index].astype(np.int64), stock


def df_cut(sources: int) -> int:
    """How many sources may post a fingerprint before it counts as boilerplate. Winnowing keeps a shingle
    in only some of the texts that hold it, and a wire archive holds a handful of versions of each story:
    hence a floor of 20 sources, and 1 in 500 beyond that."""
    return max(20, sources // 500)

