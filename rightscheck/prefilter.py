"""One keyword pass per document for every pack at once.

Each pack gates its patterns behind literal keywords (as gitleaks does): a document naming none of them
cannot match. Asking "does this text contain any of these words?" pack by pack costs one substring search
per keyword per document; an Aho-Corasick automaton over every keyword of every pack answers for all of
them in a single pass over the case-folded text (about 130 MB/s here, 5x the substring loop and 17x a
regex alternation; see README, Dependencies)."""

from __future__ import annotations

from typing import Iterable

import ahocorasick

from rightscheck.documents import Document, keyword_at
from rightscheck.packs import Pack


class Prefilter:
    def __init__(self, packs: Iterable[Pack]) -> None:
        words = sorted({keyword for pack in packs for keywords, target, _ in pack.keyword_groups if target == "text"
                        for keyword in keywords})
        self._automaton = ahocorasick.Automaton() if words else None
        for word in words:
            self._automaton.add_word(word, word)
        if self._automaton is not None:
            self._automaton.make_automaton()

    def apply(self, doc: Document) -> None:
        """Record in ``doc`` which keywords it contains, so each pack's gate is a set lookup."""
        if self._automaton is None:
            doc.keywords_present = frozenset()
        else:
            text = doc.folded
            doc.keywords_present = frozenset(word for end, word in self._automaton.iter(text)
                                             if keyword_at(text, end - len(word) + 1, word))
