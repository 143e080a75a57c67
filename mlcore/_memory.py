"""Memory a step freed handed back to the operating system, so the next step starts low.

Freed memory stays with the allocators (glibc's heap, Arrow's pool) and counts in the process's
resident set; the next step, allocating other sizes through another allocator, does not always
reuse it. :func:`return_freed_memory` asks both to give it back: ``malloc_trim`` where the C
library is glibc, ``release_unused`` of Arrow's default pool when pyarrow is loaded. It frees no
live object and is a no-op elsewhere.

Example:
    >>> return_freed_memory()
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys
from typing import Any

__all__ = ["return_freed_memory"]


@functools.cache
def _malloc_trim() -> Any:
    """glibc's ``malloc_trim``, or None (another C library, or none found)."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc: musl, macOS
        return None


def return_freed_memory() -> None:
    """Hand the memory freed so far back to the operating system (see the module docstring)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
    pyarrow = sys.modules.get("pyarrow")  # never imported just for this
    if pyarrow is not None:
        pyarrow.default_memory_pool().release_unused()
