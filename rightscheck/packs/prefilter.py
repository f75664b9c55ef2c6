"""One keyword pass per document for every pack at once.

Each pack gates its patterns behind literal keywords (as gitleaks does): a document naming none of them
cannot match. One :class:`~rightscheck.text.keywords.KeywordSearch` over every keyword of every pack answers for
all of them in a single pass (see README, Dependencies, for the figures)."""

from __future__ import annotations

from typing import Iterable

from rightscheck.documents.document import Document
from rightscheck.text.keywords import KeywordSearch
from rightscheck.packs.pack import Pack, matchers
from rightscheck.packs.windows import OVERHEAD


class Prefilter:
    def __init__(self, packs: Iterable[Pack]) -> None:
        packs = list(packs)
        self._by_keyword: dict[str, set[str]] = {}  # keyword -> packs with a text signal it gates
        self._always: set[str] = set()  # packs with a text signal no keyword gates
        # "links"/"images" -> keywords of such signals -> their packs (the CC packs share theirs: asked once)
        self._by_target: dict[str, dict[tuple[str, ...], set[str]]] = {"links": {}, "images": {}, "captions": {}}
        for pack in packs:
            for keywords, target, _ in pack.keyword_groups:
                if target != "text":
                    self._by_target[target].setdefault(keywords, set()).add(pack.id)
                elif not keywords:
                    self._always.add(pack.id)
                for keyword in keywords if target == "text" else ():
                    self._by_keyword.setdefault(keyword, set()).add(pack.id)
        self._search = KeywordSearch(self._by_keyword)
        self._text_matchers = [m for m in matchers(packs) if m.target == "text"]
        self._required: frozenset[bytes] | None = None

    def apply(self, doc: Document) -> None:
        """Record in ``doc`` which keywords it contains, so each pack's gate is a set lookup, and what the
        folded text the keywords were looked for in says of patterns' required literals."""
        doc.folded, doc.breaks_literals, doc.keywords_present = self._search.fold_and_find(
            doc.text, len(doc.text) // OVERHEAD, self._literals)

    def _literals(self) -> frozenset[bytes]:
        """The required literals of every text pattern of the packs, worked out at the first text big enough
        to need them recorded (rightscheck.text.folded): a few files do not pay for it."""
        if self._required is None:
            self._required = frozenset(string for matcher in self._text_matchers for group in matcher.literals or ()
                                       for string in group)
        return self._required

    def candidates(self, doc: Document) -> set[str]:
        """Ids of the packs that may have a signal in ``doc`` (after :meth:`apply`): the others need not be
        asked at all, which on a typical article is most of them."""
        ids = set(self._always)
        for word in doc.keywords_present or ():
            ids |= self._by_keyword[word]
        for target, gates in self._by_target.items():
            if not (doc.links if target == "links" else doc.images):  # nothing such gates could be about
                continue
            for keywords, packs in gates.items():
                if doc.mentions(keywords, target):
                    ids |= packs
        return ids
