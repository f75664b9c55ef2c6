"""Reuse detection: tokens, winnowing, the SQLite index, passage alignment and quotation terms."""

from __future__ import annotations

import json
import os
import random
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from rightscheck.checks import postings, sourceindex
from rightscheck.text import fingerprints
from rightscheck.text import tokens
from rightscheck.config import Config, SourceDir
from rightscheck.packs.pack import builtin_rules_dir, load_pack, load_packs
from rightscheck.checks.reuse import ReuseChecker
from rightscheck.engine.scanner import Scanner
from rightscheck.checks.sourceindex import (_LOAD_BLOOM_AFTER, SourceIndex, build_index, default_index_path,
                                            read_index)

WIRE = """\
Nairobi, Feb 3 (AFP) - Kenya's parliament approved on Tuesday a plan to build
eleven new water reservoirs in the arid north, where three failed rainy seasons
have left herders without pasture, the speaker's office said.

"Every reservoir we build is a season of grazing we give back to families who
have lost everything," water minister Amina Odhiambo told lawmakers during a
debate that ran late into the evening.

The reservoirs, to be financed by a mix of government bonds and development
loans, are due to be completed within four years, according to the plan.

Opposition members backed the project but demanded an independent audit of the
contracts, citing delays on a similar scheme launched a decade ago.

ao/kb

All rights reserved. Copyright Agence France-Presse. Sections of the information
displayed on this page (dispatches, photographs, logos) are protected by
intellectual property rights owned by Agence France-Presse.
"""

ND_PACK = """
id: demo-nd
name: Demo Commons ND
licence:
  terms: cc-by-nd
  summary: Republish unchanged with credit.
provenance:
  sources: [Demo Commons]
signals:
  - id: outlet
    phrase: first published by Demo Commons
    weight: 1.0
attribution:
  - id: credit
    description: the line "first published by Demo Commons"
    any_of:
      - signal: outlet
quotation:
  no_derivatives: true
"""

ESSAY = """\
---
source: Demo Commons
---
Urban beekeeping has grown fast in European capitals over the past decade, but
researchers warn that a crowded city can only feed so many hives before wild
pollinators begin to lose out in the competition for nectar and pollen.
"""


@pytest.fixture
def corpus(write, tmp_path):
    write("wire/kenya-reservoirs.txt", WIRE)
    return tmp_path


def _scan(tmp_path, *articles, packs=None, licences=(), sources=("wire",), quotation=None):
    packs = packs or load_packs()
    config = Config(licences=frozenset(licences), quotation=quotation or {},
                    sources=[SourceDir(str(tmp_path / s)) for s in sources])
    index, stats = build_index(config.sources, packs, config)
    checker = ReuseChecker.of_index(index, packs, config, config.sources)
    result = Scanner(packs, config, checker).run([str(tmp_path / a) for a in articles])
    index.close()
    return result, stats


def _rules(result):
    return [(f.rule, f.line) for f in result.findings]


# -- tokens and fingerprints --------------------------------------------------------------------------

def _ids(text: str) -> list[int]:
    return tokens.tokenize(text).ids.tolist()


def test_tokens_ignore_case_quotes_dashes_accents_and_width():
    assert _ids("“Don’t” — SAID Ｏdhiambo") == _ids('"don\'t" - said odhiambo')
    assert _ids("Gene\u0300ve") == _ids("Genève") == _ids("GENEVE")
    assert _ids("Köln 𝔘") == _ids("koln u")  # the second goes through the per-token path
    assert len(set(_ids("a b c x y z ab ba"))) == 8


def test_winnowing_guarantees_every_shared_run_of_k_plus_w_minus_1_words():
    rng = random.Random(7)
    for _ in range(200):
        shared = [rng.randrange(1 << 32) for _ in range(fingerprints.GUARANTEE)]
        a = [rng.randrange(1 << 32) for _ in range(rng.randrange(50))] + shared
        b = shared + [rng.randrange(1 << 32) for _ in range(rng.randrange(50))]
        hashes_a, _ = fingerprints.fingerprint(a)
        all_b = fingerprints.kgram_hashes(np.asarray(b, dtype=np.uint64))
        assert np.isin(hashes_a, all_b).any()


def test_winnowing_keeps_a_fraction_of_positions():
    ids = list(range(10_000))
    _, positions = fingerprints.fingerprint(ids)
    density = len(positions) / len(ids)
    assert 1.5 / (fingerprints.W + 1) < density < 2.5 / (fingerprints.W + 1)
    assert list(positions) == sorted(set(positions.tolist()))


# -- matching ------------------------------------------------------------------------------------------

def test_rewrapped_requoted_passage_with_one_changed_word(corpus, write):
    write("site/copy.md", """\
        # Water for the north

        Our correspondent reports from Marsabit.

        Kenya's Parliament approved on Wednesday a plan to build eleven new water
        reservoirs in the arid north, where three failed rainy seasons have left herders
        without pasture, the speaker's office said. “Every reservoir we build is a season
        of grazing we give back to families who have lost everything.”
        """)
    result, _ = _scan(corpus, "site/copy.md")
    assert _rules(result) == [("afp/missing-attribution", 5), ("afp/quotation-limit", 5)]
    source = result.findings[1].source
    assert (source["path"], source["line"], source["end_line"]) == (f"{corpus}/wire/kenya-reservoirs.txt", 1, 6)
    assert source["words"] == 51
    assert "{+Wednesday+}" in source["scanned_excerpt"] and "[-Tuesday-]" in source["source_excerpt"]
    assert (result.findings[1].end_line, result.findings[1].end_column) == (8, 61)


def test_notice_block_and_credited_short_quote_are_not_reuse(corpus, write):
    write("site/ok.txt", """\
        Herders in northern Kenya welcomed the vote. The minister said every reservoir
        "is a season of grazing we give back to families who have lost everything", AFP reported.

        All rights reserved. Copyright Agence France-Presse. Sections of the information
        displayed on this page (dispatches, photographs, logos) are protected by
        intellectual property rights owned by Agence France-Presse.
        """)
    result, _ = _scan(corpus, "site/ok.txt", licences=["afp"])
    assert result.findings == []


def test_unquoted_copy_over_the_limit_needs_a_licence(corpus, write):
    write("site/long.txt", """\
        Nairobi, Feb 3 (AFP) - Kenya's parliament approved on Tuesday a plan to build
        eleven new water reservoirs in the arid north, where three failed rainy seasons
        have left herders without pasture, the speaker's office said.
        """)
    unlicensed, _ = _scan(corpus, "site/long.txt")
    assert ("afp/quotation-limit", 1) in _rules(unlicensed)
    licensed, _ = _scan(corpus, "site/long.txt", licences=["afp"])
    assert licensed.findings == []
    strict, _ = _scan(corpus, "site/long.txt", licences=["afp"], quotation={"afp": {"allow_with_licence": False}})
    assert [f.rule for f in strict.findings] == ["afp/quotation-limit"]


def test_total_share_limit_across_short_passages(corpus, write):
    write("site/two.txt", """\
        Lawmakers voted for reservoirs to be financed by a mix of government bonds and development loans, are due to be completed within four years.

        In other business, the chamber debated a long-delayed fisheries bill and a reform of county budgets.

        Opposition members backed the project but demanded an independent audit of the contracts, it was reported.
        """)
    result, _ = _scan(corpus, "site/two.txt", quotation={"afp": {"max_passage_words": 40}})
    limits = [f for f in result.findings if f.kind == "quotation-limit"]
    assert len(limits) == 1 and limits[0].line == 1
    assert "10% of one source" in limits[0].message


def test_identical_file_and_html_markup(corpus, write):
    page = "<html><body><nav>Home</nav><article>" + "".join(
        f"<p>{para}</p>" for para in WIRE.split("\n\n")[:4]) + "</article></body></html>"
    write("site/same.html", page)
    write("site/same.txt", WIRE)
    result, _ = _scan(corpus, "site/same.html", "site/same.txt", licences=["afp"],
                      quotation={"afp": {"allow_with_licence": False}})
    by_path = {f.path.rsplit("/", 1)[-1]: f for f in result.findings}
    assert by_path["same.txt"].source["words"] >= 100 and by_path["same.html"].source["words"] >= 80


def test_reuse_without_any_signal_still_needs_credit(corpus, write):
    write("site/plain.txt", "Opposition members backed the project but demanded an independent audit of the "
                            "contracts, citing delays on a similar scheme launched a decade ago.\n")
    result, _ = _scan(corpus, "site/plain.txt", quotation={"afp": {"max_passage_words": 100, "max_source_share": 1}})
    assert _rules(result) == [("afp/missing-attribution", 1)]
    assert json.dumps(result.findings[0].to_dict())  # serialisable, with a source
    assert set(result.findings[0].to_dict()["source"]) >= {"path", "line", "end_line", "words", "share"}


def test_no_derivatives_pack_reports_altered_words(write, tmp_path):
    pack = load_pack(write("packs/nd.yaml", ND_PACK))
    write("essays/bees.md", ESSAY)
    write("site/edited.txt", """\
        Urban beekeeping has grown quickly in European capitals over the past decade, but
        researchers warn that a crowded city can only feed so many hives before wild
        pollinators begin to lose out in the competition for nectar.

        This article was first published by Demo Commons.
        """)
    write("site/faithful.txt", ESSAY.split("---\n", 2)[2] + "\nThis article was first published by Demo Commons.\n")
    result, _ = _scan(tmp_path, "site/edited.txt", "site/faithful.txt", packs=[pack], sources=("essays",))
    assert _rules(result) == [("demo-nd/modified-content", 1)]
    assert result.findings[0].evidence == '"fast" -> "quickly"'


@pytest.mark.parametrize("first, reported", [("Urban", '"beekeeping" -> "gardening"'), ("The", None)])
def test_a_word_changed_next_to_a_passage_start_is_an_edit_unless_only_a_function_word_precedes_it(
        write, tmp_path, first, reported):
    """Issue 18: a passage whose second word was changed starts at its first word (the change is an edit of
    a CC BY-ND text); a lone function word before the change ("The", the document's third "the") is as
    likely the writer's own."""
    pack = load_pack(write("packs/nd.yaml", ND_PACK))
    body = ESSAY.split("---\n", 2)[2]
    write("essays/bees.md", ESSAY.replace("Urban beekeeping", f"{first} beekeeping"))
    write("site/edited.txt", body.replace("Urban beekeeping", f"{first} gardening").replace("the past", "the last")
          + "\nThis article was first published by Demo Commons.\n")
    result, _ = _scan(tmp_path, "site/edited.txt", packs=[pack], sources=("essays",))
    assert [f.evidence for f in result.findings if f.kind == "modified-content"] == \
        ([reported + '; "past" -> "last"'] if reported else ['"past" -> "last"'])


def test_function_words_alone_never_widen_a_passage_over_a_gap(write, tmp_path):
    """Issue 18: a copied passage followed by the writer's own words, which happen to hold "of the" a few
    words on as the source does, ends where the copying ends; widened over the gap, an unchanged CC BY-ND
    quotation would be reported as modified."""
    pack = load_pack(write("packs/nd.yaml", ND_PACK))
    write("essays/orchards.md", """\
        ---
        source: Demo Commons
        ---
        Community orchards have spread across the old mill towns of the north, where volunteers graft
        heritage apple varieties onto rootstock saved from demolished gardens and cottage yards. Most of the
        trees stand on land owned by councils, which lease it for a token rent.
        """)
    write("site/orchards.txt", """\
        Community orchards have spread across the old mill towns of the north, where volunteers graft
        heritage apple varieties onto rootstock saved from demolished gardens and cottage yards. Critics say
        none of the land should go to trees while the waiting lists of the housing offices grow, and the
        mayor of the town agrees.

        This article was first published by Demo Commons.
        """)
    result, _ = _scan(tmp_path, "site/orchards.txt", packs=[pack], sources=("essays",))
    assert result.findings == []


# -- the index -----------------------------------------------------------------------------------------

def test_spilled_postings_come_back_in_the_index_order(monkeypatch):
    """A new index is filled from bucket files in (hash, source, position) order: signed hashes across
    every bucket, duplicates of one hash from several sources, more rows than one spill holds."""
    from rightscheck.checks import spill

    monkeypatch.setattr(spill, "_PENDING_ROWS", 1000)
    rng = np.random.default_rng(18)
    spilled = spill.SpilledPostings()
    added = []
    for source_id in rng.permutation(400).tolist():
        hashes = rng.integers(-2**63, 2**63 - 1, size=30, dtype=np.int64)
        hashes[:5] = [-2**63, -1, 0, 7, 2**63 - 1]  # the extremes and one hash every source shares
        positions = rng.integers(0, 5000, size=30).astype(np.int32)
        spilled.add(source_id, hashes.view(np.uint64), positions)
        added += zip(hashes.tolist(), [source_id] * 30, positions.tolist())
    back = np.concatenate(list(spilled.sorted_buckets()))
    assert list(zip(*(back[key].tolist() for key in ("hash", "source", "pos")))) == sorted(added)
    spilled.close()


def test_refresh_reindexes_only_changed_files(corpus, write, tmp_path):
    write("wire/other.txt", "Geneva, Feb 4 (AFP) - " + " ".join(f"word{i}" for i in range(200)))
    config = Config(sources=[SourceDir(str(tmp_path / "wire"))])
    packs = load_packs()
    index, stats = build_index(config.sources, packs, config)
    index.close()
    assert (stats.added, stats.unchanged, stats.rebuilt) == (2, 0, "new index")
    index, stats = build_index(config.sources, packs, config)
    index.close()
    assert (stats.added, stats.updated, stats.unchanged, stats.rebuilt) == (0, 0, 2, None)
    write("wire/other.txt", "Changed text entirely, nothing else.")
    write("wire/copy-of-kenya.txt", WIRE)
    (tmp_path / "wire/kenya-reservoirs.txt").unlink()
    index, stats = build_index(config.sources, packs, config)
    info = index.info()
    index.close()
    assert (stats.added, stats.updated, stats.removed) == (1, 1, 1)
    assert info["sources"] == 2 and info["by_pack"] == {"(none)": 1, "afp": 1}


@pytest.mark.parametrize("files", [0, 1])
def test_a_refresh_with_nothing_to_change_does_not_write_to_the_index(write, tmp_path, monkeypatch, files):
    """Not even for an empty archive, and not while a reader holds the index: a refresh that would write
    waits for the reader's lock (two minutes; one second here) and then fails."""
    from rightscheck.checks import sourceindex

    monkeypatch.setattr(sourceindex, "_BUSY_SECONDS", 1.0)
    (tmp_path / "wire").mkdir()
    for n in range(files):
        write(f"wire/{n}.txt", "Geneva, Feb 4 (AFP) - " + " ".join(f"word{i}" for i in range(80)))
    config, path = Config(sources=[SourceDir(str(tmp_path / "wire"))]), tmp_path / "i.sqlite"
    index, _ = build_index(config.sources, load_packs(), config, path)
    index.close()
    before = os.stat(tmp_path / "i.sqlite").st_mtime_ns
    reader = sqlite3.connect(tmp_path / "i.sqlite", timeout=0)
    reader.execute("BEGIN")
    reader.execute("SELECT * FROM meta").fetchall()
    index, stats = build_index(config.sources, load_packs(), config, path, trust_folders=False)
    index.close()
    reader.rollback()
    assert stats.unchanged == files and os.stat(tmp_path / "i.sqlite").st_mtime_ns == before


def test_duplicate_sources_are_indexed_once(corpus, write, tmp_path):
    write("wire/dup.txt", WIRE)
    config = Config(sources=[SourceDir(str(tmp_path / "wire"))])
    index, stats = build_index(config.sources, load_packs(), config)
    index.close()
    assert [(a.rsplit("/", 1)[-1], b.rsplit("/", 1)[-1]) for a, b in stats.duplicates] == [("kenya-reservoirs.txt", "dup.txt")]


@pytest.mark.parametrize("damage", ["garbage", "old-format"])
def test_corrupt_or_old_index_is_rebuilt(corpus, tmp_path, damage):
    config = Config(sources=[SourceDir(str(tmp_path / "wire"))])
    path = default_index_path(config.sources, config)
    path.parent.mkdir(parents=True)
    if damage == "garbage":
        path.write_bytes(b"this is not sqlite" * 100)
    else:
        db = sqlite3.connect(path)
        db.executescript("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('format', '0');")
        db.commit()
        db.close()
    index, stats = build_index(config.sources, load_packs(), config)
    index.close()
    assert stats.rebuilt and stats.rebuilt != "new index" and stats.added == 1
    assert read_index(path).info()["sources"] == 1
    assert [p.name for p in (tmp_path / "wire").iterdir() if "tmp" in p.name] == []


def test_empty_sources_folder(tmp_path, write):
    (tmp_path / "wire").mkdir()
    write("site/a.txt", "Nothing to see.\n")
    result, stats = _scan(tmp_path, "site/a.txt")
    assert result.findings == [] and stats.added == 0


def test_source_attribution_by_mapping_front_matter_and_signals(write, tmp_path):
    write("wire/mapped/plain.txt", "A plain text with no credit at all, " * 5)
    write("wire/declared.md", "---\nsource: Reuters\n---\nSome text " * 3)
    write("wire/signals.txt", WIRE)
    config = Config(sources=[SourceDir(str(tmp_path / "wire/mapped"), "ap"), SourceDir(str(tmp_path / "wire"))])
    index, _ = build_index(config.sources, load_packs(), config)
    packs = {s.path.rsplit("/", 1)[-1]: s.pack for s in index.sources().values()}
    index.close()
    assert packs == {"plain.txt": "ap", "declared.md": "reuters", "signals.txt": "afp"}


def test_fast_and_per_token_paths_agree_on_any_text():
    rng = random.Random(3)
    alphabet = "ab Z_9 ,.“”’—\n\tÅß½ǅİ١中ﬁ\u200b"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(40)))
        fast, slow = tokens.tokenize(text), tokens._tokenize_slowly(text)
        assert fast.ids.tolist() == slow.ids.tolist()
        assert fast.starts.tolist() == [m.start() for m in tokens._WORD.finditer(text)]
        assert fast.ends.tolist() == [m.end() for m in tokens._WORD.finditer(text)]


def test_partial_notice_paragraph_is_never_copied_text(corpus, write):
    # only one sentence of the notice matches a signal; the rest of its paragraph is masked with it
    write("site/notice-only.txt", """\
        Herders in northern Kenya welcomed the vote, our correspondent reports from Marsabit.

        Sections of the information displayed on this page (dispatches, photographs, logos) are
        protected by intellectual property rights owned by Agence France-Presse.
        """)
    result, _ = _scan(corpus, "site/notice-only.txt", quotation={"afp": {"max_source_share": 0.01}})
    assert [f.rule for f in result.findings if f.source] == []


def test_changed_packs_rebuild_the_index(corpus, write, tmp_path):
    config = Config(sources=[SourceDir(str(tmp_path / "wire"))])
    index, _ = build_index(config.sources, load_packs(), config)
    index.close()
    extra = load_pack(write("packs/nd.yaml", ND_PACK))
    index, stats = build_index(config.sources, [*load_packs(), extra], config)
    index.close()
    assert stats.rebuilt == "rule packs or source mapping changed" and stats.added == 1


def test_empty_source_and_empty_article(corpus, write):
    write("wire/empty.txt", "")
    write("site/empty.md", "")
    write("site/short.txt", "Kenya's parliament approved")
    result, stats = _scan(corpus, "site/empty.md", "site/short.txt")
    assert stats.added == 2 and result.files == 2 and result.findings == []


CONVERSATION_SOURCE = """\
Jane Doe, Senior Lecturer in Hydrology, University of Northland

Rivers that once flooded their plains every spring now run inside concrete
channels for most of their length, and the wetlands that used to store the
water have been drained for farms and suburbs over the past century.

Restoring even a fraction of those wetlands would slow floods downstream, our
modelling suggests, while giving migrating birds somewhere to rest and feed.

This article is republished from The Conversation under a Creative Commons license. Read the original article.

Jane Doe does not work for, consult, own shares in or receive funding from any company or organisation that would benefit from this article.
"""


def test_no_derivatives_notice_split_by_links_is_not_a_modification(write, tmp_path):
    write("conversation/wetlands.txt", CONVERSATION_SOURCE)
    write("site/wetlands.html", """\
        <html><body><article>
        <h1>Why we should let rivers flood again</h1>
        <p><a href="https://theconversation.com/profiles/jane-doe-1234">Jane Doe</a>, Senior Lecturer in Hydrology,
        University of Northland</p>
        <p>Rivers that once flooded their plains every spring now run inside concrete
        channels for most of their length, and the wetlands that used to store the
        water have been drained for farms and suburbs over the past century.</p>
        <p>Restoring even a fraction of those wetlands would slow floods downstream, our
        modelling suggests, while giving migrating birds somewhere to rest and feed.</p>
        <p>This article is republished from <a href="https://theconversation.com">The
        Conversation</a> under a Creative Commons license. Read the <a
        href="https://theconversation.com/why-we-should-let-rivers-flood-again-123456">original article</a>.</p>
        <p>Jane Doe does not work for, consult, own shares in or receive funding from any company or organisation
        that would benefit from this article.</p>
        </article></body></html>
        """)
    packs = [load_pack(builtin_rules_dir() / "the-conversation.yaml")]
    result, _ = _scan(tmp_path, "site/wetlands.html", packs=packs, sources=("conversation",))
    assert _rules(result) == []


STOCK = ("The figures are provisional and may be revised when the statistics office publishes its final "
         "estimate later in the spring.")


def _dispatch(rng: random.Random, words: list[str], n: int) -> str:
    return " ".join(rng.choice(words) for _ in range(n)) + "."


def test_a_stock_sentence_in_many_unrelated_dispatches_is_boilerplate_not_reuse(write, tmp_path):
    """Issue 18: a sentence a dozen dispatches of a small archive share, each in its own surroundings, is
    below the document-frequency cut but is still no evidence of copying; a story's versions, which share
    a passage in the same surroundings, are."""
    rng = random.Random(18)
    words = [f"w{n}" for n in range(5000)]
    for n in range(12):  # unrelated dispatches carrying the stock sentence mid-text
        write(f"wire/d{n}.txt", f"Lima, Jan {n + 1} (AFP) - {_dispatch(rng, words, 60)} {STOCK} "
                                f"{_dispatch(rng, words, 60)}\n")
    story = [_dispatch(rng, words, 50), _dispatch(rng, words, 40), _dispatch(rng, words, 50)]
    for n in range(6):  # versions of one story: the same middle paragraph in the same surroundings
        write(f"wire/v{n}.txt", f"Quito, Feb 2 (AFP) - {story[0]}\n\n{story[1]}\n\n{story[2]} Update {n}.\n")
    write("site/stock.txt", f"{_dispatch(rng, words, 40)} {STOCK} {_dispatch(rng, words, 40)}\n")
    write("site/copy.txt", f"{_dispatch(rng, words, 40)} {story[1]} {_dispatch(rng, words, 40)}\n")
    result, _ = _scan(tmp_path, "site/stock.txt", "site/copy.txt")
    assert {f.path.rsplit("/", 1)[-1] for f in result.findings} == {"copy.txt"}
    assert any(f.kind == "quotation-limit" for f in result.findings)


def test_the_bloom_filter_never_says_no_to_a_posted_hash_and_rarely_yes_to_another():
    from rightscheck.checks.bloom import Bloom

    rng = np.random.default_rng(18)
    posted = rng.integers(-2**63, 2**63 - 1, size=50_000, dtype=np.int64)
    bloom = Bloom.sized(len(posted))
    bloom.add(posted[:30_000])
    bloom.add(posted[30_000:])
    assert bloom.may_hold(posted).all()
    others = rng.integers(-2**63, 2**63 - 1, size=50_000, dtype=np.int64)
    assert bloom.may_hold(others).mean() < 0.05


def test_a_bloom_filter_gets_the_same_bits_however_its_hashes_are_cut_into_pieces():
    """add() probes a few thousand hashes at a time (their arrays stay in cache): the bits are those of the
    hashes added one group at a time, whatever the groups."""
    from rightscheck.checks.bloom import Bloom

    posted = np.random.default_rng(19).integers(-2**63, 2**63 - 1, size=70_000, dtype=np.int64)
    at_once, in_groups = Bloom.sized(1_000_000), Bloom.sized(1_000_000)
    at_once.add(posted)
    for start in range(0, len(posted), 997):
        in_groups.add(posted[start:start + 997])
    assert np.array_equal(at_once.bits, in_groups.bits) and at_once.may_hold(posted).all()


ARTICLE = "Our story.\n\nEvery reservoir we build is a season of grazing we give back to families who have lost " \
          "everything, the minister said during a debate that ran late into the evening in the capital.\n"
LATER = "Dakar, Mar 1 (AFP) - " + " ".join(f"filler{n}" for n in range(40)) + " " + ARTICLE  # a source ARTICLE copies


def test_a_source_added_to_an_index_is_found_by_the_next_scan(corpus, write, tmp_path):
    write("site/a.txt", ARTICLE)
    first, _ = _scan(tmp_path, "site/a.txt")
    write("wire/later.txt", LATER)
    second, stats = _scan(tmp_path, "site/a.txt")
    assert stats.added == 1 and stats.unchanged == 1
    assert {f.source["path"].rsplit("/", 1)[-1] for f in second.findings if f.source} >= {"later.txt"}


# -- the Bloom filter's file ---------------------------------------------------------------------------

def _index(tmp_path: Path) -> tuple[SourceIndex, Path]:
    """The index of tmp_path/wire, built or refreshed as a scan does, and where it is."""
    config = Config(sources=[SourceDir(str(tmp_path / "wire"))])
    index, _ = build_index(config.sources, load_packs(), config)
    return index, default_index_path(config.sources, config)


def _bloom_file(path: Path) -> Path:
    return path.with_name(path.name + ".bloom")


def _blob(path: Path) -> bytes:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT bits FROM bloom").fetchone()[0]
    finally:
        db.close()


def _mapped(index: SourceIndex) -> bool:
    """Whether a scan's lookup gets the filter as its file memory-mapped (not a copy, not the blob)."""
    return isinstance(index.lookup()._filter().bits, np.memmap)


def _sources_found(index: SourceIndex, tmp_path: Path) -> set[str]:
    """The sources of the reuse findings in site/a.txt, asked of ``index`` as it is."""
    packs = load_packs()
    checker = ReuseChecker.of_index(index, packs, Config(), [])
    result = Scanner(packs, Config(), checker).run([str(tmp_path / "site/a.txt")])
    return {f.source["path"].rsplit("/", 1)[-1] for f in result.findings if f.source}


def test_the_bloom_filter_is_written_beside_the_index_and_a_scan_maps_it(corpus, tmp_path):
    index, path = _index(tmp_path)
    lookup = index.lookup()
    bloom = lookup._filter()
    assert isinstance(bloom.bits, np.memmap) and not bloom.bits.flags.writeable
    assert all(lookup._filter() is bloom for _ in range(2 * _LOAD_BLOOM_AFTER))  # never swapped for a copy
    assert bloom.bits.tobytes() == _blob(path) and _bloom_file(path).read_bytes().endswith(_blob(path))
    index.close()


def test_the_bloom_filter_file_is_replaced_when_sources_change(corpus, write, tmp_path):
    index, path = _index(tmp_path)
    index.close()
    before = _bloom_file(path).read_bytes()
    write("wire/later.txt", LATER)
    index, _ = _index(tmp_path)
    later = index.reader().execute("SELECT id FROM sources WHERE display_path LIKE '%later.txt'").fetchone()[0]
    rows = postings.every_row(index.reader())
    posted = rows["hash"][rows["source"] == later]
    assert _bloom_file(path).read_bytes() != before and _bloom_file(path).read_bytes().endswith(_blob(path))
    assert _mapped(index) and len(posted) and index.bloom().may_hold(posted).all()
    index.close()


def _older_version(path: Path, before: bytes) -> None:
    """The filter rewritten as versions before its file did (deleted, inserted anew): the file not touched."""
    db = sqlite3.connect(path)
    with db:
        capacity, bits = db.execute("SELECT capacity, bits FROM bloom").fetchone()
        db.execute("DELETE FROM bloom")
        db.execute("INSERT INTO bloom VALUES (?, ?)", (capacity, bits))
    db.close()


_BAD_FILES = {
    "stale": lambda path, before: _bloom_file(path).write_bytes(before),  # as it was before a refresh
    "older version": _older_version,
    "truncated": lambda path, before: _bloom_file(path).write_bytes(_bloom_file(path).read_bytes()[:-100]),
    "garbage": lambda path, before: _bloom_file(path).write_bytes(random.Random(1).randbytes(len(before))),
    "empty": lambda path, before: _bloom_file(path).write_bytes(b""),
    "deleted": lambda path, before: _bloom_file(path).unlink(),
}


@pytest.mark.parametrize("damage", list(_BAD_FILES))
def test_a_bloom_filter_file_that_does_not_copy_the_index_is_ignored_then_rewritten(corpus, write, tmp_path, damage):
    """A file left from before a refresh would miss the new source's hashes: a scan would miss its copy."""
    write("site/a.txt", ARTICLE)
    index, path = _index(tmp_path)
    index.close()
    before = _bloom_file(path).read_bytes()
    write("wire/later.txt", LATER)
    index, _ = _index(tmp_path)
    expected = _sources_found(index, tmp_path)
    index.close()
    assert "later.txt" in expected
    _BAD_FILES[damage](path, before)
    index = read_index(path)  # as a scan with --index and no sources reads it: never written to
    assert not _mapped(index) and _sources_found(index, tmp_path) == expected
    index.close()
    index, _ = _index(tmp_path)  # a scan with sources: the file is written anew
    assert _mapped(index) and _sources_found(index, tmp_path) == expected
    assert _bloom_file(path).read_bytes().endswith(_blob(path))
    index.close()


@pytest.mark.parametrize("checked_on_open", [True, False], ids=["small index", "index too big to check"])
def test_a_bloom_filter_blob_of_a_size_no_filter_has_is_damage_never_a_traceback(
        corpus, write, tmp_path, monkeypatch, checked_on_open):
    """The filter is read as 64-bit words: a blob cut to 12 bytes cannot be one. A scan with its sources
    rebuilds the index; read as it is, it is refused in one line, as a misshapen block of postings is."""
    from rightscheck.checks import sourceindex
    from rightscheck.core.errors import RightscheckError

    write("site/a.txt", ARTICLE)
    write("wire/later.txt", LATER)
    index, path = _index(tmp_path)
    expected = _sources_found(index, tmp_path)
    index.close()
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE bloom SET bits = substr(bits, 1, 12)")
    db.close()
    _bloom_file(path).unlink()
    if not checked_on_open:
        monkeypatch.setattr(sourceindex, "_CHECKED_SIZE", 0)
    with pytest.raises(RightscheckError, match="Bloom filter has the wrong size"):
        index = read_index(path)
        _sources_found(index, tmp_path)
    index.close()
    index, _ = _index(tmp_path)  # as a scan with sources opens it: rebuilt
    assert "later.txt" in expected and _sources_found(index, tmp_path) == expected and len(_blob(path)) % 8 == 0
    index.close()


def test_the_source_count_is_read_as_stored_until_another_version_writes_the_index(corpus, write, tmp_path):
    """Counting a million sources takes 70 ms, paid by every scan (the boilerplate cut is relative to it): the
    count is stored with the filter's token, and counted again once a version that knows neither wrote."""
    index, path = _index(tmp_path)
    assert index.count() == 1
    index.close()
    write("wire/later.txt", LATER)
    index, _ = _index(tmp_path)
    assert index.count() == 2 and _count_is_stored(path)
    index.close()
    db = sqlite3.connect(path)  # an older version removes a source, then rewrites the filter
    with db:
        db.execute("DELETE FROM sources WHERE display_path LIKE '%later.txt'")
    db.close()
    _older_version(path, b"")
    index = read_index(path)
    assert index.count() == 1
    index.close()


def _count_is_stored(path: Path) -> bool:
    db = sqlite3.connect(path)
    stored = db.execute("SELECT value FROM meta WHERE key = 'sources'").fetchone()
    token = db.execute("SELECT rowid FROM bloom").fetchone()
    db.close()
    return stored is not None and stored[0] == f"2 {token[0]}"


def test_a_refresh_that_fails_leaves_no_bloom_filter_file(corpus, write, tmp_path, monkeypatch):
    """Its file is written with the new filter, before the index commits it: a refresh stopped after that
    must not leave a file the next scan could take for the old filter's."""
    index, path = _index(tmp_path)
    index.close()
    write("wire/later.txt", LATER)

    def interrupted(self, folders):
        raise KeyboardInterrupt

    monkeypatch.setattr(SourceIndex, "_remember_folders", interrupted)  # after the filter is stored
    with pytest.raises(KeyboardInterrupt):
        _index(tmp_path)
    monkeypatch.undo()
    assert not _bloom_file(path).exists()
    index, _ = _index(tmp_path)
    assert _mapped(index) and index.count() == 2
    index.close()


def test_a_refresh_that_fails_after_its_writes_spilled_into_the_index_leaves_the_old_index_whole(
        corpus, write, tmp_path, monkeypatch):
    """A rebuild writes a temporary file with no rollback journal (a failed one is deleted); a refresh
    writes the index itself, and one stopped after SQLite's page cache spilled into the file must roll back."""
    index, path = _index(tmp_path)
    index.close()
    rng = random.Random(5)
    for n in range(40):  # some 100 KB of token ids: far more than the cache's few pages
        write(f"wire/more-{n}.txt", "Oslo, May 2 (AFP) - " + " ".join(f"w{rng.randrange(9000)}" for _ in range(600)))

    def interrupted(self, folders):
        raise KeyboardInterrupt

    monkeypatch.setattr(sourceindex, "_BUILD_CACHE_KB", 16)
    monkeypatch.setattr(SourceIndex, "_remember_folders", interrupted)  # after every source and posting
    with pytest.raises(KeyboardInterrupt):
        _index(tmp_path)
    monkeypatch.undo()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT count(*) FROM sources").fetchone()[0] == 1
    db.close()


@pytest.mark.parametrize("carriers", [12, 40])  # below the document-frequency cut, and above it (boilerplate)
def test_a_stock_sentence_followed_by_a_few_words_one_dispatch_shares_by_chance_is_not_reuse(write, tmp_path,
                                                                                              carriers):
    """Issue 18, at a million sources: a dispatch that happens to follow the stock sentence with the same few
    words as the article holds no passage of its own (eight words are fewer than a chain needs, MIN_CHAIN),
    whether the stock sentence is boilerplate by the document-frequency cut or by its surroundings."""
    rng = random.Random(27)
    words = [f"w{n}" for n in range(5000)]
    chance = "local officials said on Monday that the council"
    for n in range(carriers):
        write(f"wire/d{n}.txt", f"Lima, Jan {n % 28 + 1} (AFP) - {_dispatch(rng, words, 60)} {STOCK} "
                                f"{_dispatch(rng, words, 60)}\n")
    write("wire/chance.txt", f"Lima, Feb 3 (AFP) - {_dispatch(rng, words, 60)} {STOCK} {chance} "
                             f"{_dispatch(rng, words, 60)}\n")
    write("site/stock.txt", f"{_dispatch(rng, words, 40)} {STOCK} {chance} {_dispatch(rng, words, 40)}\n")
    result, _ = _scan(tmp_path, "site/stock.txt")
    assert result.findings == []
