"""Fuzzing the parsers of outside input: only the project's named errors, never a crash.

* Rule packs (a clinic's own ``*.toml`` packs are read next to the packaged ones, see
  catalog/rulebook.py): arbitrary TOML documents, and the packaged packs damaged anywhere,
  go through :func:`parse_pack` and :func:`build_library` (with the packaged packs, so that
  ``extends`` and overrides meet real bases) to a library or a :class:`RuleDataError`.
* Course records: the existing fuzzing (tests/unit/record/test_record_fuzz.py) damages the
  spec example record; here random *valid* records (``records()``) are damaged, and
  documents nest deeper than any recursion limit.
* FHIR import: the existing fuzzing (tests/unit/fhir/test_fhir_fuzz.py) damages one
  exported bundle; here the exported bundles of random valid records are damaged.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import tomllib
from importlib import resources
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import isocourse.rules.kinds  # noqa: F401  (registers every rule kind)
from isocourse.adapters.fhir.mapping import bundle_to_course, course_to_bundle
from isocourse.domain.errors import RecordError, RuleDataError
from isocourse.domain.record import CourseRecord, parse_record
from isocourse.domain.record.serialize import record_to_json
from isocourse.rules.model import RulePack
from isocourse.rules.parse import build_library, parse_pack
from tests.unit.record.record_paths import DELETE, change, paths
from tests.unit.record.record_strategies import records

# -- TOML, written from data (the standard library reads TOML but does not write it) -------


def _string(text: str) -> str:
    out = []
    for char in text:
        if char in '"\\' or ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_string(str(k))} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))  # pragma: no cover - the strategies make no other values


def to_toml(data: dict[str, Any]) -> str:
    """A TOML document of ``data`` (tables inline), which ``tomllib.loads`` reads back."""
    return "".join(f"{_string(str(key))} = {_value(value)}\n" for key, value in data.items())


# -- values TOML can hold ------------------------------------------------------------------

toml_scalars = (st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats()
                | st.text(max_size=12) | st.dates()
                | st.datetimes(timezones=st.none() | st.just(dt.UTC)) | st.times())
toml_values: st.SearchStrategy[Any] = st.recursive(
    toml_scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=16,
)
#: Values that look like pack values, so damage gets past the first checks.
pack_near_misses: st.SearchStrategy[Any] = st.one_of(
    toml_values,
    st.sampled_from(["isocourse-rules/1", "us-ipledge", "monitoring", "uk-mhra", "eu-ppp",
                     "us-ipledge@2021-12-13", "monitoring@2018-01-01", "R9", "P", "S", "W",
                     "D", "all", "can-get-pregnant", "cannot-get-pregnant",
                     "pregnancy-test-window", "us-ipledge.window", ""]),
    st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31)),
    st.integers(-3, 400),
    st.just([]), st.just({}), st.just({"value": 7}), st.just({"value": 7, "source": "nope"}),
    st.just([{"rule": "us-ipledge.window", "remove": True}]),
)

_PACKS = {entry.name: tomllib.loads(entry.read_text(encoding="utf-8"))
          for entry in resources.files("isocourse.rules").joinpath("packs").iterdir()
          if entry.name.endswith(".toml")}
_PACKAGED = tuple(parse_pack(to_toml(data), origin=name) for name, data in sorted(_PACKS.items()))


def parse_and_build(text: str) -> tuple[RulePack, ...]:
    """Read ``text`` as a clinic's own pack, next to the packaged packs (it replaces the
    packaged pack of the same name)."""
    document = parse_pack(text, origin="clinic.toml")
    others = [d for d in _PACKAGED if d.name != document.name]
    return build_library([*others, document])


def _pack_or_rule_data_error(text: str) -> None:
    try:
        packs = parse_and_build(text)
    except RuleDataError as error:
        assert str(error)
        return
    assert all(isinstance(p, RulePack) for p in packs)


def test_the_packaged_packs_written_back_as_toml_read_as_before() -> None:
    for name, data in _PACKS.items():
        assert tomllib.loads(to_toml(data)) == data, name
    original = {d.name for d in _PACKAGED}
    assert len(build_library(_PACKAGED)) == len(original)


@given(st.dictionaries(st.text(max_size=10), toml_values, max_size=6))
def test_arbitrary_toml_documents_give_only_rule_data_errors(data: dict[str, Any]) -> None:
    _pack_or_rule_data_error(to_toml(data))


@given(st.text(max_size=200))
def test_arbitrary_text_gives_only_rule_data_errors(text: str) -> None:
    _pack_or_rule_data_error(text)


@given(st.sampled_from(sorted(_PACKS)),
       st.dictionaries(st.sampled_from(["format", "programme", "version", "title",
                                        "effective_from", "effective_to", "extends", "notes",
                                        "sources", "rules", "overrides"]),
                       pack_near_misses, min_size=1, max_size=4))
def test_a_packaged_pack_with_top_level_members_of_any_shape_gives_only_rule_data_errors(
        name: str, members: dict[str, Any]) -> None:
    data = copy.deepcopy(_PACKS[name])
    data.update(copy.deepcopy(members))
    _pack_or_rule_data_error(to_toml(data))


@given(st.data())
def test_a_packaged_pack_damaged_anywhere_gives_a_library_or_only_rule_data_errors(
        data: st.DataObject) -> None:
    pack = copy.deepcopy(_PACKS[data.draw(st.sampled_from(sorted(_PACKS)))])
    _damage(data, pack, pack_near_misses)
    _pack_or_rule_data_error(to_toml(pack))


#: What the fuzzing found (each was a TypeError or AttributeError), as (pack, path, value).
FOUND = [
    ("monitoring-2018-01-01.toml", ("rules", 1, "source"), []),
    ("monitoring-2018-01-01.toml", ("rules", 4, "params", "block_mg_dl", "source"), []),
    ("eu-ppp-2018-06-21.toml", ("sources", "E1", "reliability"), []),
]
#: The same kind of mistake elsewhere in a pack, fixed at the same time.
NEIGHBOURS = [
    {"overrides": 5},
    {"overrides": [{"rule": ["us-ipledge.window"]}]},
    {"overrides": [{"rule": "us-ipledge.window", "params": [1]}]},
    {"overrides": [{"rule": "us-ipledge.window", "source": ["R9"]}]},
    {"overrides": [{"rule": "us-ipledge.window", "title": 7}]},
]


def test_what_the_fuzzing_found_gives_rule_data_errors() -> None:
    for name, path, value in FOUND:
        pack = copy.deepcopy(_PACKS[name])
        change(pack, path, value)
        with pytest.raises(RuleDataError):
            parse_and_build(to_toml(pack))
    for members in NEIGHBOURS:
        pack = copy.deepcopy(_PACKS["us-ipledge-2023-10-overlay.toml"])
        pack.update(members)
        with pytest.raises(RuleDataError):
            parse_and_build(to_toml(pack))


def _damage(data: st.DataObject, doc: Any, values: st.SearchStrategy[Any]) -> None:
    for _ in range(data.draw(st.integers(1, 4))):
        targets = paths(doc)
        if not targets:
            return
        target = data.draw(st.sampled_from(targets))
        value = data.draw(values | st.just(DELETE))
        try:
            change(doc, target, value if value is DELETE else copy.deepcopy(value))
        except (KeyError, IndexError, TypeError):
            return  # an earlier change removed the target's parent


# -- course records: random valid records, damaged ------------------------------------------

json_scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12))
record_near_misses = st.one_of(
    json_scalars, st.just([]), st.just({}),
    st.sampled_from(["", "lab", "negative", "U/L", "alt", "iud", "2026-10-01", "2026-02-30",
                     "isocourse-course/1", "us-ipledge", "dispense", "prescription"]),
    st.integers(-3, 400),
)


def _record_or_record_error(document: object) -> None:
    try:
        assert isinstance(parse_record(document, known_products=["us-conventional"]),
                          CourseRecord)
    except RecordError as error:
        assert error.problems
        assert all(isinstance(p.message, str) and p.message for p in error.problems)


@given(records(), st.data())
def test_a_random_valid_record_damaged_anywhere_gives_only_record_errors(
        record: CourseRecord, data: st.DataObject) -> None:
    document = json.loads(json.dumps(record_to_json(record), default=str))
    _damage(data, document, record_near_misses)
    _record_or_record_error(document)


#: About the deepest JSON the standard library's decoder reads (deeper, it raises
#: RecursionError itself, which the API answers with a 400 and the CLI with a usage error).
DEPTH = 900


def _deepest_json(make: Any, leaf: Any, levels_per_step: int = 1) -> Any:
    deep = leaf
    for _ in range(DEPTH // levels_per_step):
        deep = make(deep)
    return json.loads(json.dumps(deep))


def test_documents_nested_as_deep_as_json_goes_give_only_record_errors() -> None:
    deep = _deepest_json(lambda inner: [inner], "x")
    for where in ("extensions", "patient", "events"):
        document: dict[str, Any] = {"format": "isocourse-course/1"}
        document[where] = {"x": deep} if where == "extensions" else deep
        _record_or_record_error(document)
    _record_or_record_error(deep)


# -- FHIR import: the bundles of random valid records, damaged ------------------------------


def _import_or_record_error(bundle: object) -> None:
    try:
        assert isinstance(bundle_to_course(bundle), CourseRecord)
    except RecordError as error:
        assert error.problems


@given(records(), st.data())
def test_the_bundle_of_a_random_valid_record_damaged_anywhere_gives_only_record_errors(
        record: CourseRecord, data: st.DataObject) -> None:
    bundle = json.loads(json.dumps(course_to_bundle(record), default=str))
    _damage(data, bundle, record_near_misses)
    _import_or_record_error(bundle)


def test_a_bundle_nested_as_deep_as_json_goes_gives_only_record_errors() -> None:
    deep = _deepest_json(lambda inner: {"extension": [inner]}, {}, levels_per_step=2)
    _import_or_record_error({"resourceType": "Bundle", "type": "collection",
                             "entry": [{"resource": {"resourceType": "Patient", **deep}}]})

