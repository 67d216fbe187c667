"""The records with slots pickle by their fields (`pickling.by_fields`): every field comes back,
for every such record the engine defines, and a prepared file read from .cache/ is the record
its build prepared."""
from __future__ import annotations

import dataclasses
import importlib
import pickle
import pkgutil

import pytest

import microsite
from microsite.content.cached import PreparedCache

from tests.conftest import make_project, run


def slotted_records() -> list[type]:
    """Every frozen dataclass with slots that a module of the engine defines, in any of its folders."""
    found = []
    for info in pkgutil.walk_packages(microsite.__path__, "microsite."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type) and value.__module__ == module.__name__
                and dataclasses.is_dataclass(value) and "__slots__" in vars(value)
            ):
                found.append(value)
    return found


RECORDS = slotted_records()


def test_the_records_are_found():
    names = {cls.__name__ for cls in RECORDS}
    assert {"Location", "Cite", "Source", "Figure", "Link", "Fragment", "Text", "StoredText"} <= names


@pytest.mark.parametrize("cls", RECORDS, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_a_record_pickles_by_its_fields(cls):
    """Marked (else it is unpickled by dataclasses' generic, slower way), and every field, those
    with a default included, comes back with its own value."""
    assert "__reduce__" in vars(cls), f"{cls.__name__} is not marked @by_fields"
    names = [f.name for f in dataclasses.fields(cls)]
    record = cls(*(f"value of {name}" for name in names))
    again = pickle.loads(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(again) is cls
    assert [getattr(again, n) for n in names] == [f"value of {n}" for n in names]
    assert again == record


def test_prepared_files_read_from_the_cache_are_what_was_prepared(tmp_path):
    project = make_project(tmp_path / "p")
    assert run(project, "build", "--out", str(tmp_path / "site"))[0] == 0
    entries = sorted(p for p in (project.cache / "prepared").rglob("*") if p.is_file())
    assert entries
    for entry in entries:
        prepared = PreparedCache(project.cache / "prepared").get(entry.name)
        assert prepared is not None
        assert pickle.loads(pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL)) == prepared


def test_by_fields_pickles_a_record_defined_here_by_its_fields_in_order():
    """`by_fields` asked directly (it marks the engine's records at import, where a mutation test
    cannot see it): one field or several, each comes back in its place, as a call of the class."""
    from microsite.pickling import by_fields

    @by_fields
    @dataclasses.dataclass(frozen=True, slots=True)
    class One:
        a: object

    @by_fields
    @dataclasses.dataclass(frozen=True, slots=True)
    class Two:
        a: object
        b: object = "default"

    assert One(("x", 1)).__reduce__() == (One, (("x", 1),))
    assert Two(1, 2).__reduce__() == (Two, (1, 2))
    assert Two(1).__reduce__() == (Two, (1, "default"))


def test_by_fields_refuses_a_record_with_a_field_no_call_can_give():
    from microsite.pickling import by_fields

    @dataclasses.dataclass(frozen=True, slots=True)
    class Derived:
        a: object
        b: object = dataclasses.field(init=False, default=0)

    with pytest.raises(TypeError) as raised:
        by_fields(Derived)
    assert raised.value.args == (Derived,)  # the traceback at import names the class


def forged(module: str, name: str) -> bytes:
    """A pickle naming `module.name` and calling it with no arguments."""
    return b"\x80\x04\x8c" + bytes([len(module)]) + module.encode() + b"\x8c" + bytes([len(name)]) + name.encode() + b"\x93)R."


def test_only_records_defined_where_they_are_named_are_made():
    from microsite.errors import Location
    from microsite.pickling import records_from

    assert records_from(pickle.dumps({1, 2})) == {1, 2}
    assert records_from(pickle.dumps(frozenset({1}))) == frozenset({1})
    assert records_from(memoryview(pickle.dumps(Location("a", 1, 2)))) == Location("a", 1, 2)
    for module, name in [
        ("microsite.build", "Location"),  # imported there, defined in microsite.errors
        ("microsite.errors", "Problems.error"),  # not a name
        ("microsite.errors", "did_you_mean"),  # a function
        ("microsite.errors", "ContentErrors"),  # a class, not a record
        ("microsite_evil", "Location"), ("os", "getcwd"), ("builtins", "eval"),
    ]:
        with pytest.raises(pickle.UnpicklingError, match=rf"^{module}\.{name} is not a record of the engine$"):
            records_from(forged(module, name))


def test_a_record_of_the_package_itself_is_made(monkeypatch):
    from microsite.pickling import _record_class

    @dataclasses.dataclass(frozen=True)
    class Top:
        a: int = 1

    Top.__module__ = "microsite"
    monkeypatch.setattr(microsite, "Top", Top, raising=False)
    _record_class.cache_clear()
    assert _record_class("microsite", "Top") is Top
    assert _record_class("microsite", "__path__") is None


def test_sets_of_an_older_protocol_are_made_and_a_records_instance_is_not_called(monkeypatch):
    """Protocol 3 names `builtins.set` and `frozenset` (`PLAIN`; 4 and later have opcodes for
    them); a module's value that is a record, not a record's class, is refused like any other."""
    from microsite import errors
    from microsite.errors import Location
    from microsite.pickling import _record_class, records_from

    assert records_from(pickle.dumps({1, 2}, protocol=3)) == {1, 2}
    assert records_from(pickle.dumps(frozenset({1}), protocol=3)) == frozenset({1})
    monkeypatch.setattr(errors, "HERE", Location("a", 1, 1), raising=False)
    _record_class.cache_clear()
    with pytest.raises(pickle.UnpicklingError, match=r"^microsite\.errors\.HERE is not a record of the engine$"):
        records_from(forged("microsite.errors", "HERE"))
    _record_class.cache_clear()
