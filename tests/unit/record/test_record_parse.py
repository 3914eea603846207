"""Reading valid course records: every event type of the spec, exact numbers, defaults."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from isocourse.catalog import load_catalog
from isocourse.domain.errors import RecordError
from isocourse.domain.record import (
    EVENT_CLASSES,
    Comprehension,
    Contraception,
    ContraceptionMethod,
    CourseEnd,
    Dispense,
    Dose,
    EventType,
    Jurisdiction,
    Lab,
    LabAnalyte,
    LabUnit,
    MentalHealthCheck,
    Phq2,
    Phq9,
    PregnancyTest,
    PregnancyTestResult,
    PregnancyTestSetting,
    PrescriberAgreement,
    Prescription,
    SexualFunctionCheck,
    SideEffect,
    SideEffectKind,
    Weight,
    parse_record,
)
from tests.unit.record.record_paths import DELETE, change
from tests.unit.record.record_strategies import example


def test_reads_the_spec_example_with_one_event_of_every_type() -> None:
    record = parse_record(example())
    assert {event.type for event in record.events} == set(EventType)
    assert record.patient.id == "p-0001"
    assert record.patient.birth_date == dt.date(2008, 4, 2)
    assert record.patient.can_get_pregnant is True
    assert record.patient.weight_kg == Decimal("58.0")
    assert record.course.jurisdiction is Jurisdiction.US_IPLEDGE
    assert record.course.product == "us-conventional"
    assert record.course.start_date == dt.date(2026, 10, 3)


def test_every_event_type_has_a_class_whose_type_is_its_json_name() -> None:
    assert set(EVENT_CLASSES) == set(EventType)
    for kind, cls in EVENT_CLASSES.items():
        assert cls.type is kind


def test_reads_each_event_type_into_its_fields() -> None:
    events = parse_record(example()).events
    assert events[3] == Contraception(
        date=dt.date(2026, 9, 1),
        methods=(ContraceptionMethod.IUD, ContraceptionMethod.MALE_CONDOM),
    )
    assert events[4] == Lab(date=dt.date(2026, 9, 2), analyte=LabAnalyte.ALT,
                            value=Decimal(22), unit=LabUnit.U_PER_L, uln=Decimal(40))
    assert events[5] == Lab(date=dt.date(2026, 9, 2), analyte=LabAnalyte.TRIGLYCERIDES,
                            value=Decimal("1.4"), unit=LabUnit.MMOL_PER_L)
    assert events[6] == Phq2(date=dt.date(2026, 9, 2), items=(0, 1))
    assert isinstance(events[7], Phq9)
    assert (events[7].total, events[7].self_harm_item) == (2, 0)
    assert events[8] == PregnancyTest(date=dt.date(2026, 9, 2), id="hcg-1",
                                      result=PregnancyTestResult.NEGATIVE,
                                      setting=PregnancyTestSetting.LAB)
    assert events[9] == PregnancyTest(date=dt.date(2026, 10, 1),
                                      result=PregnancyTestResult.NEGATIVE,
                                      setting=PregnancyTestSetting.OFFICE,
                                      verified_by="clinic nurse")
    assert events[10] == Comprehension(date=dt.date(2026, 10, 2), passed=True)
    assert events[11] == Prescription(date=dt.date(2026, 10, 2), daily_mg=40, days_supply=30,
                                      refills=0, product="us-conventional")
    assert events[12] == Dispense(date=dt.date(2026, 10, 3), daily_mg=40, days_supply=30)
    assert events[13] == Dose(date=dt.date(2026, 10, 3), mg=40, taken=True)
    assert events[14] == Weight(date=dt.date(2026, 10, 20), kg=Decimal("59.5"))
    assert events[15] == SideEffect(date=dt.date(2026, 10, 20), kind=SideEffectKind.CHEILITIS,
                                    grade=1)
    assert events[16] == SexualFunctionCheck(date=dt.date(2026, 10, 20), concern=False)
    assert events[17] == MentalHealthCheck(date=dt.date(2026, 10, 20), concern=False)
    assert events[18] == PrescriberAgreement(date=dt.date(2026, 10, 20), prescriber="dr-0002")
    assert events[19] == CourseEnd(date=dt.date(2027, 3, 1), reason="target reached")


def test_reads_json_floats_as_the_decimals_they_were_written_as() -> None:
    doc = change(example(), "events[5].value", 0.1)
    assert parse_record(doc).events[5] == Lab(
        date=dt.date(2026, 9, 2), analyte=LabAnalyte.TRIGLYCERIDES, value=Decimal("0.1"),
        unit=LabUnit.MMOL_PER_L)


def test_reads_documents_loaded_with_decimal_floats() -> None:
    text = json.dumps(example()).replace('"value": 1.4', '"value": 1.40000000000000000001')
    with pytest.raises(RecordError, match="JSON carries exactly"):
        parse_record(json.loads(text, parse_float=Decimal))
    record = parse_record(json.loads(json.dumps(example()), parse_float=Decimal))
    assert record == parse_record(example())


def test_accepts_a_whole_float_where_whole_mg_are_expected() -> None:
    doc = change(example(), "events[12].daily_mg", 40.0)
    dispense = parse_record(doc).events[12]
    assert isinstance(dispense, Dispense)
    assert dispense.daily_mg == 40
    assert type(dispense.daily_mg) is int


def test_fills_in_the_defaults_of_optional_members() -> None:
    doc = example()
    for member in ("start_date", "lab_profile", "home_tests_allowed"):
        change(doc, f"course.{member}", DELETE)
    change(doc, "events[11].refills", DELETE)
    record = parse_record(doc)
    assert (record.course.start_date, record.course.lab_profile,
            record.course.home_tests_allowed) == (None, "default", False)
    prescription = record.events[11]
    assert isinstance(prescription, Prescription)
    assert prescription.refills == 0


def test_accepts_an_empty_contraception_list_and_an_empty_event_list() -> None:
    doc = change(example(), "events[3].methods", [])
    contraception = parse_record(doc).events[3]
    assert isinstance(contraception, Contraception)
    assert contraception.methods == ()
    assert parse_record(change(example(), "events", [])).events == ()


def test_keeps_anything_under_extensions_at_the_top_and_in_events() -> None:
    doc = example()
    doc["extensions"] = {"acme": {"ward": [1, 2.5, None, True, "x"], "flag": False}}
    doc["events"][0]["extensions"] = {"acme.source": "import"}
    record = parse_record(doc)
    assert record.extensions == doc["extensions"]
    assert record.events[0].extensions == {"acme.source": "import"}


def test_copies_extensions_so_the_record_does_not_share_the_callers_data() -> None:
    doc = example()
    doc["extensions"] = {"acme": {"ward": [1]}}
    record = parse_record(doc)
    doc["extensions"]["acme"]["ward"].append(2)
    assert record.extensions == {"acme": {"ward": [1]}}


def test_accepts_the_catalog_product_ids_when_they_are_given() -> None:
    catalog = load_catalog()
    record = parse_record(example(), known_products=catalog.products)
    assert record.course.product == "us-conventional"


def test_a_correction_sits_after_the_event_it_corrects_and_may_move_it_later() -> None:
    doc = example()
    # hcg-1 (2026-09-02) was really collected on 2026-09-03.
    doc["events"].insert(9, {"type": "pregnancy_test", "date": "2026-09-03",
                             "result": "negative", "setting": "lab",
                             "supersedes": "hcg-1", "reason": "specimen date mistyped"})
    record = parse_record(doc)
    tests = record.events_of(PregnancyTest)
    assert [t.date for t in tests] == [dt.date(2026, 9, 3), dt.date(2026, 10, 1)]
    assert len(record.events_of(PregnancyTest, include_superseded=True)) == 3


def test_a_corrected_event_does_not_count_for_the_date_order() -> None:
    doc = change(example(), "events", [
        {"type": "enrollment", "date": "2026-09-01"},
        {"type": "pregnancy_test", "date": "2026-09-05", "id": "t", "result": "negative",
         "setting": "lab"},
        {"type": "pregnancy_test", "date": "2026-09-03", "result": "negative",
         "setting": "lab", "supersedes": "t", "reason": "specimen date mistyped"},
    ])
    (test,) = parse_record(doc).events_of(PregnancyTest)
    assert test.date == dt.date(2026, 9, 3)


def test_course_end_reason_is_the_spec_member_and_explains_a_correction_too() -> None:
    doc = example()
    doc["events"][19]["id"] = "end"
    doc["events"].append({"type": "course_end", "date": "2027-03-01", "supersedes": "end",
                          "reason": "stopped early: pregnancy planned"})
    record = parse_record(doc)
    (end,) = record.events_of(CourseEnd)
    assert end.reason == "stopped early: pregnancy planned"
