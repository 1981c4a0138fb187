"""Give large freed buffers back to the operating system (glibc's allocator).

glibc serves allocations above a threshold with their own ``mmap`` and unmaps them on free;
below it they come from the heap, which keeps freed memory. The threshold starts at 128 KB but
rises to the size of every large block freed (up to 32 MB), so after one big image was decoded
the next multi-megabyte buffers stay on the heap: measured, a 50 MB upload left the API 32 MB
larger, and four left it 57 MB larger. A fixed threshold also turns that adjustment off.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

import structlog

logger = structlog.get_logger(__name__)

M_MMAP_THRESHOLD = -3  # mallopt parameter number in glibc's malloc.h


def return_large_buffers_to_os(threshold_bytes: int) -> bool:
    """Serve allocations of ``threshold_bytes`` and more with ``mmap`` (0: leave glibc's
    default). True when the allocator took the setting; False off glibc (nothing to do)."""
    if threshold_bytes <= 0 or not sys.platform.startswith("linux"):
        return False
    library = ctypes.util.find_library("c")
    if library is None:
        return False
    mallopt = getattr(ctypes.CDLL(library), "mallopt", None)
    if mallopt is None:
        return False
    applied = bool(mallopt(M_MMAP_THRESHOLD, ctypes.c_int(threshold_bytes)))
    logger.debug("malloc_mmap_threshold", bytes=threshold_bytes, applied=applied)
    return applied
