"""The postings table's blocks: what a sequence of refreshes leaves there, and what a scan reads back."""

import sqlite3
from collections import Counter

import numpy as np
import pytest

from rightscheck.checks import postings


def _table() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.executescript(postings.TABLE)
    return db


def _apply(db, added, removed) -> None:
    """As a refresh hands them over: spilled, then a part of the hash range at a time, in order."""
    from rightscheck.checks.spill import SpilledPostings

    spilled = SpilledPostings(), SpilledPostings()
    for spill, triples in zip(spilled, (added, removed)):
        for source in sorted({s for _, s, _ in triples}):
            mine = sorted((p, h) for h, s, p in triples if s == source)
            spill.add(source, np.array([h for _, h in mine], dtype=np.int64).view(np.uint64),
                      np.array([p for p, _ in mine], dtype=np.int32))
    writer = postings.Writer(db)
    for add, remove in zip(*(spill.sorted_buckets() for spill in spilled)):
        writer.apply(add, remove)


@pytest.mark.parametrize("seed", range(6))
def test_blocks_hold_exactly_the_postings_added_and_not_removed(monkeypatch, seed):
    monkeypatch.setattr(postings, "BLOCK", 4)
    monkeypatch.setattr(postings, "_SPLIT", 9)
    monkeypatch.setattr(postings, "ALONE", 3)
    rng = np.random.default_rng(seed)
    pool = [-2**63, 2**63 - 1, -1, 0, 5] + rng.integers(-2**63, 2**63 - 1, 40).tolist()  # few hashes: long runs
    db, held, next_source = _table(), set(), 1
    for _ in range(8):  # a new index, then refreshes adding sources, removing others and rewriting some
        added = {(int(rng.choice(pool)), next_source + k, int(p)) for k in range(int(rng.integers(1, 6)))
                 for p in rng.choice(300, size=int(rng.integers(1, 30)), replace=False)}
        next_source += 6
        gone = {s for s in {s for _, s, _ in held} if rng.random() < 0.3}
        removed = {t for t in held if t[1] in gone}
        for source in sorted(gone)[::2]:  # rewritten under the same id: other hashes at its old places
            added |= {(int(rng.choice(pool)), source, p) for _, s, p in removed if s == source}
        _apply(db, added, removed)
        held = (held - removed) | added
        stored = postings.every_row(db)
        assert list(zip(*(stored[key].tolist() for key in ("hash", "source", "pos")))) == sorted(held)
        lows = [low for (low,) in db.execute("SELECT low FROM postings ORDER BY low")]
        assert lows[0] == postings.LEAST
        for low, count, single, data in db.execute("SELECT * FROM postings"):
            block = np.frombuffer(data, dtype=postings.ROW)
            assert len(block) == count and (block["hash"] >= low).all()
            assert single == (int(block["hash"][0]) if count and len(set(block["hash"].tolist())) == 1 else None)
        runs = Counter(h for h, _, _ in held)
        alone = {single for (single,) in db.execute("SELECT single FROM postings WHERE single IS NOT NULL")}
        assert {h for h, n in runs.items() if n > 3} <= alone  # a long run's count is read without its rows
        following = dict(zip(lows, lows[1:] + [None]))
        for low, data in db.execute("SELECT low, data FROM postings"):  # below the next block's key
            block = np.frombuffer(data, dtype=postings.ROW)
            assert following[low] is None or (block["hash"] < following[low]).all()


def test_a_scan_reads_the_postings_it_asks_for_and_counts_a_stock_phrase_without_reading_it(monkeypatch):
    monkeypatch.setattr(postings, "BLOCK", 4)
    stock, rare, other = 10, 20, 30
    added = {(stock, s, 1) for s in range(1, 13)} | {(rare, 3, 7), (rare, 4, 9), (other, 5, 2)}
    db = _table()
    _apply(db, added, set())
    assert db.execute("SELECT count FROM postings WHERE single = ?", (stock,)).fetchone() == (12,)
    rows, banal = postings.fetch(db, np.array([stock, rare, 25]), limit=5)
    assert banal.tolist() == [stock]
    assert sorted(zip(rows["hash"].tolist(), rows["source"].tolist(), rows["pos"].tolist())) == \
        [(rare, 3, 7), (rare, 4, 9), (other, 5, 2)]  # the rest of the asked hashes' blocks comes along
    rows, banal = postings.fetch(db, np.array([stock]), limit=20)
    assert banal.tolist() == [] and len(rows) == 12


def test_a_stock_phrase_met_inside_a_block_still_gets_a_block_of_its_own():
    """The stock run starts in the middle of the first block: it is cut out of it, and a scan asking for the
    hashes before it reads theirs only."""
    before = [(h, 1, h) for h in range(1, 6)]
    stock = 9
    added = set(before) | {(stock, s, 4) for s in range(2, 2 + postings.ALONE + 1)} | {(12, 3, 3)}
    db = _table()
    _apply(db, added, set())
    assert db.execute("SELECT count FROM postings WHERE single = ?", (stock,)).fetchone() == (postings.ALONE + 1,)
    rows, banal = postings.fetch(db, np.array([2, stock]), limit=postings.ALONE)
    assert banal.tolist() == [stock]
    assert stock not in rows["hash"].tolist() and 2 in rows["hash"].tolist()


def test_an_index_refreshed_step_by_step_posts_what_a_new_build_posts(write, tmp_path):
    """Sources added (past the Bloom filter's capacity), rewritten and removed over three refreshes: the
    postings left are those of a new build of the same files, and the filter holds every one."""
    from rightscheck.checks.sourceindex import build_index
    from rightscheck.config import Config, SourceDir
    from rightscheck.packs.pack import load_packs

    rng = np.random.default_rng(7)
    words = [f"w{n}" for n in range(400)]

    def dispatch(n: int) -> str:
        return f"Lima, Jan {n % 28 + 1} (AFP) - " + " ".join(rng.choice(words, 120)) + ".\n"

    def posted(index) -> list[tuple[int, str, int]]:
        paths = {source.id: source.path for source in index.sources().values()}
        rows = postings.every_row(index.reader())
        return sorted(zip(rows["hash"].tolist(), (paths[s] for s in rows["source"].tolist()), rows["pos"].tolist()))

    packs = load_packs()
    steps = [(range(20), (), ()), (range(20, 400), (3, 4, 5), (6, 7)), (range(400, 410), (30, 31), range(40, 140))]
    capacities = []
    for added, rewritten, removed in steps:
        for n in [*added, *rewritten]:
            write(f"wire/d{n:03d}.txt", dispatch(n))
        for n in removed:
            (tmp_path / f"wire/d{n:03d}.txt").unlink()
        config = Config(sources=[SourceDir(str(tmp_path / "wire"))], index=tmp_path / "step.sqlite")
        index, _ = build_index(config.sources, packs, config)
        stepped = posted(index)
        assert index.bloom().may_hold(np.array([h for h, _, _ in stepped], dtype=np.int64)).all()
        capacities.append(index.bloom().capacity)
        index.close()
    fresh = Config(sources=[SourceDir(str(tmp_path / "wire"))], index=tmp_path / "fresh.sqlite")
    index, _ = build_index(fresh.sources, packs, fresh)
    assert stepped == posted(index) and len({path for _, path, _ in stepped}) == 308
    assert capacities[0] < capacities[1] == capacities[2]  # outgrown by the second step, not by the third
    index.close()


def test_a_source_rewritten_in_place_keeps_the_posting_that_moved_to_an_earlier_part_of_the_range():
    """A refresh hands over its changes a part of the hash range at a time: a source rewritten under the
    same id may post a new hash at a position whose old hash is removed later, in the same block."""
    db = _table()
    _apply(db, {(2**60, 1, 0), (2**61, 1, 1)}, set())
    _apply(db, {(5, 1, 0), (2**61, 1, 1)}, {(2**60, 1, 0), (2**61, 1, 1)})  # position 0 now posts 5: a part before
    assert postings.every_row(db).tolist() == [(5, 1, 0), (2**61, 1, 1)]


@pytest.mark.parametrize("spilled", [False, True], ids=["any order", "as a build spills them"])
@pytest.mark.parametrize("span", ["full", "narrow", "one hash", "a stock line"])
def test_many_rows_are_sorted_a_hash_range_at_a_time_as_one_sort_would(monkeypatch, span, spilled):
    monkeypatch.setattr(postings, "_PIECE", 64)
    rng = np.random.default_rng(5)
    rows = np.empty(20_000, dtype=postings.ROW)
    low, high = {"full": (-2**63, 2**63 - 1), "narrow": (2**40, 2**40 + 3000), "one hash": (9, 10),
                 "a stock line": (-2**63, 2**63 - 1)}[span]
    rows["hash"] = rng.integers(low, high, len(rows), dtype=np.int64, endpoint=span == "full")
    if span == "full":
        rows["hash"][:4] = [-2**63, 2**63 - 1, -1, 0]
    if span == "a stock line":  # most rows in a piece of their own, run through a stable sort
        rows["hash"][::3] = 12345
    rows["source"], rows["pos"] = rng.integers(0, 40, len(rows)), rng.integers(-30, 30, len(rows))
    if spilled:
        rows = rows[np.lexsort((rows["pos"], rows["source"]))]
    expected = rows[np.lexsort((rows["pos"], rows["source"], rows["hash"]))]
    assert np.array_equal(postings.in_order(rows), expected)


def test_every_stock_phrase_cut_finds_its_phrase_in_a_block_of_its_own():
    """A scan skips a stock phrase's rows only where they are alone in a block: the least cut a scan uses
    (sourceindex.df_cut, for any archive) must not be below the run length that gets a block of its own."""
    from rightscheck.checks.sourceindex import df_cut

    assert min(df_cut(n) for n in (0, 1, 1_000, 10_000, 10**7)) >= postings.ALONE
