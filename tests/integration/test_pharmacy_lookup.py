"""The pharmacy's look-ups on SQLite and PostgreSQL: a prescription or an authorization,
checked today, without acting; the same verdict, in the same words, as asking or
dispensing would give."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isocourse.bootstrap import Clinic
from isocourse.domain.errors import DispenseNotAllowed, Forbidden, Hidden, NotFound
from isocourse.services import courses, dispensing, prescriptions
from isocourse.services.pharmacy_lookup import (
    capsule_plan,
    check_authorization,
    look_up_prescription,
)
from tests.support.clinics import pharmacist
from tests.support.courses import READY_DAY, ready_course, start_us_course


def kw(clinic: Clinic) -> dict[str, Any]:
    return {"uows": clinic.uows, "clock": clinic.clock, "actor": pharmacist(clinic),
            "rules": clinic.rules}


def as_prescriber(clinic: Clinic) -> dict[str, Any]:
    return {**kw(clinic), "actor": clinic.actor}


def grant(clinic: Clinic, rx: str) -> dispensing.AuthorizationRow:
    row, _ = dispensing.request_authorization(
        dispensing.AuthorizationRequest(prescription_id=rx), **kw(clinic))
    return row


def test_a_ready_prescription_may_be_dispensed_with_its_capsules_and_window(
        clinic: Clinic) -> None:
    course, rx = ready_course(clinic)
    found = look_up_prescription(rx, **kw(clinic))
    assert found.allowed and found.reasons == ()
    assert (found.course_id, found.prescription_id) == (course.header.id, rx)
    assert (found.prescribed_on, found.daily_mg, found.days_supply) == (READY_DAY, 30, 30)
    assert found.product == "us-conventional" and found.product_name
    # 30 mg a day from 10/20/30/40 mg capsules: 10 mg morning, 20 mg evening, 30 days.
    assert found.capsules is not None
    assert [(r.strength_mg, r.morning, r.evening, r.total) for r in found.capsules.rows] \
        == [(10, 1, 0, 30), (20, 0, 1, 30)]
    # The iPLEDGE window: Day 1 is the specimen date, Day 7 the last day.
    assert found.window is not None
    assert (found.window.start, found.window.end) == (READY_DAY, dt.date(2026, 10, 7))
    assert found.authorizations == () and found.open_authorization is None


def test_the_lookup_shows_the_grant_it_would_lead_to_and_agrees_with_it(
        clinic: Clinic) -> None:
    _, rx = ready_course(clinic)
    looked = look_up_prescription(rx, **kw(clinic))
    row = grant(clinic, rx)
    assert looked.capsules == capsule_plan(row.capsules)
    again = look_up_prescription(rx, **kw(clinic))
    assert again.open_authorization is not None and again.open_authorization.code == row.code
    assert [a.code for a in again.authorizations] == [row.code]
    check = check_authorization(row.code.lower(), **kw(clinic))
    assert check.usable and check.reasons == ()
    assert check.authorization.code == row.code


def test_a_dispensed_prescription_and_its_used_authorization_are_not_usable(
        clinic: Clinic) -> None:
    _, rx = ready_course(clinic)
    row = grant(clinic, rx)
    dispensing.record_dispense(row.code, idempotency_key=None, **kw(clinic))
    found = look_up_prescription(rx, **kw(clinic))
    assert not found.allowed and found.open_authorization is None
    assert any("already dispensed" in r.message and row.code in r.message
               for r in found.reasons)
    check = check_authorization(row.code, **kw(clinic))
    assert not check.usable
    assert [r.message for r in check.reasons] == [
        "this authorization has already been used to dispense"]


def test_a_closed_window_gives_the_engines_reasons_with_their_sources_as_asking_does(
        clinic: Clinic) -> None:
    _, rx = ready_course(clinic)
    clinic.clock.day = dt.date(2026, 10, 20)  # type: ignore[attr-defined]
    found = look_up_prescription(rx, **kw(clinic))
    assert not found.allowed and found.open_authorization is None
    engine = [r for r in found.reasons if r.rule_id is not None]
    assert engine and all(r.source and r.message for r in engine)
    with pytest.raises(DispenseNotAllowed) as refused:
        grant(clinic, rx)
    assert {rule for rule, _ in refused.value.reasons} == {r.rule_id for r in engine}
    assert {message for _, message in refused.value.reasons} == {r.message for r in engine}


def test_a_missing_consent_is_a_reason_before_the_first_supply(clinic: Clinic) -> None:
    clinic.clock.day = READY_DAY  # type: ignore[attr-defined]
    course = start_us_course(clinic)
    course, _ = courses.record_events(course.header.id, [
        {"type": "prescription", "date": "2026-10-01", "daily_mg": 30, "days_supply": 30}],
        expected_version=None, **as_prescriber(clinic))
    rx = course.events[-1].event_id
    assert rx is not None
    found = look_up_prescription(rx, **kw(clinic))
    assert not found.allowed
    assert "us-ipledge.consent" in {r.rule_id for r in found.reasons}


def test_an_older_prescription_is_refused_in_the_words_asking_would_use(
        clinic: Clinic) -> None:
    course, rx = ready_course(clinic)
    verdict = prescriptions.write_prescription(prescriptions.WritePrescription(
        course_id=course.header.id, daily_mg=30, days_supply=30), preview=False,
        expected_version=None, **as_prescriber(clinic))
    assert verdict.saved and verdict.prescription_id != rx
    found = look_up_prescription(rx, **kw(clinic))
    assert not found.allowed
    assert any("a newer prescription exists" in r.message for r in found.reasons)
    newest = look_up_prescription(str(verdict.prescription_id), **kw(clinic))
    assert newest.allowed


def test_an_authorization_past_its_date_or_reversed_says_so(clinic: Clinic) -> None:
    _, rx = ready_course(clinic)
    row = grant(clinic, rx)
    clinic.clock.day = row.do_not_dispense_after + dt.timedelta(days=1)  # type: ignore[attr-defined]
    expired = check_authorization(row.code, **kw(clinic))
    assert not expired.usable
    assert expired.reasons[0].message.startswith("this authorization expired")
    dispensing.reverse_authorization(row.code, reason="not picked up", uows=clinic.uows,
                                     clock=clinic.clock, actor=pharmacist(clinic))
    reversed_ = check_authorization(row.code, **kw(clinic))
    assert [r.message for r in reversed_.reasons] == [
        "this authorization was reversed and cannot be used"]


def test_a_positive_test_after_the_grant_stops_the_dispense_the_check_foresees(
        clinic: Clinic) -> None:
    course, rx = ready_course(clinic)
    row = grant(clinic, rx)
    courses.record_events(course.header.id, [
        {"type": "pregnancy_test", "date": READY_DAY.isoformat(), "result": "positive",
         "setting": "lab"}], expected_version=None, **as_prescriber(clinic))
    check = check_authorization(row.code, **kw(clinic))
    assert not check.usable and all(r.rule_id for r in check.reasons)
    with pytest.raises(DispenseNotAllowed) as refused:
        dispensing.record_dispense(row.code, idempotency_key=None, **kw(clinic))
    assert {rule for rule, _ in refused.value.reasons} == {r.rule_id for r in check.reasons}


def test_unknown_and_out_of_reach_references_get_the_same_answer(clinic: Clinic) -> None:
    _, rx = ready_course(clinic)
    row = grant(clinic, rx)
    elsewhere = replace(pharmacist(clinic), clinic_id="another-clinic")
    other_patient = replace(clinic.actor, role="patient", patient_id="someone-else")
    answers = []
    for reference, actor in (("rx-0000000000", pharmacist(clinic)), (rx, elsewhere),
                             (rx, other_patient), ("", pharmacist(clinic)),
                             ("rx-" + "0" * 200, pharmacist(clinic))):
        with pytest.raises(NotFound) as missing:
            look_up_prescription(reference, **{**kw(clinic), "actor": actor})
        answers.append(missing.value.message)
    assert set(answers) == {"no such prescription"}
    with pytest.raises(Hidden) as hidden:
        check_authorization(row.code, **{**kw(clinic), "actor": elsewhere})
    with pytest.raises(NotFound) as unknown:
        check_authorization("0000-0000-0000", **kw(clinic))
    assert hidden.value.message == unknown.value.message


def test_the_care_team_may_look_but_an_admin_may_not(clinic: Clinic) -> None:
    _, rx = ready_course(clinic)
    assert look_up_prescription(rx, **as_prescriber(clinic)).allowed
    admin = replace(clinic.actor, role="admin")
    with pytest.raises(Forbidden):
        look_up_prescription(rx, **{**kw(clinic), "actor": admin})
    with pytest.raises(Forbidden):
        check_authorization("0000-0000-0000", **{**kw(clinic), "actor": admin})


@given(st.dictionaries(st.sampled_from([5, 10, 20, 30, 40]), st.integers(0, 3), min_size=1),
       st.dictionaries(st.sampled_from([5, 10, 20, 30, 40]), st.integers(0, 3)),
       st.integers(1, 90))
def test_a_capsule_plan_counts_each_strength_per_day_times_the_days(
        am: dict[int, int], pm: dict[int, int], days: int) -> None:
    per_day = {mg: am.get(mg, 0) + pm.get(mg, 0) for mg in set(am) | set(pm)}
    stored = {"am": [[mg, n] for mg, n in am.items()],
              "pm": [[mg, n] for mg, n in pm.items()],
              "by_strength": {str(mg): n * days for mg, n in per_day.items()}}
    plan = capsule_plan(stored)
    assert [r.strength_mg for r in plan.rows] == sorted(mg for mg, n in per_day.items() if n)
    for row in plan.rows:
        assert row.per_day == per_day[row.strength_mg]
        assert row.total == row.per_day * days
    assert plan.total_capsules == sum(per_day.values()) * days
