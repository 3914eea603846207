"""A patient sees who looked at or changed their record (GET /me/access-log), by name and
role, attempts that were refused included, and nobody else's accesses."""

from __future__ import annotations

from typing import Any

from tests.e2e.security.world import World

FIELDS = {"at", "who", "role", "on_behalf_of", "action", "outcome"}


def lines(world: World, key: str) -> list[tuple[Any, ...]]:
    answer = world.http.get("/me/access-log", headers=world[key].bearer)
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert all(set(item) == FIELDS for item in items), items  # no addresses, no ids
    return [(i["who"], i["role"], i["action"], i["outcome"], i["on_behalf_of"]) for i in items]


def test_a_patient_sees_who_read_and_dispensed_from_their_record_and_no_one_elses_accesses(
        world: World) -> None:
    mine, theirs = world.course("one"), world.course("two")
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
    # Meanwhile, the other patient's record is read by the prescriber and a pharmacist.
    assert get(f"/courses/{theirs.course_id}/assessment",
               headers=world["prescriber"].bearer).status_code == 200
    assert get(f"/authorizations/{theirs.code}",
               headers=world["bystander"].bearer).status_code == 200

    accesses = [line for line in lines(world, "patient") if line[0] != "Pat One"]
    assert accesses == [  # newest first
        ("Dr Olga Otherclinic", "prescriber", "get_course", "denied", None),
        ("Dan Delegate", "delegate", "list_events", "allowed", "Dr Priya Prescriber"),
        ("Phil Pharmacist", "pharmacist", "record_dispense", "allowed", None),
        ("Dr Priya Prescriber", "prescriber", "get_course", "allowed", None),
    ]
    others = lines(world, "patient-two")
    assert ("Dr Priya Prescriber", "prescriber", "assess", "allowed", None) in others
    assert ("Bea Bystander", "pharmacist", "get_authorization", "allowed", None) in others
    assert not [line for line in others if line[2] in ("record_dispense", "list_events")]


def test_the_care_team_sees_a_patients_access_log_as_the_patient_does(world: World) -> None:
    mine = world.course("one")
    assert world.http.get(f"/courses/{mine.course_id}/summary",
                          headers=world["delegate"].bearer).status_code == 200
    answer = world.http.get(f"/patients/{mine.patient_id}/access-log",
                            headers=world["prescriber"].bearer)
    assert answer.status_code == 200
    team = [(i["who"], i["action"]) for i in answer.json()["items"]]
    assert team[0] == ("Dan Delegate", "course_summary")
    patients_own = [(line[0], line[2]) for line in lines(world, "patient")]
    assert patients_own[0] == ("Dr Priya Prescriber", "patient_access_log")
    assert patients_own[1:] == team[: len(patients_own) - 1]
