"""Problems never echo the values of a record: they are patient data.

Property: put distinctive values anywhere in a record (valid or not) and no problem's path or
message contains them. Field *names* may be quoted; values never.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isocourse.domain.errors import RecordError
from isocourse.domain.record import parse_record
from tests.unit.record.record_paths import change, paths
from tests.unit.record.record_strategies import example

MARKERS = ("SECRET", "987654", "31337", "4711")

secrets: st.SearchStrategy[Any] = st.sampled_from([
    "SECRET", "Jane SECRET Doe", "2026-13-31 SECRET", "SECRET-p-0001", "",
    987654.321, 9876543, -31337, 4711.5, 31337.0, True,
    ["SECRET", 987654], {"k": 4711}, {"k": "SECRET"}, "2031-02-30", None,
])


def _record_with_marked_values() -> dict[str, Any]:
    doc = example()
    doc["patient"]["id"] = "p-SECRET-4711"
    doc["events"][2]["note"] = "patient SECRET said 987654"
    doc["events"][9]["verified_by"] = "nurse SECRET"
    doc["events"][18]["prescriber"] = "dr SECRET"
    return doc


def _assert_nothing_echoed(doc: Any) -> None:
    try:
        parse_record(doc, known_products=["us-conventional", "uk-generic"])
    except RecordError as error:
        # Markers are only ever put in values, never in keys (an unknown key may be quoted).
        for problem in error.problems:
            for marker in MARKERS:
                assert marker not in str(problem), str(problem)


@given(st.data())
def test_no_problem_echoes_a_value_wherever_it_is_put(data: st.DataObject) -> None:
    doc = _record_with_marked_values()
    targets = data.draw(st.lists(st.sampled_from(paths(doc)), min_size=1, max_size=6,
                                 unique=True))
    for target in sorted(targets, key=len, reverse=True):  # children before parents
        change(doc, target, data.draw(secrets))
    _assert_nothing_echoed(doc)


@pytest.mark.parametrize("where", ["patient.weight_kg", "events[14].kg", "events[4].value",
                                   "events[11].daily_mg", "events[7].items[8]",
                                   "events[15].grade"])
@pytest.mark.parametrize("value", [987654.321, -31337, 4711.5, "987654"])
def test_an_out_of_range_number_is_not_repeated_in_its_problem(where: str, value: Any) -> None:
    _assert_nothing_echoed(change(_record_with_marked_values(), where, value))


def test_the_value_of_an_unknown_field_is_not_repeated_only_its_name() -> None:
    doc = _record_with_marked_values()
    doc["events"][8]["resutl"] = "SECRET positive"
    with pytest.raises(RecordError) as caught:
        parse_record(doc)
    assert [str(p) for p in caught.value.problems] == ['events[8]: unknown field "resutl"']
