"""Winnowed k-gram fingerprints (Schleimer, Wilkerson & Aiken 2003, as in MOSS).

A source's token ids are hashed in overlapping k-grams; of every window of ``w``
consecutive k-gram hashes the minimum (rightmost on ties) is kept. Any run of at
least ``w + k - 1`` identical tokens shared by two texts therefore shares at least
one kept fingerprint, so indexing only ~2/(w+1) of the positions loses no match of
that length. Vectorised with numpy: this is the hot loop of index building.
"""

from __future__ import annotations

import numpy as np

K = 5  # words per shingle
W = 6  # winnowing window: every shared run of K + W - 1 = 10 words is guaranteed a fingerprint
GUARANTEE = K + W - 1
_BASE = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier; uint64 arithmetic wraps


def kgram_hashes(ids: np.ndarray, k: int = K) -> np.ndarray:
    """Hash of every k-gram of a uint64 token-id array (empty when shorter than k)."""
    count = len(ids) - k + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    hashes = ids[:count].copy()
    for j in range(1, k):
        hashes *= _BASE
        hashes += ids[j:j + count]
    return hashes


def winnow(hashes: np.ndarray, w: int = W) -> np.ndarray:
    """Positions selected by robust winnowing (rightmost minimum of each window), ascending and unique."""
    if len(hashes) == 0:
        return np.empty(0, dtype=np.int64)
    n = len(hashes) - w + 1
    if n <= 0:  # shorter than one window: that window's rightmost minimum
        return np.array([len(hashes) - 1 - int(np.argmin(hashes[::-1]))], dtype=np.int64)
    minimum = hashes[:n].copy()
    for j in range(1, w):
        np.minimum(minimum, hashes[j:j + n], out=minimum)
    chosen = np.full(n, -1, dtype=np.int64)
    start = np.arange(n, dtype=np.int64)
    for j in range(w - 1, -1, -1):
        hit = (chosen < 0) & (hashes[j:j + n] == minimum)
        chosen[hit] = start[hit] + j
    keep = np.ones(n, dtype=bool)
    keep[1:] = chosen[1:] != chosen[:-1]
    return chosen[keep]


def fingerprint(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(hashes, positions) to index for a source's token ids."""
    hashes = kgram_hashes(np.asarray(ids, dtype=np.uint64))
    positions = winnow(hashes)
    return hashes[positions], positions.astype(np.uint32)
