"""An index's postings (fingerprint hash, source, position), stored as blocks of sorted rows.

A million sources post 181 M fingerprints. As a B-tree row each, filling the index cost a build 1.3-1.7 µs
a posting (263 s of a 618 s build) and grew faster than the archive; as blocks of about 240 rows
(3.8 KB), written from numpy arrays, the rows are bytes copied. A block holds whole runs of one hash
and is keyed by the least hash it may hold: the blocks' keys split the hash range, so a hash's postings
are in the block with the greatest key not above it, one B-tree seek away."""

from __future__ import annotations

import json
import sqlite3
from typing import Iterator

import numpy as np

ROW = np.dtype([("hash", "<i8"), ("source", "<i4"), ("pos", "<i4")])  # a block's bytes are its rows
_VALUE = np.dtype((np.void, ROW.itemsize))  # a row as one value: compared whole, and copied 20x faster than
# numpy copies rows of fields, a field at a time (6 against 124 µs for 16,000 rows)
LEAST = -(1 << 63)  # the first block's key: every hash has a block once one is written
BLOCK = 240  # rows a block is cut to: 16 bytes each, two blocks to an 8 KiB page
_SPLIT = 4 * BLOCK  # a block a refresh grows past this is cut again
_PIECE = 1 << 14  # rows in_order sorts at a time, about: a quarter of a MiB, within a core's cache
ALONE = 20  # a run of more rows than this gets a block of its own, so that a scan's stock-phrase cut (never
# below 20 sources: sourceindex.df_cut) reads the run's count, not its rows

TABLE = """
CREATE TABLE postings (
    low INTEGER PRIMARY KEY,  -- the least hash (its 64 bits read as signed) the block may hold
    count INTEGER NOT NULL,   -- rows in the block
    single INTEGER,           -- its one hash, when it holds one only: a stock phrase's count read without its rows
    data BLOB NOT NULL        -- count rows of ROW, in (hash, source, position) order
);
"""
MISSHAPEN = f"SELECT low FROM postings WHERE typeof(data) != 'blob' OR length(data) != {ROW.itemsize} * count LIMIT 1"


def rows_of(source_id: int, hashes: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """One source's postings as rows."""
    rows = np.empty(len(hashes), dtype=ROW)
    rows["hash"], rows["source"], rows["pos"] = hashes.view(np.int64), source_id, positions
    return rows


def joined(parts: list[np.ndarray]) -> np.ndarray:
    """Row arrays end to end, copied as values (see _VALUE)."""
    return np.concatenate([_whole(part) for part in parts]).view(ROW) if parts else np.empty(0, dtype=ROW)


def in_order(rows: np.ndarray) -> np.ndarray:
    """``rows`` sorted by (hash, source, position). Many rows are first split by hash range, linearly, and
    sorted a range at a time: one sort of a million-source build's biggest spill bucket (2.3 M rows; winnowed
    hashes crowd the low end) missed the cache at every step, 130 ns a row against 60 for 70,000 rows."""
    if len(rows) <= 2 * _PIECE:
        return _sorted(rows)
    offsets = rows["hash"].view(np.uint64) - np.uint64(int(rows["hash"].min()) % (1 << 64))  # from the least
    bits = min(16, (len(rows) // _PIECE).bit_length())
    key = (offsets >> np.uint64(max(int(offsets.max()).bit_length() - bits, 0))).astype(np.uint16)
    rows = rows[np.argsort(key, kind="stable")]  # a radix sort: the pieces in hash order, rows kept in order
    bounds = np.cumsum(np.bincount(key, minlength=1 << bits)).tolist()
    values = rows.view(_VALUE)  # written through, as values
    for start, end in zip([0] + bounds[:-1], bounds):
        if end - start > 1:
            values[start:end] = _sorted(rows[start:end]).view(_VALUE)
    return rows


def _sorted(rows: np.ndarray) -> np.ndarray:
    """Most hashes are posted once: the rows are sorted by hash alone, and only the runs of a repeated hash
    by all three keys. A piece far bigger than in_order cuts is a long run of one hash (a line every source
    carries), whose equal keys quicksort meets at every level: it is sorted stably instead."""
    if len(rows) > 4 * _PIECE:
        return _stably_sorted(rows)
    rows = rows[np.argsort(rows["hash"])]
    repeated = np.flatnonzero(rows["hash"][1:] == rows["hash"][:-1])
    if len(repeated):
        runs = np.zeros(len(rows), dtype=bool)  # contiguous per hash, so sorting them in place keeps the runs
        runs[repeated], runs[repeated + 1] = True, True
        part = rows[runs]
        rows.view(_VALUE)[runs] = part[np.lexsort((part["pos"], part["source"], part["hash"]))].view(_VALUE)
    return rows


def _stably_sorted(rows: np.ndarray) -> np.ndarray:
    """``rows`` by hash, stably, once they are in (source, position) order, as a build spills them: a
    million-row run of one hash in 14 ms against 226 ms for quicksort and lexsort."""
    within = rows["source"].astype(np.int64) * (1 << 32) + (rows["pos"].astype(np.int64) - np.iinfo(np.int32).min)
    if np.any(within[1:] < within[:-1]):
        rows = rows[np.argsort(within, kind="stable")]
    return rows[np.argsort(rows["hash"], kind="stable")]


def _rows(data: bytes) -> np.ndarray:
    """A block's rows; bytes that cannot be rows are damage, met as SQLite's own would be (an index too big
    to check on open is trusted until a query meets it)."""
    if len(data) % ROW.itemsize:
        raise sqlite3.DatabaseError("a block of postings has the wrong size")
    return np.frombuffer(data, dtype=ROW)


def count(db: sqlite3.Connection) -> int:
    return db.execute("SELECT coalesce(sum(count), 0) FROM postings").fetchone()[0]


def hashes(db: sqlite3.Connection, batch: int = 4096) -> Iterator[np.ndarray]:
    """Every posted hash, ``batch`` blocks at a time."""
    cursor = db.execute("SELECT data FROM postings")
    while blocks := cursor.fetchmany(batch):
        yield _rows(b"".join(data for (data,) in blocks))["hash"]


def every_row(db: sqlite3.Connection) -> np.ndarray:
    """All postings (for tests and small indexes)."""
    return joined([_rows(data) for (data,) in db.execute("SELECT data FROM postings ORDER BY low")])


def _cuts(rows: np.ndarray, size: int) -> np.ndarray:
    """Where to cut sorted ``rows`` into blocks of about ``size`` rows: at the first change of hash at or
    after each multiple of ``size`` (a run of one hash is never cut), and on both sides of a run longer than
    ALONE. A stock phrase's run that began inside a block would otherwise share it, and every scan that
    meets the phrase would read its thousands of rows (15 of the 19 M rows 2,000 articles read at a
    million sources)."""
    changes = np.flatnonzero(rows["hash"][1:] != rows["hash"][:-1]) + 1
    at = np.searchsorted(changes, np.arange(size, len(rows), size))
    edges = np.concatenate(([0], changes, [len(rows)]))
    long = np.flatnonzero(np.diff(edges) > ALONE)
    return np.unique(np.concatenate((edges[:1], changes[at[at < len(changes)]], edges[long], edges[long + 1],
                                     edges[-1:])))


def _blocks(rows: np.ndarray, low: int | None, size: int) -> Iterator[tuple[int, int, int | None, bytes]]:
    """Table rows for sorted ``rows`` cut into blocks of about ``size``: the first keyed ``low`` (None: its
    first hash)."""
    bounds = _cuts(rows, size)
    hashes, data = rows["hash"], rows.tobytes()
    firsts, lasts = hashes[bounds[:-1]].tolist(), hashes[bounds[1:] - 1].tolist()
    for start, end, first, last in zip(bounds[:-1].tolist(), bounds[1:].tolist(), firsts, lasts):
        yield (first if low is None else low), end - start, (first if first == last else None), \
            data[start * ROW.itemsize:end * ROW.itemsize]
        low = None


class Writer:
    """Brings the postings table in line with sorted additions and removals, handed over a part of the hash
    range at a time and in hash order (see :mod:`spill`). Into a table that was empty, blocks are appended;
    into others, each block a change falls in is read, changed and written back (cut again once it
    outgrows _SPLIT)."""

    def __init__(self, db: sqlite3.Connection):
        self._db = db
        self._appending = db.execute("SELECT 1 FROM postings LIMIT 1").fetchone() is None
        self._first = True

    def apply(self, added: np.ndarray, removed: np.ndarray) -> None:
        if self._appending and not len(removed):
            if len(added):
                self._db.executemany("INSERT INTO postings VALUES (?, ?, ?, ?)",
                                     _blocks(added, LEAST if self._first else None, BLOCK))
                self._first = False
            return
        self._appending = False
        changed = np.unique(np.concatenate((added["hash"], removed["hash"])))
        if not len(changed):
            return
        lows = self._lows(changed)
        at_added, at_removed = (lows[np.searchsorted(changed, rows["hash"])] for rows in (added, removed))
        touched = np.unique(lows)
        stored = dict(self._db.execute("SELECT low, data FROM postings WHERE low IN (SELECT value FROM json_each(?))",
                                       (json.dumps(touched.tolist()),)))
        # both are in hash order, so each block's share is one slice
        added_at, removed_at = ((np.searchsorted(at, touched, "left").tolist(),
                                 np.searchsorted(at, touched, "right").tolist()) for at in (at_added, at_removed))
        for low, a, b, c, d in zip(touched.tolist(), *added_at, *removed_at):
            rows = _rows(stored.get(low, b""))
            if d > c:  # the whole row: a rewritten source may post another hash at the same place
                rows = rows[~np.isin(_whole(rows), _whole(removed[c:d]))]
            self._write(low, in_order(joined([rows, added[a:b]])))

    def _lows(self, hashes: np.ndarray) -> np.ndarray:
        """The key of the block each of the sorted, distinct ``hashes`` belongs in (LEAST while there is none)."""
        found = self._db.execute(
            "SELECT coalesce((SELECT low FROM postings WHERE low <= value ORDER BY low DESC LIMIT 1), ?) "
            "FROM json_each(?)", (LEAST, json.dumps(hashes.tolist()))).fetchall()
        return np.array(found, dtype=np.int64).reshape(-1)

    def _write(self, low: int, rows: np.ndarray) -> None:
        self._db.execute("DELETE FROM postings WHERE low = ?", (low,))
        if not len(rows):  # its range falls to the block before; the first block stays, empty
            if low == LEAST:
                self._db.execute("INSERT INTO postings VALUES (?, 0, NULL, x'')", (low,))
            return
        self._db.executemany("INSERT INTO postings VALUES (?, ?, ?, ?)",
                             _blocks(rows, low, BLOCK if len(rows) > _SPLIT else len(rows)))


def _whole(rows: np.ndarray) -> np.ndarray:
    """Each row as one value (see _VALUE), for set operations and copies."""
    return np.ascontiguousarray(rows).view(_VALUE).ravel()


def fetch(db: sqlite3.Connection, asked: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows holding the postings of the sorted, distinct ``asked`` hashes (and others of their blocks), in
    hash order, and the hashes that are boilerplate (posted more than ``limit`` times: their rows are not
    to be used), every such asked hash among them. A block of one stock phrase is counted, not read."""
    blocks = db.execute(
        "SELECT single, CASE WHEN single IS NOT NULL AND count > ? THEN NULL ELSE data END FROM postings "
        "WHERE low IN (SELECT (SELECT low FROM postings WHERE low <= value ORDER BY low DESC LIMIT 1) "
        "FROM json_each(?)) ORDER BY low", (limit, json.dumps(asked.tolist()))).fetchall()
    rows = _rows(b"".join(data for _, data in blocks if data is not None))
    posted = np.searchsorted(rows["hash"], asked, "right") - np.searchsorted(rows["hash"], asked, "left")
    banal = asked[posted > limit]
    stock = [single for single, data in blocks if data is None]
    return rows, np.concatenate((banal, np.array(stock, dtype=np.int64))) if stock else banal
