"""Export then import gives back the same record, for any valid record and every record the
project already has (the spec example, the spec tables' scenarios, the example course)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from isocourse.adapters.fhir.mapping import bundle_to_course, course_to_bundle
from isocourse.catalog import load_catalog
from isocourse.domain.record import CourseRecord, parse_record, record_to_json
from tests.spec import test_eu_ppp, test_monitoring, test_uk_mhra, test_us_ipledge
from tests.spec.harness import scenario_id
from tests.unit.fhir.bundles import example_record
from tests.unit.record.record_strategies import records

SCENARIOS = [
    *test_us_ipledge.SCENARIOS,
    *test_eu_ppp.SCENARIOS,
    *test_uk_mhra.SCENARIOS,
    *test_monitoring.SCENARIOS,
]
EXAMPLES = sorted((Path(__file__).parents[3] / "examples").glob("*.json"))


def _round_trip(record: CourseRecord) -> CourseRecord:
    return bundle_to_course(course_to_bundle(record))


@given(records())
def test_any_valid_record_comes_back_equal_from_its_bundle(record: CourseRecord) -> None:
    assert _round_trip(record) == record


@given(records())
def test_any_valid_record_is_written_the_same_after_a_round_trip(record: CourseRecord) -> None:
    assert record_to_json(_round_trip(record)) == record_to_json(record)


@given(records(max_events=6))
def test_any_valid_record_survives_the_bundle_as_json_text_read_with_floats_or_decimals(
    record: CourseRecord,
) -> None:
    text = json.dumps(course_to_bundle(record), allow_nan=False)
    assert bundle_to_course(json.loads(text)) == record
    assert bundle_to_course(json.loads(text, parse_float=Decimal)) == record


@given(records(max_events=6))
def test_any_valid_record_comes_back_equal_from_a_transaction_bundle(
    record: CourseRecord,
) -> None:
    bundle = course_to_bundle(record, bundle_type="transaction")
    assert bundle["type"] == "transaction"
    assert bundle_to_course(bundle) == record


@given(records(max_events=6))
def test_the_same_record_always_gives_the_same_bundle(record: CourseRecord) -> None:
    assert course_to_bundle(record) == course_to_bundle(record)


def test_the_spec_example_with_every_event_type_comes_back_equal() -> None:
    record = example_record()
    assert _round_trip(record) == record
    assert record_to_json(_round_trip(record)) == record_to_json(record)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=scenario_id)
def test_every_spec_table_record_comes_back_equal(scenario: Any) -> None:
    record = parse_record(
        json.loads(json.dumps(scenario.record)), known_products=load_catalog().products
    )
    assert _round_trip(record) == record
    assert record_to_json(_round_trip(record)) == record_to_json(record)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_course_comes_back_equal(path: Path) -> None:
    record = parse_record(json.loads(path.read_text(encoding="utf-8")))
    assert _round_trip(record) == record


def test_the_round_trip_covers_the_whole_spec_tables_and_the_examples() -> None:
    assert len(SCENARIOS) >= 200
    assert EXAMPLES
