"""Big blocks of memory given back to the system when they are freed, from the first big file a process reads.

glibc's malloc gives a request of 128 KiB or more a mapping of its own, unmapped when it is freed, until
such a block is freed: it then raises that threshold to the block's size (up to 32 MiB), and the one above
which the free end of its heap is given back to twice that. Later blocks up to that size come from the heap,
and what is freed there stays with the process. A big page's scan frees hundreds of blocks of a megabyte or
two (its pieces, decoded and joined a megabyte at a time) between longer-lived ones (its compressed blocks):
the heap held about 30 MB of free memory at the peak of a 54 MB page's scan, a fifth of it. Fixed at 128 KiB,
the threshold keeps every big block a mapping of its own. Where malloc is not glibc's this does nothing
(musl's ``mallopt`` ignores it; macOS and Windows have none)."""

from __future__ import annotations

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter: setting it also stops both thresholds from moving
MAPPED_FROM = 128 * 1024  # glibc's default threshold

_fixed = False


def map_big_blocks() -> None:
    """Have malloc map every block of :data:`MAPPED_FROM` bytes or more apart, from now on (once a process)."""
    global _fixed
    if _fixed:
        return
    _fixed = True
    import ctypes  # deferred: only a process that reads a big file pays for the import

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # no C library to load, or no mallopt in it
        return
    mallopt(M_MMAP_THRESHOLD, MAPPED_FROM)
