"""Pickling for the frozen records with slots that .cache/ keeps and helpers send back.

`dataclasses` gives such a class a generic `__setstate__` calling `fields(self)` for every object
unpickled: 2.9 of the 4.3 s a rebuild spent unpickling the prepared records of 10,000 entities
(400,000 objects, under the profiler). A class marked `by_fields` pickles as a call of itself with
its fields' values in order, their names taken once, here: half the time, and fewer bytes.

What is read back from disk is read by `records_from`, which makes nothing but those records.
"""
from __future__ import annotations

import importlib
import io
import pickle
from dataclasses import fields, is_dataclass
from functools import lru_cache
from operator import attrgetter


def by_fields(cls: type) -> type:
    """Mark a frozen dataclass with slots (applied above `@dataclass`) to pickle by its fields."""
    names = [f.name for f in fields(cls)]
    if not all(f.init for f in fields(cls)):
        raise TypeError(cls)  # rebuilt by calling the class: every field must be an argument
    get = attrgetter(*names)
    if len(names) == 1:
        def __reduce__(self):
            return cls, (get(self),)
    else:
        def __reduce__(self):
            return cls, get(self)
    cls.__reduce__ = __reduce__
    return cls


# What unpickling a file written by another version of the engine, or forged, can raise.
UNPICKLING_ERRORS = (
    pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, KeyError, TypeError, ValueError,
)
PLAIN = {("builtins", "frozenset"): frozenset, ("builtins", "set"): set}


class _RecordsOnly(pickle.Unpickler):
    """An unpickler that makes nothing but plain values and the engine's own records (dataclasses
    defined in `microsite`): a pickle naming any other function or class, `os.system` say, is
    refused before anything is called (the restriction Python's pickle documentation describes)."""

    def find_class(self, module: str, name: str) -> type:
        found = _record_class(module, name)
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not a record of the engine")
        return found


@lru_cache(maxsize=None)
def _record_class(module: str, name: str) -> type | None:
    if (module, name) in PLAIN:
        return PLAIN[module, name]
    if (module == "microsite" or module.startswith("microsite.")) and name.isidentifier():
        found = getattr(importlib.import_module(module), name, None)
        if isinstance(found, type) and is_dataclass(found) and found.__module__ == module:
            return found
    return None


def records_from(data: bytes | memoryview) -> object:
    """Unpickle `data`, which may make only plain values and the engine's records."""
    return _RecordsOnly(io.BytesIO(data)).load()
