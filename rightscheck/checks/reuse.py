"""Finding text taken from indexed sources, and holding it against each source pack's quotation terms.

Matching follows the seed-and-extend pattern of passim and TextPAIR: the winnowed k-grams
of the scanned document are looked up in the winnowed source index (seeds); each seed
grows into a maximal exact match; exact matches on the same source, in order and
separated by at most a few changed, inserted or dropped words, are chained into one
passage. Text matched by any pack signal (notice blocks, datelines, credits) is
removed from the scanned token stream first: quoting an agency's own notice is a
credit, not reuse.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections import OrderedDict
from difflib import SequenceMatcher
from dataclasses import dataclass, field, replace
from typing import Iterable

import numpy as np

from rightscheck.text import fingerprints, tokens
from rightscheck.checks.attribution import Evidence, make_finding, signal_matches, template_values
from rightscheck.documents.document import Document, SkipFile, parse
from rightscheck.core.errors import RightscheckError
from rightscheck.core.findings import Finding
from rightscheck.config import Config, SourceDir
from rightscheck.packs.pack import Pack, Quotation
from rightscheck.packs.patterns import Match, Matcher
from rightscheck.checks.sourceindex import Lookup, Source, SourceIndex

GAP = 8  # most words changed, inserted or dropped between two exact matches of one passage
REACH = GAP + 6  # how far beyond a passage's ends short exact runs are looked for
MIN_CHAIN = 9  # informative exact words a chain needs before it is widened; fewer are chance or stock phrases
MIN_EXACT_SHARE = 0.7  # a passage is mostly exact matches
CHANCE = 0.015  # widening adds a run only when a chance match that close is less likely than this
EDGE_SUBSTITUTION = 2  # changed words a run just past a passage's end may follow on its own alignment
STOCK_SOURCES = 5  # sources holding one stretch in as many different surroundings make it a stock phrase
CONTEXT = 3  # words on either side of a stretch that make its surroundings
LONE_SEED_SOURCES = 20  # a source met by a single fingerprint is skipped when more sources hold it
NEARBY = 300  # characters around a quotation searched for a credit
EXCERPT = 240
PASSAGE = 6000  # characters of a whole passage kept in a finding (about 1,000 words)
_OPEN_QUOTES = "\"'“‘«„‚‹"
_CLOSE_QUOTES = "\"'”’»“‘›"


class Text:
    """A document's tokens outside the masked character ranges; ids also as a list for the alignment loops."""

    def __init__(self, doc: Document, masks: list[tuple[int, int]] = ()):
        self.doc = doc
        found = tokens.tokenize(doc.text)
        self.tokens = found.without(masks) if masks else found
        self.ids: list[int] = self.tokens.ids.tolist()

    def char_span(self, first: int, end: int) -> tuple[int, int]:
        """Character range of tokens ``first`` up to (not including) ``end``."""
        return int(self.tokens.starts[first]), int(self.tokens.ends[end - 1])

    def words(self, first: int, end: int) -> list[tuple[int, int]]:
        """Character spans of tokens ``first``..``end``."""
        return list(zip(self.tokens.starts[first:end].tolist(), self.tokens.ends[first:end].tolist()))


@dataclass
class Passage:
    """One stretch of the scanned document taken from one source, as exact blocks (q, s, length)."""

    source: Source
    blocks: list[tuple[int, int, int]]
    source_text: Text | None = None  # read only once the passage is known to be real
    q_start: int = field(init=False)
    q_end: int = field(init=False)
    s_start: int = field(init=False)
    s_end: int = field(init=False)

    def __post_init__(self) -> None:
        self.q_start, self.s_start = self.blocks[0][0], self.blocks[0][1]
        self.q_end, self.s_end = self.blocks[-1][0] + self.blocks[-1][2], self.blocks[-1][1] + self.blocks[-1][2]

    @property
    def words(self) -> int:
        return self.q_end - self.q_start

    @property
    def exact(self) -> int:
        return sum(block[2] for block in self.blocks)

    def gaps(self) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """(scanned token range, source token range) between consecutive blocks: the edits."""
        out = []
        for (q1, s1, n1), (q2, s2, _) in zip(self.blocks, self.blocks[1:]):
            if q2 > q1 + n1 or s2 > s1 + n1:
                out.append(((q1 + n1, q2), (s1 + n1, s2)))
        return out


def signal_spans(doc: Document, packs: list[Pack], found: dict[str, dict[Matcher, Match | None]]
                 ) -> list[tuple[int, int]]:
    """Character ranges of every match of every signal present in ``doc`` — whole paragraphs for notice
    signals — so credits and notice blocks are never reported as copied text. ``found`` is each pack's
    :func:`~rightscheck.checks.attribution.signal_matches`."""
    spans = []
    for pack in packs:
        matches = found[pack.id]
        if not any(matches.values()):  # most packs have nothing in a document, checked or not
            continue
        for signal in pack.signals:
            first = matches.get(signal.matcher)
            if not first or signal.matcher.target != "text":
                continue
            for match in signal.matcher.finditer(doc, first.start):
                spans.append(doc.paragraph(match.start, match.end) if signal.notice else (match.start, match.end))
    return sorted(spans)


class SourceCache:
    """Per scan: the sources a scanned document hits, each read from the index when first hit (its row and
    token ids, for alignment), and, only for sources a passage really comes from, the re-read document
    (for line numbers and excerpts). Both are kept for the most recently hit ``size`` sources."""

    def __init__(self, index: SourceIndex, size: int = 512):
        self._index = index
        self._sources: OrderedDict[int, tuple[Source | None, list[int]]] = OrderedDict()
        self._texts: OrderedDict[int, Text | None] = OrderedDict()
        self._size = size

    def source(self, source_id: int) -> Source | None:
        return self._get(source_id)[0]

    def ids(self, source: Source) -> list[int]:
        return self._get(source.id)[1]

    def holds(self, source_id: int) -> bool:
        return source_id in self._sources

    def reading(self) -> contextlib.AbstractContextManager:
        """The index read as of one moment while a document is checked (see SourceIndex.reading)."""
        return self._index.reading()

    def windows(self, wanted: dict[int, tuple[int, int]]) -> dict[int, np.ndarray]:
        """Token ids ``start``..``end`` of sources not read whole (see SourceIndex.token_windows)."""
        return self._index.token_windows(wanted)

    def prefetch(self, source_ids: Iterable[int]) -> None:
        """Read the sources a document hits that are not cached yet, in one query rather than one each."""
        missing = [source_id for source_id in source_ids if source_id not in self._sources]
        if not missing:
            return
        found = self._index.with_token_ids(missing)
        for source_id in missing:
            source, ids = found.get(source_id, (None, None))
            self._remember(source_id, (source, ids.tolist() if source else []))

    def _get(self, source_id: int) -> tuple[Source | None, list[int]]:
        if source_id in self._sources:
            self._sources.move_to_end(source_id)
            return self._sources[source_id]
        found = self._index.sources([source_id]).get(source_id)
        return self._remember(source_id, (found, self._index.token_ids(source_id).tolist() if found else []))

    def _remember(self, source_id: int, entry: tuple[Source | None, list[int]]) -> tuple[Source | None, list[int]]:
        self._sources[source_id] = entry
        if len(self._sources) > self._size:
            self._sources.popitem(last=False)
        return entry

    def text(self, source: Source) -> Text | None:
        """The source re-read from disk, or None if it is gone or no longer what was indexed."""
        if source.id in self._texts:
            self._texts.move_to_end(source.id)
            return self._texts[source.id]
        try:
            data, charset = self._index.source_bytes(source)
            text = Text(parse(source.path, data, source.kind, charset=charset))
            if text.ids != self.ids(source):
                text = None
        except (OSError, SkipFile):
            text = None
        self._texts[source.id] = text
        if len(self._texts) > self._size:
            self._texts.popitem(last=False)
        return text


def find_passages(scanned: Text, lookup: Lookup, cache: SourceCache) -> list[Passage]:
    """Every passage of ``scanned`` that comes from an indexed source. The document is winnowed as the
    sources were, so only its fingerprints are looked up (see :mod:`rightscheck.checks.sourceindex`)."""
    shingles = fingerprints.kgram_hashes(scanned.tokens.ids.astype(np.uint64))
    chosen = fingerprints.winnow(shingles)
    hit, sids, spos, banal_hashes = lookup.seeds(shingles[chosen])
    banal_shingles = np.zeros(len(shingles), dtype=bool)
    banal_shingles[chosen[banal_hashes]] = True
    qpos = chosen[hit]
    if len(qpos) == 0:
        return []
    banal = _banal_words(banal_shingles, len(scanned.ids))
    if banal.any():  # seeds inside a stock phrase would each pull in every source that has it
        inside = np.cumsum(np.concatenate(([0], banal)))
        informative = inside[qpos + fingerprints.K] - inside[qpos] < fingerprints.K
        qpos, sids, spos = qpos[informative], sids[informative], spos[informative]
    by_source: dict[int, list[tuple[int, int]]] = {}
    for q, sid, s in zip(qpos.tolist(), sids.tolist(), spos.tolist()):
        by_source.setdefault(sid, []).append((q, s))
    # a source met only by one fingerprint that many sources share is a common phrase, not a copy: a
    # copied passage of 15+ words meets its source at several fingerprints (about 2 in 7 words are)
    shared = np.bincount(qpos)
    by_source = {sid: seeds for sid, seeds in by_source.items()
                 if len(seeds) > 1 or shared[seeds[0][0]] <= LONE_SEED_SOURCES}
    for sid in _short_lone_seeds(by_source, scanned.ids, cache):
        del by_source[sid]
    cache.prefetch(by_source)
    odds = _word_odds(scanned.tokens.ids) if by_source else np.zeros(0)
    candidates = []
    for sid, seeds in by_source.items():
        source = cache.source(sid)
        if source is None:
            continue
        source_ids = cache.ids(source)
        blocks = _select(_extend(sorted(seeds), scanned.ids, source_ids), len(scanned.ids))
        candidates.extend(Passage(source, _widen(chain, scanned.ids, source_ids, odds)) for chain in _chain(blocks)
                          if _informative(chain, banal) >= MIN_CHAIN)
    candidates = [p for p in candidates if p.exact >= MIN_EXACT_SHARE * max(p.words, p.s_end - p.s_start)]
    candidates = _without_stock(candidates, cache, len(scanned.ids))
    if not candidates:
        return []
    passages = []
    for passage in candidates:
        if _informative(passage.blocks, banal) < fingerprints.GUARANTEE:
            continue  # mostly a stock phrase many sources share: boilerplate, not reuse
        passage.source_text = cache.text(passage.source)
        if passage.source_text is not None:
            passages.append(passage)
    return passages


def _short_lone_seeds(by_source: dict[int, list[tuple[int, int]]], q: list[int], cache: SourceCache) -> list[int]:
    """Sources met by one seed whose exact run around it is shorter than a chain needs (MIN_CHAIN): they
    can give no passage. Told from a few of their words around the seed, read from the index: at a million
    sources an article meets about six through some common five-word phrase, whose whole token lists
    need not be read. The window reaches MIN_CHAIN - K words on either side: a run that long either way
    is long enough already."""
    reach = MIN_CHAIN - fingerprints.K
    lone = {sid: seeds[0] for sid, seeds in by_source.items() if len(seeds) == 1 and not cache.holds(sid)}
    if not lone:
        return []
    windows = cache.windows({sid: (max(s - reach, 0), s + fingerprints.K + reach) for sid, (_, s) in lone.items()})
    short = []
    for sid, (qi, si) in lone.items():
        start = max(si - reach, 0)
        runs = _extend([(qi, si - start)], q, windows[sid].tolist()) if sid in windows else []
        if not runs or runs[0][2] < MIN_CHAIN:
            short.append(sid)
    return short


def _without_stock(candidates: list[Passage], cache: SourceCache, length: int) -> list[Passage]:
    """Drop passages that are a stock phrase by the evidence of the archive itself: words of the document
    found in several sources, which hold them in different surroundings. Versions of one story also
    share a stretch, but in the same surroundings (TextPAIR calls the other kind banal); a document
    frequency cut alone (``df_cut``) misses a stock sentence in a few of a small archive's dispatches.
    A passage keeps its place when enough of its words are its own (MIN_CHAIN), so a real copy that
    runs into a stock sentence is still reuse, and chance matches of common words next to a stock
    sentence do not make it a passage."""
    if len(candidates) < STOCK_SOURCES:
        return candidates
    cover = np.zeros(length + 1, dtype=np.int32)
    for source_id in {p.source.id for p in candidates}:  # how many sources' passages hold each word
        held = np.zeros(length + 1, dtype=np.int32)
        for passage in candidates:
            if passage.source.id == source_id:
                for q, _, n in passage.blocks:
                    held[q:q + n] = 1
        cover += held
    common = cover >= STOCK_SOURCES
    kept = []
    for passage in candidates:
        shared = [(q, n) for q, _, n in passage.blocks if common[q:q + n].any()]
        own = sum(n - int(common[q:q + n].sum()) for q, _, n in passage.blocks)
        if not shared or own >= MIN_CHAIN:
            kept.append(passage)
            continue
        holders = [other for other in candidates
                   if any(common[max(q, other.q_start):min(q + n, other.q_end)].any() for q, n in shared)]
        contexts = {_context(cache.ids(other.source), other.s_start, other.s_end) for other in holders}
        if len(contexts) < STOCK_SOURCES:
            kept.append(passage)
    return kept


def _context(ids: list[int], start: int, end: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The words just around a stretch of a source: what tells a story's versions from unrelated texts."""
    return tuple(ids[max(start - CONTEXT, 0):start]), tuple(ids[end:end + CONTEXT])


def _informative(blocks: list[tuple[int, int, int]], banal: np.ndarray) -> int:
    """Exactly matched words outside boilerplate stretches."""
    return sum(n - int(banal[q:q + n].sum()) for q, _, n in blocks)


def _banal_words(banal_shingles: np.ndarray, length: int) -> np.ndarray:
    """Words of the stock phrases that boilerplate shingles mark. Winnowing keeps one shingle per window,
    so within a stock phrase boilerplate shingles recur at most W apart (gaps that short are inside it),
    and its first and last W - 1 words may have none of their own: they count as the phrase's too, or a
    few words matching by chance next to it would make a passage with them."""
    covered = np.zeros(length, dtype=bool)
    starts = np.flatnonzero(banal_shingles)
    if len(starts) == 0:
        return covered
    breaks = np.flatnonzero(np.diff(starts) > fingerprints.W)
    firsts, lasts = starts[np.concatenate(([0], breaks + 1))], starts[np.concatenate((breaks, [-1]))]
    edge = fingerprints.W - 1
    for first, last in zip(firsts.tolist(), lasts.tolist()):
        covered[max(first - edge, 0):last + fingerprints.K + edge] = True
    return covered


def _extend(seeds: list[tuple[int, int]], q: list[int], s: list[int]) -> list[tuple[int, int, int]]:
    """Grow each seed into a maximal exact match (q start, s start, length); seeds inside one are skipped."""
    found: dict[int, list[tuple[int, int]]] = {}
    blocks = []
    for qi, si in seeds:
        diagonal = si - qi
        if any(a <= qi < b for a, b in found.get(diagonal, ())):
            continue
        if q[qi:qi + fingerprints.K] != s[si:si + fingerprints.K]:
            continue  # hash collision
        start_q, start_s = qi, si
        while start_q > 0 and start_s > 0 and q[start_q - 1] == s[start_s - 1]:
            start_q -= 1
            start_s -= 1
        end_q, end_s = qi + fingerprints.K, si + fingerprints.K
        while end_q < len(q) and end_s < len(s) and q[end_q] == s[end_s]:
            end_q += 1
            end_s += 1
        found.setdefault(diagonal, []).append((start_q, end_q))
        blocks.append((start_q, start_s, end_q - start_q))
    return blocks


def _select(blocks: list[tuple[int, int, int]], length: int) -> list[tuple[int, int, int]]:
    """Longest first, each block keeps the longest run of scanned words no longer block claimed; in scanned order."""
    taken = bytearray(length)
    kept = []
    for q, s, n in sorted(blocks, key=lambda b: (-b[2], b[0], b[1])):
        best_start, best_len, run_start = q, 0, None
        for i in range(q, q + n + 1):
            if i < q + n and not taken[i]:
                run_start = i if run_start is None else run_start
            elif run_start is not None:
                if i - run_start > best_len:
                    best_start, best_len = run_start, i - run_start
                run_start = None
        if best_len:
            shift = best_start - q
            taken[best_start:best_start + best_len] = b"\x01" * best_len
            kept.append((best_start, s + shift, best_len))
    return sorted(kept)


def _chain(blocks: list[tuple[int, int, int]]) -> list[list[tuple[int, int, int]]]:
    """Join blocks that follow each other in both texts with small gaps into passages."""
    chains: list[list[tuple[int, int, int]]] = []
    for block in blocks:
        if chains:
            q0, s0, n0 = chains[-1][-1]
            q_gap, s_gap = block[0] - (q0 + n0), block[1] - (s0 + n0)
            if 0 <= q_gap <= GAP and 0 <= s_gap <= GAP:
                chains[-1].append(block)
                continue
        chains.append([block])
    return [chain for chain in chains if sum(b[2] for b in chain) >= fingerprints.K]


def _word_odds(ids: np.ndarray) -> np.ndarray:
    """Each word's share of the scanned document: the chance that a word picked there by accident is this
    one. Function words ("the", "of", "de", "und") have high odds in any language, with no word list."""
    if len(ids) == 0:
        return np.zeros(0)
    _, where, counts = np.unique(ids, return_inverse=True, return_counts=True)
    return counts[where] / max(len(ids), 3 / CHANCE)  # however short the text, a word seen twice is not common


def _widen(chain: list[tuple[int, int, int]], q: list[int], s: list[int], odds: np.ndarray
           ) -> list[tuple[int, int, int]]:
    """Add short exact runs, too short to seed, just beyond either end of a passage, so a word changed near
    its start or end shows up as an edit instead of silently shortening the passage. A run is added when
    a chance match that close is unlikely (below CHANCE): the product of its words' odds (``odds``, see
    :func:`_word_odds`) times the places it could have been met, which is one for a run just past a
    substitution of up to EDGE_SUBSTITUTION words on the passage's own alignment, and every pair of
    offsets up to its gaps otherwise (within GAP). Function words (odds of CHANCE or more) never bridge
    inserted or dropped words on their own, and a lone one nothing; a passage whose second word was
    changed still starts at its first."""
    q0, s0, _ = chain[0]
    before = SequenceMatcher(None, q[max(q0 - REACH, 0):q0], s[max(s0 - REACH, 0):s0], autojunk=False)
    head = sorted({(max(q0 - REACH, 0) + a, max(s0 - REACH, 0) + b, n) for a, b, n in before.get_matching_blocks()}
                  | _past_substitution(q, s, q0 - 1, s0 - 1, -1))
    q1, s1, n1 = chain[-1]
    qe, se = q1 + n1, s1 + n1
    after = SequenceMatcher(None, q[qe:qe + REACH], s[se:se + REACH], autojunk=False)
    tail = sorted({(qe + a, se + b, n) for a, b, n in after.get_matching_blocks()} | _past_substitution(q, s, qe, se, 1))

    def joins(block: tuple[int, int, int], q_gap: int, s_gap: int) -> bool:
        if block[2] == 0 or not (0 <= q_gap <= GAP and 0 <= s_gap <= GAP):
            return False
        run = odds[block[0]:block[0] + block[2]]
        aligned = q_gap == s_gap <= EDGE_SUBSTITUTION
        if not aligned and (run >= CHANCE).all():
            return False  # function words alone bridging inserted or dropped words: chance, whatever their number
        return (1 if aligned else (q_gap + 1) * (s_gap + 1)) * float(np.prod(run)) < CHANCE

    prefix: list[tuple[int, int, int]] = []
    for block in reversed(head):
        first = (prefix or chain)[0]
        if joins(block, first[0] - block[0] - block[2], first[1] - block[1] - block[2]):
            prefix.insert(0, block)
    suffix: list[tuple[int, int, int]] = []
    for block in tail:
        last = (suffix or chain)[-1]
        if joins(block, block[0] - last[0] - last[2], block[1] - last[1] - last[2]):
            suffix.append(block)
    return prefix + chain + suffix


def _past_substitution(q: list[int], s: list[int], qi: int, si: int, step: int) -> set[tuple[int, int, int]]:
    """The exact run just past up to EDGE_SUBSTITUTION changed words beyond a passage's end (``step`` 1)
    or start (-1), on its own alignment; the best matching blocks of the area may cross it and hide it."""
    for gap in range(1, EDGE_SUBSTITUTION + 1):
        i, j = qi + step * gap, si + step * gap
        if not (0 <= i < len(q) and 0 <= j < len(s)) or q[i] != s[j]:
            continue
        n = 0
        while 0 <= i + step * n < len(q) and 0 <= j + step * n < len(s) and q[i + step * n] == s[j + step * n]:
            n += 1
        return {(i, j, n) if step > 0 else (i - n + 1, j - n + 1, n)}
    return set()


# -- judging passages against quotation terms -------------------------------------------------------

@dataclass
class Judgement:
    findings: list[Finding]
    evidence: dict[str, list[Evidence]]  # pack id -> reuse evidence for the attribution check


def judge(scanned: Text, passages: list[Passage], packs: dict[str, Pack], licences: frozenset[str],
          overrides: dict[str, dict]) -> Judgement:
    """Quotation-limit and modified-content findings, and reuse evidence per pack."""
    result = Judgement([], {})
    by_source: dict[int, list[Passage]] = {}
    for passage in passages:
        by_source.setdefault(passage.source.id, []).append(passage)
    for group in by_source.values():
        source = group[0].source
        pack = packs.get(source.pack or "")
        if pack is None:
            continue  # a source no pack claims: no terms to hold it against
        terms = pack.quotation.merged(overrides.get(pack.id, {}))
        reused = [p for p in group if p.exact >= terms.min_passage_words]
        if not reused:
            continue
        evidence = [_evidence(scanned, p) for p in reused]
        result.evidence.setdefault(pack.id, []).append(evidence[0])
        if not (pack.id in licences and terms.allow_with_licence):
            result.findings.extend(_limits(scanned, pack, terms, reused, evidence))
        if terms.no_derivatives:
            for passage, anchor in zip(reused, evidence):
                edits = _edits(scanned, passage, _credit_tokens(passage, pack))
                if edits:
                    values = {**template_values(pack, anchor), "evidence": edits}
                    result.findings.append(make_finding(scanned.doc, pack, "modified-content", anchor, values))
    return result


def _limits(scanned: Text, pack: Pack, terms: Quotation, reused: list[Passage],
            evidence: list[Evidence]) -> list[Finding]:
    findings = []
    for passage, anchor in zip(reused, evidence):
        limit, what = terms.max_passage_words, "in one passage"
        if terms.max_quoted_words is not None and _quoted(scanned, passage) and _credited_near(scanned, passage, pack):
            limit, what = terms.max_quoted_words, "in a credited quotation"
        if limit is not None and passage.words > limit:
            values = {**template_values(pack, anchor), "limit": f"{limit} words {what}"}
            findings.append(make_finding(scanned.doc, pack, "quotation-limit", anchor, values))
    if findings:
        return findings
    total = sum(p.words for p in reused)
    share = _coverage(reused) / max(reused[0].source.tokens, 1)
    over = []
    if terms.max_total_words is not None and total > terms.max_total_words:
        over.append(f"{terms.max_total_words} words from one source")
    if terms.max_source_share is not None and share > terms.max_source_share:
        over.append(f"{terms.max_source_share:.0%} of one source")
    if over:
        anchor = _all_passages(scanned, evidence, total, share)
        values = {**template_values(pack, anchor), "words": str(total),
                  "limit": f"{' or '.join(over)} (this takes {share:.0%})"}
        findings.append(make_finding(scanned.doc, pack, "quotation-limit", anchor, values))
    return findings


def _all_passages(scanned: Text, evidence: list[Evidence], total: int, share: float) -> Evidence:
    """The first passage's evidence for a finding about everything taken from one source: its ``source``
    also carries the totals held against the terms and every passage counted (with its scanned lines)."""
    first = evidence[0]
    passages = [{"scanned_line": scanned.doc.line_col(e.start)[0],
                 "scanned_end_line": scanned.doc.end_line_col(e.end)[0], **e.source} for e in evidence]
    return replace(first, source={**first.source, "total_words": total, "total_share": round(share, 4),
                                  "passages": passages})


def _coverage(passages: list[Passage]) -> int:
    covered: set[int] = set()
    for p in passages:
        covered.update(range(p.s_start, p.s_end))
    return len(covered)


def _evidence(scanned: Text, passage: Passage) -> Evidence:
    """Evidence located on the scanned passage, carrying where in the source it comes from."""
    start, end = scanned.char_span(passage.q_start, passage.q_end)
    source_doc = passage.source_text.doc
    s_start, s_end = passage.source_text.char_span(passage.s_start, passage.s_end)
    source = {
        "path": passage.source.path,
        "line": source_doc.line_col(s_start)[0],
        "end_line": source_doc.end_line_col(s_end)[0],
        "words": passage.words,
        "share": round((passage.s_end - passage.s_start) / max(passage.source.tokens, 1), 4),
        "scanned_excerpt": _excerpt(scanned, passage.q_start, passage.q_end, _edited(passage, 0), "{+", "+}"),
        "source_excerpt": _excerpt(passage.source_text, passage.s_start, passage.s_end, _edited(passage, 1),
                                   "[-", "-]"),
        # the whole passages, marked the same way, for reports with room for them (HTML)
        "scanned_passage": _excerpt(scanned, passage.q_start, passage.q_end, _edited(passage, 0), "{+", "+}",
                                    PASSAGE),
        "source_passage": _excerpt(passage.source_text, passage.s_start, passage.s_end, _edited(passage, 1),
                                   "[-", "-]", PASSAGE),
    }
    return Evidence("reused-text", 0.0, start, end, scanned.doc.text[start:end], source=source)


def _edited(passage: Passage, side: int) -> set[int]:
    return {i for gap in passage.gaps() for i in range(*gap[side])}


def _excerpt(text: Text, start: int, end: int, marked: set[int], open_mark: str, close_mark: str,
             limit: int = EXCERPT) -> str:
    """The passage's own text, whitespace folded, edited words wrapped in marks, cut to ``limit`` characters."""
    pieces = []
    cursor = text.char_span(start, start + 1)[0]
    for i, (a, b) in enumerate(text.words(start, end), start):
        pieces.append(text.doc.text[cursor:a])
        word = text.doc.text[a:b]
        pieces.append(f"{open_mark}{word}{close_mark}" if i in marked else word)
        cursor = b
    excerpt = " ".join("".join(pieces).split())
    return excerpt if len(excerpt) <= limit else excerpt[: limit - 1] + "…"


def _credit_tokens(passage: Passage, pack: Pack) -> set[int]:
    """Source tokens inside the pack's own credits and notices in the source: the scanned side has them
    masked (see :func:`signal_spans`), so they must not count as words the republisher deleted."""
    source = passage.source_text
    spans = signal_spans(source.doc, [pack], {pack.id: signal_matches(source.doc, pack)})
    if not spans:
        return set()
    starts = source.tokens.starts
    return {i for a, b in spans for i in range(int(np.searchsorted(starts, a)), int(np.searchsorted(starts, b)))}


def _edits(scanned: Text, passage: Passage, credit: set[int] = frozenset()) -> str:
    """The differing words, e.g. '"Sunday" -> "Monday"; +"very"', for modified-content evidence; source
    words of the pack's own credit (``credit``) deleted on the scanned side are not an edit."""
    out = []
    gaps = [gap for gap in passage.gaps() if gap[0][0] < gap[0][1] or not credit.issuperset(range(*gap[1]))]
    for (qa, qb), (sa, sb) in gaps[:3]:
        new = _words(scanned, qa, qb)
        old = _words(passage.source_text, sa, sb)
        if new and old:
            out.append(f'"{old}" -> "{new}"')
        elif new:
            out.append(f'+"{new}"')
        else:
            out.append(f'-"{old}"')
    more = len(gaps) - 3
    return "; ".join(out) + (f"; {more} more" if more > 0 else "")


def _words(text: Text, start: int, end: int) -> str:
    return " ".join(text.doc.text[a:b] for a, b in text.words(start, end))


def _quoted(scanned: Text, passage: Passage) -> bool:
    """Whether the passage sits inside quotation marks."""
    text = scanned.doc.text
    start, end = scanned.char_span(passage.q_start, passage.q_end)
    before = text[max(start - 3, 0):start].strip()
    after = text[end:end + 4].strip(" \t\n.,;:!?")
    return bool(before) and before[-1] in _OPEN_QUOTES and bool(after) and after[0] in _CLOSE_QUOTES


def _credited_near(scanned: Text, passage: Passage, pack: Pack) -> bool:
    start, end = scanned.char_span(passage.q_start, passage.q_end)
    start, end = start - NEARBY, end + NEARBY
    return any(form.search(scanned.doc, start, end) for part in pack.parts for form in part.forms)


class ReuseChecker:
    """Everything a scan needs to check documents against sources: where seeds come from (``lookup``, asked
    per document), the sources they name (``cache``), the packs' terms. Built once per scan from an index
    (:meth:`of_index`), or per document from seeds and sources handed in (a distributed join)."""

    def __init__(self, lookup, cache: SourceCache, packs: list[Pack], config: Config, name: str = "",
                 source_roots: Iterable[str] = ()):
        self.source_roots = list(source_roots)
        self.lookup = lookup
        self.cache = cache
        self.index_name = name
        self.by_id = {pack.id: pack for pack in packs}
        self.overrides = config.quotation

    @classmethod
    def of_index(cls, index: SourceIndex, packs: list[Pack], config: Config, dirs: list[SourceDir]
                 ) -> "ReuseChecker":
        """A checker asking ``index``, which must stay open while it is used; ``dirs`` are the source folders."""
        return cls(index.lookup(), SourceCache(index), packs, config, index.name,
                   [os.path.realpath(d.path) for d in dirs])

    def check(self, doc: Document, found: dict[str, dict[Matcher, Match | None]], licences: frozenset[str]
              ) -> Judgement:
        """Reuse findings and evidence for ``doc``; ``found`` is each selected pack's signal matches,
        ``licences`` the packs licensed for this document."""
        scanned = Text(doc, signal_spans(doc, list(self.by_id.values()), found))
        try:
            with self.cache.reading():
                passages = find_passages(scanned, self.lookup, self.cache)
        except sqlite3.DatabaseError as exc:  # an index too big to check whole on open (see sourceindex)
            raise RightscheckError(f"index damaged ({exc}); `rightscheck index build` rebuilds it",
                                   self.index_name) from None
        return judge(scanned, passages, self.by_id, licences, self.overrides)
