"""Any input at all gives a record or a RecordError: never a crash, never another error."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from isocourse.domain.errors import RecordError
from isocourse.domain.record import parse_record
from tests.unit.record.record_paths import change, paths
from tests.unit.record.record_strategies import example

scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
           | st.decimals())
json_like: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=10) | st.integers(), inner, max_size=4),
    max_leaves=20,
)
#: Values that look like record values, so mutations get past the first checks.
near_misses: st.SearchStrategy[Any] = st.one_of(
    json_like,
    st.sampled_from(["", " ", "lab", "negative", "U/L", "mmol/L", "alt", "iud", "2026-10-01",
                     "2026-02-30", "isocourse-course/1", "us-ipledge", "hcg-1", "enr"]),
    st.integers(-3, 400), st.floats(-3, 400),
)


def _parse_or_record_error(document: object) -> None:
    try:
        parse_record(document, known_products=["us-conventional"])
    except RecordError as error:
        assert error.problems
        assert all(isinstance(p.message, str) and p.message for p in error.problems)


@given(json_like)
def test_arbitrary_json_like_values_give_only_record_errors(document: object) -> None:
    _parse_or_record_error(document)


@given(st.data())
def test_a_record_damaged_anywhere_gives_only_record_errors(data: st.DataObject) -> None:
    doc = example()
    for _ in range(data.draw(st.integers(1, 5))):
        targets = paths(doc)
        if not targets:
            break
        target = data.draw(st.sampled_from(targets))
        change(doc, target, data.draw(near_misses))
    _parse_or_record_error(doc)


@given(st.dictionaries(st.sampled_from(["format", "patient", "course", "events",
                                        "extensions"]), json_like))
def test_top_level_members_of_any_shape_give_only_record_errors(document: dict[str, Any]) -> None:
    _parse_or_record_error(document)


def test_decimal_special_values_give_only_record_errors() -> None:
    for value in (Decimal("NaN"), Decimal("sNaN"), Decimal("-Infinity"), Decimal("1E+999999")):
        doc = change(example(), "patient.weight_kg", value)
        change(doc, "events[4].value", value)
        change(doc, "events[11].daily_mg", value)
        change(doc, "extensions", {"x": [value]})
        _parse_or_record_error(doc)
