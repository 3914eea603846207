"""A patient sees who looked at or changed their record (GET /me/access-log), by name and
role, attempts that were refused included, and nobody else's accesses."""

from __future__ import annotations

from typing import Any

from tests.e2e.security.world import Course, Person, World, add_person

FIELDS = {"at", "who", "role", "on_behalf_of", "action", "outcome"}


def patient_with_account(world: World) -> tuple[Course, Person]:
    course = world.fresh_course("granted")
    return course, add_person(world.clinic, "patient", "patient", "Paula Private",
                              patient_external_id=course.external_id)


def lines(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    assert all(set(item) == FIELDS for item in items), items  # no addresses, no ids
    return [(i["who"], i["role"], i["action"], i["outcome"], i["on_behalf_of"]) for i in items]


def my_log(world: World, me: Person) -> list[tuple[Any, ...]]:
    answer = world.http.get("/me/access-log", headers=me.bearer)
    assert answer.status_code == 200, answer.text
    return lines(answer.json()["items"])


def team_log(world: World, patient_id: str) -> list[tuple[Any, ...]]:
    answer = world.http.get(f"/patients/{patient_id}/access-log",
                            headers=world["prescriber"].bearer)
    assert answer.status_code == 200, answer.text
    return lines(answer.json()["items"])


def test_a_patient_sees_who_read_and_dispensed_from_their_record_and_no_one_elses_accesses(
        world: World) -> None:
    mine, me = patient_with_account(world)
    theirs = world.fresh_course("granted")
    get = world.http.get
    assert get(f"/courses/{mine.course_id}",
               headers=world["prescriber"].bearer).status_code == 200
    dispensed = world.http.post(f"/authorizations/{mine.code}/dispense",
                                headers=world["pharmacist"].bearer)
    assert dispensed.status_code == 201, dispensed.text
    assert get(f"/courses/{mine.course_id}/events",
               headers=world["delegate"].bearer).status_code == 200
    assert get(f"/courses/{mine.course_id}",
               headers=world["other-prescriber"].bearer).status_code == 404
    # Meanwhile, another patient's record is read by the same prescriber and pharmacist.
    assert get(f"/courses/{theirs.course_id}/assessment",
               headers=world["prescriber"].bearer).status_code == 200
    assert get(f"/authorizations/{theirs.code}",
               headers=world["pharmacist"].bearer).status_code == 200

    assert my_log(world, me) == [  # newest first
        ("Dr Olga Otherclinic", "prescriber", "get_course", "denied", None),
        ("Dan Delegate", "delegate", "list_events", "allowed", "Dr Priya Prescriber"),
        ("Phil Pharmacist", "pharmacist", "record_dispense", "allowed", None),
        ("Dr Priya Prescriber", "prescriber", "get_course", "allowed", None),
    ]
    assert team_log(world, theirs.patient_id) == [
        ("Phil Pharmacist", "pharmacist", "get_authorization", "allowed", None),
        ("Dr Priya Prescriber", "prescriber", "assess", "allowed", None),
    ]


def test_the_care_team_sees_a_patients_access_log_as_the_patient_does(world: World) -> None:
    mine, me = patient_with_account(world)
    assert world.http.get(f"/courses/{mine.course_id}/summary",
                          headers=world["delegate"].bearer).status_code == 200
    assert my_log(world, me) == [
        ("Dan Delegate", "delegate", "course_summary", "allowed", "Dr Priya Prescriber")]
    assert team_log(world, mine.patient_id) == [
        ("Paula Private", "patient", "my_access_log", "allowed", None),
        ("Dan Delegate", "delegate", "course_summary", "allowed", "Dr Priya Prescriber")]
