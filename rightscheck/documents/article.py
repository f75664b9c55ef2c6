"""Telling a page's article from its chrome (navigation, header and footer, related-story and promo
widgets, share bars, comments), as readability and trafilatura do, but over the blocks the HTML reader
recorded, so the answer is a set of ranges of the visible text and every offset still maps back to the
page source.

The article is found in three steps: the block with the best paragraph score (readability's measure:
paragraph text scored to its parent and half to its grandparent, weighted by class/id hints and link
density; schema.org ``articleBody`` wins outright), or the block holding it and several blocks that
score nearly as well (an article spread over slides or steps, as readability gathers them; not a list
of teasers); widened to the ancestors that add little text of their own (the article's header, byline
and lead photo, not the sidebar), and back to the article's headline if it stands just before; then
chrome inside it is cut out: ``nav``/``aside``, blocks whose class or id names a widget (unless they
are images linking nowhere: the article's own photo or slideshow, or the header holding the headline),
blocks that are mostly link text (not a lead photo linking to its enlargement), and the page's
statement of its own licence (a short block with a ``rel="license"`` link: a site licensing its own
writing is not republishing anyone's). A page with no such block (a bare list, text straight in
``<body>``) is the whole page minus its chrome.
"""

from __future__ import annotations

import bisect
from typing import Sequence, TypeVar

from rightscheck.documents.blocks import Block
from rightscheck.documents.htmltext import ARTICLE_BODY, CHROME, CONTENT

BODY_MIN_PROSE, BODY_MIN_SHARE = 100, 0.1  # a block marked as the article body is believed with this much prose
MEDIA_LINK_SHARE = 0.15  # a captioned picture whose one link holds at most this share of its text is media
LEAD_GAP = 200  # characters of visible text between a lead picture and the article body it heads
MIN_SCORE = 5.0  # a top block below this (about one short paragraph) is no article: the page as a whole is
# blocks scoring at least this share of the top's are its rivals; this many of them inside an ancestor of the top
# make that ancestor the article, if at most this share of its text is links
RIVAL, GATHER, GATHER_LINKS = 0.5, 3, 0.25
WIDEN_RATIO, WIDEN_SLACK = 1.3, 400  # an ancestor joins if its text is at most this much more than the top's
HEADLINE_REACH = 1500  # characters of visible text between a headline before the article and its start,
HEADLINE_PROSE = 600  # or of prose (share bars, tag lists and menus are links)
# a block with more link text than this share, at least this much text and less prose than that is a link list;
# a wrapper with more prose of its own is not, though the lists inside it are
LINK_DENSE, LINK_DENSE_CHARS, LINK_DENSE_PROSE = 0.5, 80, 200
OWN_LICENCE_CHARS = 500  # a block with a rel="license" link up to this long is the page's licence statement
_CHROME_TAGS = frozenset({"nav", "aside", "form"})
_PAGE_CHROME_TAGS = _CHROME_TAGS | {"header", "footer"}  # outside an article, header and footer are the site's
_SEMANTIC = frozenset({"article", "main"})
_LISTS = frozenset({"ul", "ol"})
_TOP_LEVEL = frozenset({"body", "html"})

Spans = list[tuple[int, int]]
T = TypeVar("T")


def article_spans(blocks: Sequence[Block], length: int) -> Spans:
    """Sorted, disjoint ranges [start, end) of the visible text that are the page's article."""
    chrome = _Chrome(blocks)
    top = _top(blocks, chrome)
    if top is None:  # one past the end, so an image after the last text is in it too
        return _without(0, length + 1, blocks, chrome, _PAGE_CHROME_TAGS)
    region = _widened(blocks, top, chrome)
    headline = _headline(blocks, region)
    start = _lead_media(blocks, region.start, chrome)
    start = min(start, headline.start) if headline else start
    return _without(start, region.end, blocks, chrome, _CHROME_TAGS, headline, top.start)


def region_of(spans: Spans, offset: int) -> str:
    """"article" or "chrome" for a visible-text offset."""
    return "article" if in_article(spans, [offset], [offset]) else "chrome"


def in_article(spans: Spans, items: list[T], offsets: list[int]) -> list[T]:
    """The ``items`` (a page's links or images, in the order of their ``offsets`` in the visible text, as
    the reader records them) that stand in the article: two binary searches per span, not one per item."""
    return [item for start, end in spans
            for item in items[bisect.bisect_left(offsets, start):bisect.bisect_left(offsets, end)]]


def _prose(block: Block) -> int:
    return block.chars - block.links


def _media(block: Block) -> bool:
    """Images with no link to anywhere, or one picture whose one link (to its enlargement) is a small part of
    a captioned block: the article's own photo, gallery or slideshow, whatever its class says ("widget",
    "carousel", "teaser"); a widget of other stories links to them, its link text most of what it says."""
    return block.images > 0 and (block.hrefs == 0 or block.images == block.hrefs == 1
                                 and block.links <= MEDIA_LINK_SHARE * block.chars)


class _Chrome:
    """Which blocks are chrome. A class or id naming a widget is believed only for a block holding less
    than half the page's prose: sites put words like "nav" on the wrapper of the whole page too."""

    def __init__(self, blocks: Sequence[Block]) -> None:
        self.most = max(map(_prose, blocks), default=0)  # the most prose of any block: the page's
        self._half = self.most / 2

    def __call__(self, block: Block, tags: frozenset[str], hint: bool = True, dense: bool = True) -> bool:
        """Whether ``block`` is chrome: by its tag, its class (unless not ``hint``), being the page's own
        licence, or being a link list (unless not ``dense``)."""
        if block.tag in tags:
            return True
        if hint and block.hint == CHROME and _prose(block) < self._half and not _media(block):
            return True
        if block.own_licence and block.chars <= OWN_LICENCE_CHARS:
            return True
        return (dense and block.hrefs > 0 and block.chars >= LINK_DENSE_CHARS and block.links > LINK_DENSE * block.chars
                and _prose(block) < LINK_DENSE_PROSE)

    def around(self, blocks: Sequence[Block], block: Block) -> bool:
        """Whether some ancestor of ``block`` is chrome."""
        parent = block.parent
        while parent >= 0:
            if self(blocks[parent], _PAGE_CHROME_TAGS):
                return True
            parent = blocks[parent].parent
        return False


def _top(blocks: Sequence[Block], chrome: _Chrome) -> Block | None:
    # an itemtype NewsArticle on <html> or <body> says what the page is, not where its article is; a marked
    # block with a small share of the page's prose is metadata (a hidden schema.org summary), not the body
    least = max(BODY_MIN_PROSE, BODY_MIN_SHARE * chrome.most)
    bodies = [b for b in blocks if b.hint == ARTICLE_BODY and _prose(b) >= least and b.tag not in _TOP_LEVEL]
    if bodies:
        return max(bodies, key=_prose)
    scored = []
    for block in blocks:
        if not block.score or block.tag in _TOP_LEVEL:
            continue
        weight = 1.25 if block.hint == CONTENT or block.tag in _SEMANTIC else 1.0
        if chrome(block, _PAGE_CHROME_TAGS) or chrome.around(blocks, block):
            weight = 0.2
        scored.append((block.score * weight * (_prose(block) / block.chars if block.chars else 0.0), block))
    best_score, best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
    if best is None or best_score <= MIN_SCORE:
        return None
    rivals = [block for score, block in scored if score >= RIVAL * best_score and block is not best]
    return _gathered(blocks, best, rivals, chrome)


def _gathered(blocks: Sequence[Block], top: Block, rivals: list[Block], chrome: _Chrome) -> Block:
    """The ancestor of ``top`` that holds at least ``GATHER`` of its ``rivals`` (blocks that score nearly as
    high, neither inside it nor around it), as readability does: an article spread over many blocks of its
    own (the slides of a slideshow, the steps of a guide) is the block that holds them, unless that is a
    listing: a list (``ul``, ``ol``: a front page's stream of teasers) or much link text."""
    starts = sorted(r.start for r in rivals if not (top.start <= r.start and r.end <= top.end)
                    and not (r.start <= top.start and top.end <= r.end))
    if len(starts) < GATHER:
        return top
    parent = top.parent
    while parent >= 0:
        block = blocks[parent]
        if block.tag in _TOP_LEVEL or chrome(block, _PAGE_CHROME_TAGS):
            break
        if bisect.bisect_left(starts, block.end) - bisect.bisect_left(starts, block.start) >= GATHER:
            listing = block.tag in _LISTS or block.links > GATHER_LINKS * block.chars
            return top if listing else block
        parent = block.parent
    return top


def _widened(blocks: Sequence[Block], top: Block, chrome: _Chrome) -> Block:
    """The highest ancestor of ``top`` that adds little text of its own (header, byline, lead photo)."""
    own = _prose(top)
    region, parent = top, top.parent
    while parent >= 0:
        block = blocks[parent]
        if block.tag in _TOP_LEVEL or chrome(block, _PAGE_CHROME_TAGS):
            break
        if _prose(block) > own * WIDEN_RATIO + WIDEN_SLACK:
            break
        region, parent = block, block.parent
    return region


def _lead_media(blocks: Sequence[Block], start: int, chrome: _Chrome) -> int:
    """Where the article begins if its lead picture (a ``figure`` or a block of unlinked images, not in chrome)
    ends just before ``start``: a gallery or photo set above the body in a wrapper of its own."""
    for block in blocks:
        if block.start >= start:
            break
        if (0 <= start - block.end <= LEAD_GAP and block.images and (block.tag == "figure" or _media(block))
                and not chrome(block, _PAGE_CHROME_TAGS) and not chrome.around(blocks, block)):
            return block.start  # the outermost such block: blocks come in document order of their start
    return start


def _headline(blocks: Sequence[Block], region: Block) -> Block | None:
    """The article's headline: its first ``h1``, else the last one before it if it stands just before it,
    with little prose between them (a byline, a standfirst, a caption; share bars and menus are links).
    A site's name in an ``h1`` at the top of the page is not it."""
    headline = None
    for block in blocks:
        if block.start >= region.end:
            break
        if block.tag == "h1":
            headline = block
            if block.start >= region.start:
                return block
    if headline is None:
        return None
    between = region.before - headline.before - _prose(headline)
    if region.start - headline.start <= HEADLINE_REACH or between <= HEADLINE_PROSE:
        return headline
    return None


def _without(start: int, end: int, blocks: Sequence[Block], chrome: _Chrome, tags: frozenset[str],
             headline: Block | None = None, body: int = -1) -> Spans:
    """[start, end) minus the chrome blocks inside it (outermost ones; their contents go with them). The
    block holding the ``headline`` is the article's header whatever its class says ("banner"), and a
    photo that links to its enlargement in the head of the article (before its ``body``) is its lead
    photo, not a link list; what is chrome inside them still goes."""
    spans, cursor = [], start
    at = headline.start if headline else -1
    for block in blocks:  # in document order of their start
        if block.start < cursor or block.end > end or block.start >= end or block.tag in _TOP_LEVEL:
            continue
        if block.start <= start and block.end >= end:
            continue  # the article itself (or the page), however many links it holds
        heading = block.start <= at < block.end
        lead = block.start < body and block.images > 0 and block.hrefs <= 1
        if block.end > block.start and chrome(block, tags, hint=not heading, dense=not lead):
            if block.start > cursor:
                spans.append((cursor, block.start))
            cursor = block.end
    if end > cursor:
        spans.append((cursor, end))
    return spans
