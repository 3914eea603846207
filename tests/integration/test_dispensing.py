"""Dispense authorizations on SQLite and PostgreSQL: granted only when the rules allow,
used exactly once (also under a real race), idempotent, reversible, expiring."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest

from isocourse.bootstrap import Clinic
from isocourse.domain.errors import Conflict, DispenseNotAllowed, NotFound
from isocourse.services import courses, dispensing
from isocourse.services.stored import AuthorizationStatus
from tests.support.clinics import pharmacist
from tests.support.courses import READY_DAY, ready_course, start_us_course


def kw(clinic: Clinic) -> dict[str, Any]:
    """The dispensing use cases' ports, as the pharmacy calls them."""
    return {"uows": clinic.uows, "clock": clinic.clock, "actor": pharmacist(clinic),
            "rules": clinic.rules}


def prescriber(clinic: Clinic) -> dict[str, Any]:
    return {**kw(clinic), "actor": clinic.actor}


def grant(clinic: Clinic, course_id: str, rx: str) -> dispensing.AuthorizationRow:
    row, new = dispensing.request_authorization(
        dispensing.AuthorizationRequest(course_id=course_id, prescription_id=rx,
                                        pharmacy="Main St Pharmacy"), **kw(clinic))
    assert new
    return row


def test_grant_carries_code_supply_capsules_and_window_end(clinic: Clinic) -> None:
    course, rx = ready_course(clinic)
    row = grant(clinic, course.header.id, rx)
    assert len(row.code) == 14 and row.code.count("-") == 2
    assert row.prescription_id == rx
    assert (row.daily_mg, row.days_supply) == (30, 30)
    # 30 mg a day from 10/20/30/40 mg capsules: 10 mg morning, 20 mg evening.
    assert row.capsules == {"am": [[10, 1]], "pm": [[20, 1]],
                            "by_strength": {"10": 30, "20": 30}}
    # The iPLEDGE window: Day 1 is the specimen date (2026-10-01), Day 7 the last day.
    assert row.do_not_dispense_after == dt.date(2026, 10, 7)


def test_refuses_with_reasons_a_pharmacist_can_act_on(clinic: Clinic) -> None:
    clinic.clock.day = READY_DAY  # type: ignore[attr-defined]
    course = start_us_course(clinic)
    course, _ = courses.record_events(course.header.id, [
        {"type": "prescription", "date": "2026-10-01", "daily_mg": 30, "days_supply": 30}],
        expected_version=None, **prescriber(clinic))
    rx = course.events[-1].event_id
    assert rx is not None
    with pytest.raises(DispenseNotAllowed) as refused:
        dispensing.request_authorization(dispensing.AuthorizationRequest(
            course_id=course.header.id, prescription_id=rx), **kw(clinic))
    rules = {rule for rule, _ in refused.value.reasons}
    assert "us-ipledge.consent" in rules
    assert all(message for _, message in refused.value.reasons)


def test_asking_twice_returns_the_same_usable_grant(clinic: Clinic) -> None:
    course, rx = ready_course(clinic)
    first = grant(clinic, course.header.id, rx)
    again, new = dispensing.request_authorization(dispensing.AuthorizationRequest(
        course_id=course.header.id, prescription_id=rx), **kw(clinic))
    assert (again.code, new) == (first.code, False)


def test_dispense_uses_the_authorization_once_and_records_the_event(clinic: Clinic) -> None:
    course, rx = ready_course(clinic)
    row = grant(clinic, course.header.id, rx)
    result = dispensing.record_dispense(row.code, idempotency_key=None, **kw(clinic))
    assert result.body["authorization"]["status"] == "dispensed"
    assert result.body["dispense"]["type"] == "dispense"
    assert result.body["dispense"]["extensions"] == {"isocourse": {"authorization": row.code}}
    with pytest.raises(Conflict, match="already been used"):
        dispensing.record_dispense(row.code, idempotency_key=None, **kw(clinic))
    stored = courses.get_course(course.header.id, uows=clinic.uows, actor=clinic.actor,
                                rules=clinic.rules)
    assert [e.type for e in stored.events].count("dispense") == 1
    with pytest.raises(Conflict, match="already dispensed"):
        dispensing.request_authorization(dispensing.AuthorizationRequest(
            course_id=course.header.id, prescription_id=rx), **kw(clinic))


def test_a_retried_request_with_the_same_key_gets_the_first_answer(clinic: Clinic) -> None:
    course, rx = ready_course(clinic)
    row = grant(clinic, course.header.id, rx)
    first = dispensing.record_dispense(row.code, idempotency_key="till-7-0001", **kw(clinic))
    again = dispensing.record_dispense(row.code, idempotency_key="till-7-0001", **kw(clinic))
    assert (first.replayed, again.replayed) == (False, True)
    assert again.body == first.body


def test_codes_are_accepted_as_typed(clinic: Clinic) -> None:
    course, rx = ready_course(clinic)
    row = grant(clinic, course.header.id, rx)
    typed = row.code.lower().replace("-", " ")
    assert dispensing.get_authorization(typed, uows=clinic.uows, actor=clinic.actor).code \
        == row.code


def test_a_reversed_authorization_cannot_be_used(clinic: Clinic) -> None:
    course, rx = ready_course(clinic)
    row = grant(clinic, course.header.id, rx)
    reversed_row = dispensing.reverse_authorization(
        row.code, reason="not picked up", uows=clinic.uows, clock=clinic.clock,
        actor=pharmacist(clinic))
    assert reversed_row.status is AuthorizationStatus.REVERSED
    with pytest.raises(Conflict, match="reversed"):
        dispensing.record_dispense(row.code, idempotency_key=None, **kw(clinic))
    # A new grant can then be made for the same prescription.
    again = grant(clinic, course.header.id, rx)
    assert again.code != row.code


def test_a_used_authorization_cannot_be_reversed(clinic: Clinic) -> None:
    course, rx = ready_course(clinic)
    row = grant(clinic, course.header.id, rx)
    dispensing.record_dispense(row.code, idempotency_key=None, **kw(clinic))
    with pytest.raises(Conflict, match="cannot be reversed"):
        dispensing.reverse_authorization(row.code, reason="oops", uows=clinic.uows,
                                         clock=clinic.clock, actor=clinic.actor)


def test_refuses_dispense_after_the_do_not_dispense_after_date(clinic: Clinic) -> None:
    course, rx = ready_course(clinic)
    row = grant(clinic, course.header.id, rx)
    clinic.clock.day = row.do_not_dispense_after  # type: ignore[attr-defined]
    assert dispensing.get_authorization(row.code, uows=clinic.uows,
                                        actor=clinic.actor).usable_on(clinic.clock.today())
    clinic.clock.day = row.do_not_dispense_after + dt.timedelta(days=1)  # type: ignore[attr-defined]
    with pytest.raises(Conflict, match="expired"):
        dispensing.record_dispense(row.code, idempotency_key=None, **kw(clinic))


def test_a_positive_test_recorded_after_the_grant_stops_the_dispense(clinic: Clinic) -> None:
    course, rx = ready_course(clinic)
    row = grant(clinic, course.header.id, rx)
    courses.record_events(course.header.id, [
        {"type": "pregnancy_test", "date": "2026-10-01", "result": "positive",
         "setting": "office"}], expected_version=None, **prescriber(clinic))
    with pytest.raises(DispenseNotAllowed) as refused:
        dispensing.record_dispense(row.code, idempotency_key=None, **kw(clinic))
    assert refused.value.reasons
    assert dispensing.get_authorization(row.code, uows=clinic.uows, actor=clinic.actor) \
        .status is AuthorizationStatus.GRANTED


def test_unknown_codes_and_other_clinics_are_not_found(clinic: Clinic) -> None:
    course, rx = ready_course(clinic)
    row = grant(clinic, course.header.id, rx)
    with pytest.raises(NotFound):
        dispensing.get_authorization("0000-0000-0000", uows=clinic.uows, actor=clinic.actor)
    from dataclasses import replace

    other = replace(clinic.actor, clinic_id="elsewhere")
    with pytest.raises(NotFound):
        dispensing.get_authorization(row.code, uows=clinic.uows, actor=other)


def race(clinic: Clinic, code: str, key: str | None, racers: int = 4) -> list[str]:
    """``racers`` threads dispense one authorization at the same moment; their outcomes."""
    barrier = threading.Barrier(racers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def dispense() -> None:
        barrier.wait()
        try:
            result = dispensing.record_dispense(code, idempotency_key=key, **kw(clinic))
            outcome = "replayed" if result.replayed else "dispensed"
        except Conflict:
            outcome = "refused"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=dispense) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.parametrize("with_key", [False, True], ids=["no-key", "same-key"])
def test_two_pharmacies_racing_dispense_exactly_once(clinic: Clinic, with_key: bool) -> None:
    """Real threads, real connections: of the racers exactly one dispenses, every time."""
    for round_ in range(5):
        course, rx = ready_course(clinic, external_id=f"race-{round_}")
        row = grant(clinic, course.header.id, rx)
        outcomes = race(clinic, row.code, f"key-{row.code}" if with_key else None)
        assert outcomes.count("dispensed") == 1, outcomes
        expected_others = "replayed" if with_key else "refused"
        assert outcomes.count(expected_others) == 3, outcomes
        stored = courses.get_course(course.header.id, uows=clinic.uows, actor=clinic.actor,
                                    rules=clinic.rules)
        assert [e.type for e in stored.events].count("dispense") == 1


def test_a_prescription_id_alone_finds_its_course(clinic: Clinic) -> None:
    course, rx = ready_course(clinic)
    row, new = dispensing.request_authorization(
        dispensing.AuthorizationRequest(prescription_id=rx), **kw(clinic))
    assert new and row.course_id == course.header.id
    with pytest.raises(NotFound):
        dispensing.request_authorization(
            dispensing.AuthorizationRequest(prescription_id="rx-unknown"), **kw(clinic))
