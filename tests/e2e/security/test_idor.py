"""Insecure direct object references: changing an identifier in a URL or a body never
reaches a record out of the actor's reach, and the answer does not tell whether it exists."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.security.world import READY_DAY, World

NOWHERE = "00000000-0000-4000-8000-000000000000"
DAY = READY_DAY.isoformat()


def problem(response: httpx.Response) -> tuple[int, str, Any]:
    return (response.status_code, response.headers["content-type"], response.json())


def test_a_patient_cannot_read_another_patients_record_by_changing_ids(world: World) -> None:
    mine, theirs = world.course("one"), world.course("two")
    me = world["patient"].bearer
    paths = ["/patients/{p}", "/courses/{c}", "/courses/{c}/summary", "/courses/{c}/events",
             "/courses/{c}/assessment", "/courses/{c}/authorizations", "/authorizations/{a}"]
    for template in paths:
        own = world.http.get(template.format(p=mine.patient_id, c=mine.course_id,
                                             a=mine.code), headers=me)
        assert own.status_code == 200, (template, own.text)
        other = world.http.get(template.format(p=theirs.patient_id, c=theirs.course_id,
                                               a=theirs.code), headers=me)
        assert other.status_code == 404, (template, other.text)
        assert other.json()["type"].endswith("/not-found")
        assert theirs.course_id not in other.text and theirs.external_id not in other.text
    # Another patient's access log is the care team's view: a patient has none of it.
    log = world.http.get(f"/patients/{theirs.patient_id}/access-log", headers=me)
    assert log.status_code == 403 and log.json()["type"].endswith("/forbidden")


def test_a_patient_cannot_change_another_patients_course_by_changing_ids(
        world: World) -> None:
    theirs = world.course("two")
    me = world["patient"].bearer
    before = world.version(theirs.course_id)
    side_effect = {"type": "side_effect", "date": DAY, "kind": "cheilitis", "grade": 1}
    refused = {
        ("POST", f"/courses/{theirs.course_id}/events", None): (404, side_effect),
        ("PUT", f"/courses/{theirs.course_id}", "*"): (403, world.document(theirs.course_id)),
        ("POST", f"/courses/{theirs.course_id}/end", None): (403, {"last_dose": DAY}),
        ("POST", f"/courses/{theirs.course_id}/prescriptions", None): (
            403, {"daily_mg": 40, "days_supply": 30}),
        ("POST", f"/authorizations/{theirs.code}/reverse", None): (403, {"reason": "mine"}),
        ("POST", f"/authorizations/{theirs.code}/dispense", None): (403, None),
    }
    for (method, path, if_match), (status, body) in refused.items():
        headers = {**me, **({"If-Match": if_match} if if_match else {})}
        answer = world.http.request(method, path, json=body, headers=headers)
        assert answer.status_code == status, (method, path, answer.text)
    assert world.version(theirs.course_id) == before
    grant = world.http.get(f"/authorizations/{theirs.code}", headers=world["pharmacist"].bearer)
    assert grant.json()["status"] == "granted"


def test_another_clinics_prescriber_gets_the_same_404_as_for_a_record_that_does_not_exist(
        world: World) -> None:
    target = world.course("one")
    stranger = world["other-prescriber"].bearer
    requests = [
        ("GET", "/patients/{p}", None), ("GET", "/patients/{p}/access-log", None),
        ("POST", "/patients/{p}/courses", {"jurisdiction": "us-ipledge",
                                           "product": "us-conventional", "weight_kg": 60,
                                           "mg_per_kg": 0.5}),
        ("GET", "/courses/{c}", None), ("GET", "/courses/{c}/summary", None),
        ("GET", "/courses/{c}/events", None), ("GET", "/courses/{c}/assessment", None),
        ("GET", "/courses/{c}/authorizations", None),
        ("POST", "/courses/{c}/events", {"type": "counseling", "date": DAY}),
        ("POST", "/courses/{c}/end", {"last_dose": DAY}),
        ("GET", "/authorizations/{a}", None),
        ("POST", "/authorizations/{a}/reverse", {"reason": "a stranger's attempt"}),
    ]
    differ = []
    for method, template, body in requests:
        real = template.format(p=target.patient_id, c=target.course_id, a=target.code)
        fake = template.format(p=NOWHERE, c=NOWHERE, a="ZZZZ-ZZZZ-ZZZZ")
        hidden = world.http.request(method, real, json=body, headers=stranger)
        missing = world.http.request(method, fake, json=body, headers=stranger)
        assert hidden.status_code == 404, (method, template, hidden.text)
        if problem(hidden) != problem(missing):
            differ.append(f"{method} {template}: {hidden.json()} vs missing {missing.json()}")
    assert not differ, "a hidden record is told apart from a missing one:\n" + "\n".join(differ)


def test_a_pharmacist_reads_an_authorization_but_never_the_course_behind_it(
        world: World) -> None:
    grant = world.course("one")
    pharmacy = world["pharmacist"].bearer
    read = world.http.get(f"/authorizations/{grant.code}", headers=pharmacy)
    assert read.status_code == 200 and read.json()["course_id"] == grant.course_id
    assert "events" not in read.json()
    for path in (f"/courses/{grant.course_id}", f"/courses/{grant.course_id}/events",
                 f"/courses/{grant.course_id}/assessment", f"/patients/{grant.patient_id}"):
        answer = world.http.get(path, headers=pharmacy)
        assert answer.status_code == 403, (path, answer.text)
        assert answer.json()["type"].endswith("/forbidden")
    # Another clinic's pharmacy cannot use the code.
    elsewhere = world.http.get(f"/authorizations/{grant.code}",
                               headers=world["other-pharmacist"].bearer)
    missing = world.http.get("/authorizations/ZZZZ-ZZZZ-ZZZZ",
                             headers=world["other-pharmacist"].bearer)
    assert problem(elsewhere) == problem(missing) and elsewhere.status_code == 404


def test_a_delegate_may_preview_but_not_sign_and_records_on_behalf_of_their_prescriber(
        world: World) -> None:
    course = world.fresh_course("history")
    delegate = world["delegate"]
    rx = {"daily_mg": 30, "days_supply": 30}
    preview = world.http.post(f"/courses/{course.course_id}/prescriptions",
                              json={**rx, "preview": True}, headers=delegate.bearer)
    assert preview.status_code == 200 and preview.json()["saved"] is False
    signed = world.http.post(f"/courses/{course.course_id}/prescriptions", json=rx,
                             headers=delegate.bearer)
    assert signed.status_code == 403, signed.text
    before = world.head()
    recorded = world.http.post(f"/courses/{course.course_id}/events",
                               json={"type": "counseling", "date": DAY},
                               headers=delegate.bearer)
    assert recorded.status_code == 201, recorded.text
    entry = recorded.json()["recorded"][0]
    assert (entry["recorded_by"], entry["recorded_for"]) == (delegate.id,
                                                             world["prescriber"].id)
    audit = world.entries_after(before)
    assert [(e.actor_id, e.on_behalf_of, e.outcome) for e in audit] == [
        (delegate.id, world["prescriber"].id, "allowed")]


def test_a_patient_records_only_what_a_patient_reports_all_or_nothing(world: World) -> None:
    mine = world.course("one").course_id
    me = world["patient"].bearer
    reported = [{"type": "side_effect", "date": DAY, "kind": "dry-skin", "grade": 1},
                {"type": "phq2", "date": DAY, "items": [0, 1]}]
    lab = {"type": "lab", "date": DAY, "analyte": "alt", "value": 20, "unit": "U/L"}
    before = world.version(mine)
    refused = world.http.post(f"/courses/{mine}/events", json={"events": [*reported, lab]},
                              headers=me)
    assert refused.status_code == 403 and "lab" in refused.json()["detail"]
    assert world.version(mine) == before
    recorded = world.http.post(f"/courses/{mine}/events", json={"events": reported},
                               headers=me)
    assert recorded.status_code == 201, recorded.text
    assert [e["recorded_by"] for e in recorded.json()["recorded"]] == [world["patient"].id] * 2
