"""The C library's calls that Python's standard library does not wrap, where there is one.

One lookup for the modules that use them: `watch.py` (inotify), `write.py` (renameat2, to swap
two folders in one step) and `parallel.py` (malloc_trim). Each caller has a way on without them.
"""
from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache


@lru_cache(maxsize=1)
def libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name, use_errno=True) if name else None


def function(name: str):
    """The C library's function `name`, or None where there is no such function."""
    found = libc()
    return getattr(found, name, None) if found is not None else None


def give_back_freed_memory() -> None:
    """Hand what the process has freed back to the system: glibc keeps freed memory for later,
    and memory kept counts against a build as much as memory in use (the listing pages of 10,000
    entities left 50 MiB of it). Elsewhere freed memory is left to the allocator."""
    malloc_trim = function("malloc_trim")
    if malloc_trim is not None:
        malloc_trim(0)
