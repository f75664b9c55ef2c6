"""A Bloom filter over 64-bit hashes, kept as a numpy bit array so an index can store it as one blob."""

from __future__ import annotations

import numpy as np

_WORD = np.dtype("<u8")
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd: a product's top bits depend on every bit of the hash
_PIECE = 1 << 14  # hashes add() probes at a time: a few arrays of 128 KB


class Bloom:
    """A Bloom filter of the posted fingerprint hashes: about 97% of a scanned document's fingerprints
    are in no source, and telling so from memory instead of an index seek each is most of a scan's
    lookup cost. 8 bits per hash, set 2 at a time in 2 64-bit words: 2 memory reads a question instead
    of 4 bits anywhere (a million sources' filter, 256 MB: half the time to fill, a third to ask) for
    2.6% false "maybe" instead of 2.4%; never a false "no"."""

    BITS_PER_HASH = 8
    WORDS = 2  # words a hash sets bits in
    BITS = 2  # bits it sets in each

    def __init__(self, bits) -> None:
        """``bits``: the filter's bytes (an array, a mapped file, or a blob read as it is asked; see
        sourceindex), a power of two of them."""
        self.bits = bits
        self.capacity = len(bits) * 8 // self.BITS_PER_HASH
        self._words = bits.view(_WORD) if isinstance(bits, np.ndarray) else bits
        self._mask = np.uint64(len(bits) // _WORD.itemsize - 1)

    @staticmethod
    def can_be(size: int) -> bool:
        """Whether a filter can be ``size`` bytes: a power of two of 64-bit words, as :meth:`sized` makes
        (the probes mask word numbers), so stored bytes of any other size are damage."""
        return size >= _WORD.itemsize and not size & (size - 1)

    @classmethod
    def sized(cls, capacity: int) -> "Bloom":
        size = 1 << max(16, int(capacity * cls.BITS_PER_HASH - 1).bit_length())  # bits: a power of two
        return cls(np.zeros(size // 8, dtype=np.uint8))

    def _probes(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The words each hash sets bits in, and those bits: WORDS rows of len(hashes). The words come from
        the hash's two halves (its low bits are well mixed); the bits from a product's top bits, since
        winnowing keeps a window's least hash, whose own top bits are not uniform."""
        unsigned = hashes.view(np.uint64)
        low, step = unsigned & np.uint64(0xFFFFFFFF), (unsigned >> np.uint64(32)) | np.uint64(1)
        mixed = unsigned * _MIX
        where = np.empty((self.WORDS, len(unsigned)), dtype=np.intp)
        which = np.zeros((self.WORDS, len(unsigned)), dtype=np.uint64)
        for word in range(self.WORDS):
            np.bitwise_and(low + np.uint64(word) * step, self._mask, out=where[word], casting="unsafe")
            for bit in range(self.BITS):
                shift = np.uint64(58 - 6 * (word * self.BITS + bit))
                which[word] |= np.uint64(1) << ((mixed >> shift) & np.uint64(63))
        return where, which

    def add(self, hashes: np.ndarray) -> None:
        """Set the hashes' bits: all at once, then again those another hash's write to the same word
        overwrote (a million sources' 362 M words set this way: 53 against 150 ms a bucket for a byte a
        bit, a pass per bit value). At most a word's share of hashes go at a time: a whole filter's worth
        at once meets each word 16 times over and took 32 rounds. And at most _PIECE: the probes' arrays
        then stay in a core's cache (a million sources' buckets of 700,000 hashes at once: 28 against 15 s)."""
        step = max(1, min(len(self._words) // 8, _PIECE))
        for start in range(0, len(hashes), step):
            where, which = (part.ravel() for part in self._probes(hashes[start:start + step]))
            while len(where):
                self._words[where] |= which
                lost = (self._words[where] & which) != which
                where, which = where[lost], which[lost]

    def may_hold(self, hashes: np.ndarray) -> np.ndarray:
        where, which = self._probes(hashes)
        return np.all((self._words[where] & which) == which, axis=0)
