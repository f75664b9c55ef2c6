"""A Bloom filter over 64-bit hashes, kept as a numpy bit array so an index can store it as one blob."""

from __future__ import annotations

import numpy as np


class Bloom:
    """A Bloom filter of the posted fingerprint hashes: about 97% of a scanned document's fingerprints
    are in no source, and telling so from memory instead of an index seek each is most of a scan's
    lookup cost. 8 bits per hash and 4 probes (derived from the hash's own two halves, which are already
    well mixed): about 2.4% false "maybe", never a false "no"."""

    BITS_PER_HASH = 8
    PROBES = 4

    def __init__(self, bits: np.ndarray):
        self.bits = bits
        self.capacity = len(bits) * 8 // self.BITS_PER_HASH
        self._mask = np.uint64(len(bits) * 8 - 1)

    @classmethod
    def sized(cls, capacity: int) -> "Bloom":
        size = 1 << max(16, int(capacity * cls.BITS_PER_HASH - 1).bit_length())  # bits: a power of two
        return cls(np.zeros(size // 8, dtype=np.uint8))

    def _probes(self, hashes: np.ndarray) -> np.ndarray:
        unsigned = hashes.view(np.uint64)
        probes = np.empty((self.PROBES, len(unsigned)), dtype=np.uint64)
        np.bitwise_and(unsigned, np.uint64(0xFFFFFFFF), out=probes[0])
        step = (unsigned >> np.uint64(32)) | np.uint64(1)
        for i in range(1, self.PROBES):  # low + i * high, a step at a time
            np.add(probes[i - 1], step, out=probes[i])
        probes &= self._mask
        return probes

    def add(self, hashes: np.ndarray) -> None:
        """Set the hashes' bits: all at once, then again those another probe of the same byte overwrote (a
        million-source build's 724 M probes: 107 against 150 ms a bucket for a pass per bit value)."""
        probes = self._probes(hashes).ravel()
        at, bit = (probes >> np.uint64(3)).astype(np.intp), np.uint8(1) << (probes & np.uint64(7)).astype(np.uint8)
        while len(at):  # two probes of one byte: the last one's write wins, and the others are set again
            self.bits[at] |= bit
            lost = (self.bits[at] & bit) == 0
            at, bit = at[lost], bit[lost]

    def may_hold(self, hashes: np.ndarray) -> np.ndarray:
        probes = self._probes(hashes)
        found = self.bits[(probes >> np.uint64(3)).astype(np.int64)] & (np.uint8(1) << (probes & np.uint64(7)).astype(np.uint8))
        return np.all(found != 0, axis=0)
