"""The on-disk index of source texts (SQLite) and its in-memory lookup table.

One row per source file: its content hash, the pack it is attributed to, its token
count and its winnowed fingerprints (hashes and token positions as numpy blobs).
A refresh re-fingerprints only files whose content hash changed. A scan loads every
fingerprint once into sorted arrays, so each scanned document costs one vectorised
binary search instead of a query per shingle.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np

from rightscheck import fingerprints, indexlock, tokens
from rightscheck.attribution import carries
from rightscheck.config import Config, SourceDir
from rightscheck.discovery import Candidate, Skipped, discover
from rightscheck.documents import Document, SkipFile, parse
from rightscheck.errors import RightscheckError
from rightscheck.packs import Pack
from rightscheck.prefilter import Prefilter
from rightscheck.usercache import cache_dir

INDEX_NAME = "index.sqlite"
_BITMAP_SIZE = 1 << 24
_BITMAP_MASK = np.uint64(_BITMAP_SIZE - 1)
_BITMAP_SHIFTS = (np.uint64(0), np.uint64(32))
FORMAT = f"3/t{tokens.TOKENIZER_VERSION}/k{fingerprints.K}/w{fingerprints.W}"
_BUSY_SECONDS = 120.0  # how long a reader waits for another process's commit (and it for the reader)
# A row whose blobs cannot be what _store wrote: numpy would refuse them, or the lookup would misread them.
_MISSHAPEN = """
SELECT display_path FROM sources
WHERE typeof(ids) != 'blob' OR typeof(hashes) != 'blob' OR typeof(positions) != 'blob'
   OR typeof(tokens) != 'integer' OR typeof(real_path) NOT IN ('blob', 'text')
   OR length(ids) != 4 * tokens OR length(positions) % 4 != 0 OR length(hashes) != 2 * length(positions)
LIMIT 1
"""
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
    ids BLOB NOT NULL,
    hashes BLOB NOT NULL,
    positions BLOB NOT NULL
);
"""


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


def packs_key(packs: Iterable[Pack], dirs: Iterable[SourceDir], index_path: Path | None) -> str:
    """Changes whenever the packs or the folder-to-pack mapping change (source attribution depends on both);
    folders count relative to the index, so a moved checkout keeps its index."""
    digest = hashlib.blake2b(digest_size=16)
    for pack in packs:
        digest.update(f"{pack.id}={pack.digest}\0".encode())
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


class SourceIndex:
    """An open index file (``path`` None: in memory). Use :func:`open_index` to get one (it handles old or
    corrupt files)."""

    def __init__(self, path: Path | None, connection: sqlite3.Connection, final_path: Path | None = None):
        self.path = path
        self._db = connection
        self._final_path = final_path  # set while a rebuild writes a temporary file

    @property
    def name(self) -> str:
        """The index file, for messages."""
        return str(self._final_path or self.path or "(in memory: the first sources path is no folder or file)")

    # -- writing -----------------------------------------------------------------------------------
    def refresh(self, dirs: list[SourceDir], packs: list[Pack], config: Config, key: str) -> RefreshStats:
        """Bring the index in line with the files under ``dirs``. A file whose size and modification time
        are unchanged is not read; one whose content hash is unchanged is not re-fingerprinted; an index
        with nothing to change is not written to."""
        started = time.perf_counter()
        stats = RefreshStats()
        try:
            known = {os.fsdecode(row[0]): _Known(*row[1:]) for row in self._db.execute(
                "SELECT real_path, id, digest, size, mtime_ns, display_path FROM sources")}
            entries = self._survey(dirs, config, stats, known)
            meta = dict(self._db.execute("SELECT key, value FROM meta"))
            prefilter = Prefilter(packs)
            with self._db:
                for item, real, digest, mapped in entries:
                    existing = known.get(real)
                    if existing and existing.digest == digest:
                        stats.unchanged += 1
                        if (existing.display, existing.mtime_ns) != (item.path, item.mtime_ns):
                            self._db.execute("UPDATE sources SET display_path = ?, mtime_ns = ? WHERE id = ?",
                                             (item.path, item.mtime_ns, existing.id))
                        continue
                    try:
                        with open(item.fs_path, "rb") as handle:
                            data = handle.read()
                        doc = parse(item.path, data, item.kind)
                    except (OSError, SkipFile) as exc:
                        stats.skipped.append(Skipped(item.path, str(exc)))
                        continue
                    prefilter.apply(doc)
                    self._store(real, item, doc, digest, attribute(doc, mapped, packs), existing)
                    stats.bytes_indexed += len(data)
                    stats.updated += bool(existing)
                    stats.added += not existing
                current = {real for _, real, _, _ in entries}
                gone = [(known[real].id,) for real in known if real not in current]
                self._db.executemany("DELETE FROM sources WHERE id = ?", gone)
                stats.removed = len(gone)
                if stats.added or stats.updated or stats.removed or meta.get("packs") != key:
                    self._db.execute("INSERT OR REPLACE INTO meta VALUES ('packs', ?)", (key,))
                    self._db.execute("INSERT OR REPLACE INTO meta VALUES ('updated', ?)",
                                     (time.strftime("%Y-%m-%dT%H:%M:%S"),))
            self._finish()
        except sqlite3.Error as exc:
            self._abandon()
            raise RightscheckError(f"cannot write the index: {exc}", self.name) from None
        except BaseException:
            self._abandon()
            raise
        stats.seconds = time.perf_counter() - started
        return stats

    @staticmethod
    def _survey(dirs: list[SourceDir], config: Config, stats: RefreshStats, known: dict[str, _Known]) -> list[tuple]:
        """Every source file once with its content hash (taken from the index when size and modification
        time are unchanged); of files with identical content only the first is kept."""
        entries, seen, by_digest = [], set(), {}
        for source_dir in dirs:
            for item in discover([source_dir.path], config, ignore=False):  # an archive, named on purpose
                if isinstance(item, Skipped):
                    stats.skipped.append(item)
                    continue
                real = os.path.realpath(item.fs_path)
                if real in seen:
                    continue
                seen.add(real)
                old = known.get(real)
                if old and (old.size, old.mtime_ns) == (item.size, item.mtime_ns):
                    digest = old.digest
                else:
                    try:
                        digest = hashlib.blake2b(Path(item.fs_path).read_bytes(), digest_size=16).hexdigest()
                    except OSError as exc:
                        stats.skipped.append(Skipped(item.path, f"cannot read: {exc.strerror or exc}"))
                        continue
                if digest in by_digest:
                    stats.duplicates.append((item.path, by_digest[digest]))
                    continue
                by_digest[digest] = item.path
                entries.append((item, real, digest, source_dir.pack))
        return entries

    def _store(self, real: str, item: Candidate, doc: Document, digest: str,
               attribution: tuple[str | None, str | None], existing: _Known | None) -> None:
        ids = tokens.tokenize(doc.text).ids
        hashes, positions = fingerprints.fingerprint(ids)
        row = (os.fsencode(real), item.path, item.kind, digest, item.size, item.mtime_ns, *attribution, len(ids),
               ids.tobytes(), hashes.tobytes(), positions.tobytes())
        if existing:
            self._db.execute(
                "UPDATE sources SET real_path=?, display_path=?, kind=?, digest=?, size=?, mtime_ns=?, pack=?, "
                "attributed_by=?, tokens=?, ids=?, hashes=?, positions=? WHERE id=?", (*row, existing.id))
        else:
            self._db.execute(
                "INSERT INTO sources (real_path, display_path, kind, digest, size, mtime_ns, pack, attributed_by, "
                "tokens, ids, hashes, positions) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", row)

    def _finish(self) -> None:
        """After a rebuild, move the finished temporary file over the old index in one rename."""
        if self._final_path is not None:
            self._db.close()
            try:
                os.replace(self.path, self._final_path)
            except OSError as exc:
                self.path.unlink(missing_ok=True)
                raise RightscheckError(f"cannot write the index: {exc.strerror}", str(self._final_path)) from None
            self.path, self._final_path = self._final_path, None
            self._db = sqlite3.connect(self.path, timeout=_BUSY_SECONDS)

    def _abandon(self) -> None:
        """A failed rebuild leaves no temporary file behind."""
        if self._final_path is not None:
            self._db.close()
            self.path.unlink(missing_ok=True)

    def close(self) -> None:
        self._db.close()

    # -- reading -----------------------------------------------------------------------------------
    def sources(self) -> dict[int, Source]:
        rows = self._db.execute("SELECT id, display_path, real_path, kind, pack, tokens FROM sources")
        return {row[0]: Source(row[0], row[1], os.fsdecode(row[2]), *row[3:]) for row in rows}

    def all_token_ids(self) -> tuple[np.ndarray, dict[int, tuple[int, int]]]:
        """Every source's token ids in one array, and where each source's run starts and how long it is."""
        rows = self._db.execute("SELECT id, ids FROM sources ORDER BY id").fetchall()
        arrays = [np.frombuffer(blob, dtype=np.uint32) for _, blob in rows]
        where, start = {}, 0
        for (source_id, _), array in zip(rows, arrays):
            where[source_id] = (start, len(array))
            start += len(array)
        return (np.concatenate(arrays) if arrays else np.empty(0, dtype=np.uint32)), where

    def info(self) -> dict:
        """Counts and settings for `rightscheck index info`."""
        meta = dict(self._db.execute("SELECT key, value FROM meta"))
        count, total_tokens, size, fps = self._db.execute(
            "SELECT count(*), coalesce(sum(tokens), 0), coalesce(sum(size), 0), "
            "coalesce(sum(length(positions)) / 4, 0) FROM sources").fetchone()
        per_pack = dict(self._db.execute(
            "SELECT coalesce(pack, '(none)'), count(*) FROM sources GROUP BY pack ORDER BY pack"))
        return {
            "path": self.name, "format": meta.get("format"), "updated": meta.get("updated"),
            "sources": count, "bytes": size, "tokens": total_tokens, "fingerprints": fps, "by_pack": per_pack,
            "shingle_words": fingerprints.K, "window": fingerprints.W, "guaranteed_match_words": fingerprints.GUARANTEE,
        }

    def lookup(self, max_df: int | None = None) -> "Lookup":
        rows = self._db.execute("SELECT id, hashes, positions FROM sources").fetchall()
        return Lookup(rows, max_df)


def build_index(dirs: list[SourceDir], packs: list[Pack], config: Config,
                path: Path | None = None) -> tuple[SourceIndex, RefreshStats]:
    """Open the index for ``dirs`` (rebuilding it if stale or broken) and refresh it from the files, as the
    only writer of that index (see :mod:`rightscheck.indexlock`)."""
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
        stats = index.refresh(dirs, packs, config, key)
        stats.in_memory = f"{path.parent} is not writable: the index is kept in memory for this scan"
        return index, stats
    with indexlock.writing(path) if path else contextlib.nullcontext():
        index, reason = open_index(path, key)
        stats = index.refresh(dirs, packs, config, key)
    stats.rebuilt = reason
    return index, stats


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


def open_index(path: Path | None, key: str) -> tuple[SourceIndex, str | None]:
    """Open (or create) the index at ``path``, or a new one in memory if None; an unreadable, damaged,
    old-format or stale-pack index is rebuilt.

    Returns the index and, when it is being (re)built, the reason (for a warning). A rebuild writes a
    temporary file beside ``path`` and renames it over the old one only when complete.
    """
    if path is None:
        return SourceIndex(None, _create(":memory:")), "new index"
    reason = "new index"
    if path.is_file():
        try:
            db = sqlite3.connect(path, timeout=_BUSY_SECONDS)
            reason = _unusable(db, key)
            if reason is None:
                return SourceIndex(path, db), None
            db.close()
        except sqlite3.DatabaseError as exc:
            reason = f"index unreadable ({exc})"
    elif path.exists():
        raise RightscheckError("index path is not a file", str(path))
    temporary = indexlock.temporary_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.unlink(missing_ok=True)
        db = _create(temporary)
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise RightscheckError(f"cannot create the index: {exc}", str(path)) from None
    return SourceIndex(temporary, db, final_path=path), reason


def _create(where: Path | str) -> sqlite3.Connection:
    """A new, empty index database."""
    db = sqlite3.connect(where, timeout=_BUSY_SECONDS)
    db.executescript(_SCHEMA)
    db.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
    db.commit()
    return db


def _unusable(db: sqlite3.Connection, key: str) -> str | None:
    """Why an index must be rebuilt rather than refreshed (old format, other packs, damage), or None."""
    meta = dict(db.execute("SELECT key, value FROM meta"))
    if meta.get("format") != FORMAT:
        return f"index format {meta.get('format')} is not {FORMAT}"
    if meta.get("packs") != key:
        return "rule packs or source mapping changed"
    return _damage(db)


def _damage(db: sqlite3.Connection) -> str | None:
    """What is broken in an index, or None: ``PRAGMA quick_check`` (some 30 ms on a 35 MB index, which a
    scan reads whole anyway) and every row's blob sizes (from the record headers, not the blobs)."""
    verdict = db.execute("PRAGMA quick_check(1)").fetchone()[0]
    if verdict != "ok":  # "*** in database main ***\nPage 2686: btreeInitPage() returns error code 11"
        return f"index damaged ({verdict.splitlines()[-1]})"
    misshapen = db.execute(_MISSHAPEN).fetchone()
    if misshapen:
        return f"index damaged (the stored fingerprints of {misshapen[0]} have the wrong size)"
    return None


def read_index(path: Path | None) -> SourceIndex:
    """Open an existing index read-only for `index info`; a damaged one is an error here (it has no
    sources to rebuild from)."""
    if path is None or not path.is_file():
        raise RightscheckError("no index here (build one with `rightscheck index build SOURCES`)",
                               str(path) if path else None)
    db = None
    try:
        db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=_BUSY_SECONDS)
        db.execute("SELECT 1 FROM meta, sources LIMIT 1").fetchall()
        damage = _damage(db)
    except sqlite3.DatabaseError as exc:
        damage = f"cannot read the index ({exc})"
    if damage:
        if db is not None:
            db.close()
        raise RightscheckError(f"{damage}; a scan with its sources or `rightscheck index build` rebuilds it",
                               str(path))
    return SourceIndex(path, db)


class Lookup:
    """All fingerprints sorted by hash, with an index of distinct hashes (``keys``, each one's first row in
    ``first``); fingerprints kept in more than ``max_df`` sources are boilerplate and set apart."""

    def __init__(self, rows: list[tuple[int, bytes, bytes]], max_df: int | None = None):
        self.source_count = len(rows)
        hashes = np.concatenate([np.frombuffer(r[1], dtype=np.uint64) for r in rows] or [np.empty(0, np.uint64)])
        positions = np.concatenate([np.frombuffer(r[2], dtype=np.uint32) for r in rows] or [np.empty(0, np.uint32)])
        sids = np.concatenate([np.full(len(r[2]) // 4, r[0], dtype=np.uint32) for r in rows]
                              or [np.empty(0, np.uint32)])
        order = np.lexsort((sids, hashes))
        hashes, sids, positions = hashes[order], sids[order], positions[order]
        # A shingle kept (by winnowing) in more sources than this is a stock phrase. Kept-counts understate
        # how common a shingle is, and wire archives hold a handful of versions of each story: hence a floor
        # of 20 sources and 1 in 500 beyond that.
        limit = max_df if max_df is not None else max(20, self.source_count // 500)
        # document frequency: distinct sources per hash (pairs are sorted by hash, then source)
        new_pair = np.ones(len(hashes), dtype=bool)
        new_pair[1:] = (hashes[1:] != hashes[:-1]) | (sids[1:] != sids[:-1])
        keys, starts = np.unique(hashes, return_index=True)
        df = np.add.reduceat(new_pair.astype(np.int64), starts) if len(keys) else np.empty(0, np.int64)
        self.banal = keys[df > limit]
        keep = ~np.isin(hashes, self.banal)
        self.sids, self.positions = sids[keep], positions[keep]
        self.keys, starts = np.unique(hashes[keep], return_index=True)
        self.first = np.append(starts, keep.sum()).astype(np.int64)
        self.boilerplate = len(self.banal)
        # two bitmaps over different hash bits (a two-probe Bloom filter) rule out most query shingles
        # before any binary search
        self.bitmaps = np.zeros((2, _BITMAP_SIZE), dtype=bool)
        for row, shift in enumerate(_BITMAP_SHIFTS):
            self.bitmaps[row, ((self.keys >> shift) & _BITMAP_MASK).astype(np.int64)] = True

    def banal_mask(self, query: np.ndarray) -> np.ndarray:
        """Which query shingles are boilerplate (kept in more than max_df sources)."""
        return _member(self.banal, query) if len(self.banal) else np.zeros(len(query), dtype=bool)

    def seeds(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(query position, source id, source position) for every query hash found in the index."""
        maybe = np.flatnonzero(self.bitmaps[0, (query & _BITMAP_MASK).astype(np.int64)]
                               & self.bitmaps[1, ((query >> _BITMAP_SHIFTS[1]) & _BITMAP_MASK).astype(np.int64)])
        at = np.searchsorted(self.keys, query[maybe])
        found = at < len(self.keys)
        found[found] = self.keys[at[found]] == query[maybe[found]]
        hit, at = maybe[found], at[found]
        left = self.first[at]
        counts = self.first[at + 1] - left
        qpos = np.repeat(hit, counts)
        offsets = np.arange(len(qpos)) - np.repeat(np.cumsum(counts) - counts, counts)
        index = np.repeat(left, counts) + offsets
        return qpos, self.sids[index].astype(np.int64), self.positions[index].astype(np.int64)


def _member(sorted_values: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Vectorised membership test against a sorted array."""
    at = np.searchsorted(sorted_values, query)
    inside = at < len(sorted_values)
    result = np.zeros(len(query), dtype=bool)
    result[inside] = sorted_values[at[inside]] == query[inside]
    return result
