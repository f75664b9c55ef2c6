"""Seeds and sources handed to the reuse check instead of asked of an index: what a distributed join (the
Spark engine) has already found for one document. The local index's :class:`~rightscheck.checks.sourceindex.Lookup`
and this module answer the same questions the same way, so :func:`~rightscheck.checks.reuse.find_passages`
and everything after it run unchanged, and both engines report the same passages."""

from __future__ import annotations

import contextlib
from typing import Iterable

import numpy as np

from rightscheck.checks.sourceindex import Source

_NONE = np.empty(0, dtype=np.int64)


class GivenSeeds:
    """One document's postings (signed 64-bit hash -> [(source id, position)], each list in (source,
    position) order as the index keeps them) and which of its hashes are boilerplate."""

    def __init__(self, postings: dict[int, list[tuple[int, int]]] | None = None, banal: Iterable[int] = ()):
        self._postings = postings or {}
        self._banal = np.fromiter(banal, dtype=np.int64)

    def seeds(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """As :meth:`rightscheck.checks.sourceindex.Lookup.seeds`."""
        signed = query.view(np.int64)
        qpos, sids, spos = [], [], []
        for i, value in enumerate(signed.tolist()):
            for sid, pos in self._postings.get(value, ()):
                qpos.append(i)
                sids.append(sid)
                spos.append(pos)
        as_array = (lambda values: np.array(values, dtype=np.int64)) if qpos else (lambda values: _NONE)
        return as_array(qpos), as_array(sids), as_array(spos), np.isin(signed, self._banal)


class AskedSeeds(GivenSeeds):
    """No seeds, but the hashes asked kept (:attr:`asked`): a document's winnowed fingerprints, exactly as
    the reuse check computes them (credits and notices masked), for a join to look up."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = np.empty(0, dtype=np.uint64)

    def seeds(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        self.asked = query
        return super().seeds(query)


class HeldSources:
    """Sources with their token ids and bytes in hand, answering what
    :class:`~rightscheck.checks.reuse.SourceCache` asks of an index."""

    def __init__(self, held: Iterable[tuple[Source, np.ndarray, bytes, str | None]] = ()):
        self._held = {source.id: (source, ids, data, charset) for source, ids, data, charset in held}

    def reading(self) -> contextlib.AbstractContextManager:
        return contextlib.nullcontext()

    def with_token_ids(self, ids: list[int]) -> dict[int, tuple[Source, np.ndarray]]:
        return {i: self._held[i][:2] for i in ids if i in self._held}

    def sources(self, ids: Iterable[int] = ()) -> dict[int, Source]:
        return {i: self._held[i][0] for i in ids if i in self._held}

    def token_ids(self, source_id: int) -> np.ndarray:
        held = self._held.get(source_id)
        return held[1] if held else np.empty(0, dtype=np.uint32)

    def source_bytes(self, source: Source) -> tuple[bytes, str | None]:
        held = self._held.get(source.id)
        if held is None:
            raise FileNotFoundError(source.real_path)
        return held[2], held[3]
