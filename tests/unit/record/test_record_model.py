"""The record model: corrections, accessors and the code lists' own knowledge."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from isocourse.domain.record import (
    ContraceptionMethod,
    CourseInfo,
    CourseRecord,
    Dispense,
    Enrollment,
    Event,
    Jurisdiction,
    LabAnalyte,
    LabUnit,
    MethodCategory,
    Patient,
    PregnancyTest,
    PregnancyTestResult,
    PregnancyTestSetting,
)

DAY = dt.date(2026, 10, 3)
PATIENT = Patient(id="p", birth_date=dt.date(2000, 1, 1), can_get_pregnant=True,
                  weight_kg=Decimal(60))
COURSE = CourseInfo(jurisdiction=Jurisdiction.UK_MHRA, product="uk-generic")


def _test(
    result: PregnancyTestResult,
    *,
    id: str | None = None,
    supersedes: str | None = None,
    reason: str | None = None,
) -> PregnancyTest:
    return PregnancyTest(date=DAY, result=result, setting=PregnancyTestSetting.LAB, id=id,
                         supersedes=supersedes, reason=reason)


def _record(*events: Event) -> CourseRecord:
    return CourseRecord(patient=PATIENT, course=COURSE, events=events)


NEG, POS = PregnancyTestResult.NEGATIVE, PregnancyTestResult.POSITIVE


def test_effective_events_drop_an_event_a_later_one_supersedes() -> None:
    wrong = _test(POS, id="t1")
    fixed = _test(NEG, supersedes="t1", reason="wrong patient's result")
    record = _record(Enrollment(date=DAY), wrong, fixed)
    assert record.effective_events() == (Enrollment(date=DAY), fixed)
    assert record.superseded_ids() == frozenset({"t1"})


def test_a_chain_of_corrections_resolves_to_its_last_link() -> None:
    first = _test(POS, id="a")
    second = _test(NEG, id="b", supersedes="a", reason="typo")
    third = _test(POS, id="c", supersedes="b", reason="the typo was the correction")
    assert _record(first, second, third).effective_events() == (third,)


def test_a_supersedes_that_points_forward_corrects_nothing() -> None:
    early = _test(NEG, supersedes="later", reason="r")
    later = _test(POS, id="later")
    assert _record(early, later).effective_events() == (early, later)


def test_events_of_a_type_leave_out_superseded_events_unless_asked() -> None:
    wrong = _test(POS, id="t1")
    fixed = _test(NEG, supersedes="t1", reason="r")
    dispense = Dispense(date=DAY, daily_mg=40, days_supply=30)
    record = _record(wrong, dispense, fixed)
    assert record.events_of(PregnancyTest) == (fixed,)
    assert record.events_of(PregnancyTest, include_superseded=True) == (wrong, fixed)
    assert record.events_of(Dispense) == (dispense,)


def test_finds_an_event_by_its_id() -> None:
    event = _test(NEG, id="t1")
    record = _record(Enrollment(date=DAY), event)
    assert record.event_by_id("t1") is event
    assert record.event_by_id("nope") is None


def test_events_are_frozen_values_that_can_be_hashed_even_with_extensions() -> None:
    event = Enrollment(date=DAY, extensions={"acme": [1]})
    with pytest.raises(AttributeError):
        event.date = DAY  # type: ignore[misc]
    assert hash(event) == hash(Enrollment(date=DAY, extensions={"other": 2}))
    assert event != Enrollment(date=DAY, extensions={"other": 2})


@pytest.mark.parametrize(
    ("category", "methods"),
    [
        (MethodCategory.PRIMARY, ["iud", "implant", "injection", "combined-pill", "patch",
                                  "vaginal-ring", "tubal-ligation", "partner-vasectomy"]),
        (MethodCategory.SECONDARY, ["male-condom", "diaphragm", "cervical-cap", "sponge"]),
        (MethodCategory.OTHER, ["progestin-only-pill", "abstinence"]),
    ],
)
def test_contraception_methods_are_grouped_exactly_as_the_spec_lists_them(
    category: MethodCategory, methods: list[str]
) -> None:
    assert sorted(m.value for m in ContraceptionMethod if m.category is category) == sorted(
        methods)


def test_enzymes_take_units_per_litre_and_lipids_mass_or_molar_concentration() -> None:
    assert [a for a in LabAnalyte if a.is_enzyme] == [LabAnalyte.ALT, LabAnalyte.AST]
    for analyte in LabAnalyte:
        expected = ((LabUnit.U_PER_L,) if analyte.is_enzyme
                    else (LabUnit.MG_PER_DL, LabUnit.MMOL_PER_L))
        assert analyte.units == expected
