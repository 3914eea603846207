"""Writing records: what is written reads back to an equal record, for any valid record."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isocourse.domain.errors import RecordError
from isocourse.domain.record import (
    CourseRecord,
    Lab,
    LabAnalyte,
    LabUnit,
    PregnancyTest,
    PregnancyTestResult,
    PregnancyTestSetting,
    event_to_json,
    parse_record,
    record_to_json,
)
from tests.unit.record.record_strategies import example, records


@given(records())
def test_any_valid_record_reads_back_equal_after_writing(record: CourseRecord) -> None:
    assert parse_record(record_to_json(record)) == record


@given(records())
def test_any_valid_record_survives_json_text_both_with_float_and_decimal_reading(
    record: CourseRecord,
) -> None:
    text = json.dumps(record_to_json(record), allow_nan=False)
    assert parse_record(json.loads(text)) == record
    assert parse_record(json.loads(text, parse_float=Decimal)) == record


@given(records())
def test_writing_is_stable_after_one_round_trip(record: CourseRecord) -> None:
    data = record_to_json(record)
    assert record_to_json(parse_record(data)) == data


def test_the_spec_example_reads_back_equal_after_writing() -> None:
    record = parse_record(example())
    assert parse_record(record_to_json(record)) == record


def test_leaves_out_optional_members_that_are_absent() -> None:
    test = PregnancyTest(date=dt.date(2026, 10, 1), result=PregnancyTestResult.NEGATIVE,
                         setting=PregnancyTestSetting.HOME)
    assert event_to_json(test) == {"type": "pregnancy_test", "date": "2026-10-01",
                                   "result": "negative", "setting": "home"}


def test_writes_members_in_a_stable_readable_order() -> None:
    test = PregnancyTest(date=dt.date(2026, 10, 1), id="t2", note="n", supersedes="t1",
                         reason="r", extensions={"x": 1}, result=PregnancyTestResult.NEGATIVE,
                         setting=PregnancyTestSetting.LAB, verified_by="v")
    assert list(event_to_json(test)) == ["type", "date", "id", "result", "setting",
                                         "verified_by", "note", "supersedes", "reason",
                                         "extensions"]


def _lab(value: Decimal) -> Lab:
    return Lab(date=dt.date(2026, 10, 1), analyte=LabAnalyte.LDL, value=value,
               unit=LabUnit.MMOL_PER_L)


@pytest.mark.parametrize(
    ("value", "written"),
    [("0.1", 0.1), ("58.0", 58), ("1E+2", 100), ("3.25", 3.25), ("0", 0),
     ("123456789.123456", 123456789.123456)],
)
def test_writes_a_decimal_as_an_int_when_whole_else_as_the_float_that_reads_back_exactly(
    value: str, written: float
) -> None:
    out = event_to_json(_lab(Decimal(value)))["value"]
    assert out == written
    assert type(out) is type(written)


def test_refuses_to_write_a_decimal_that_no_json_number_carries_exactly() -> None:
    with pytest.raises(ValueError, match="value cannot be written exactly as a JSON number"):
        event_to_json(_lab(Decimal("0.1000000000000000000001")))


@given(st.decimals(min_value=0, max_value=1_000_000, allow_nan=False, allow_infinity=False))
def test_the_parser_accepts_exactly_the_decimals_the_writer_can_write(value: Decimal) -> None:
    doc = example()
    doc["events"] = [{"type": "lab", "date": "2026-10-01", "analyte": "ldl", "value": value,
                      "unit": "mmol/L"}]
    try:
        written = event_to_json(_lab(value))
    except ValueError:
        with pytest.raises(RecordError, match="JSON carries exactly"):
            parse_record(doc)
    else:
        (event,) = parse_record(doc).events
        assert event == _lab(value)
        assert Decimal(repr(written["value"])) == value
