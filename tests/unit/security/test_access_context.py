"""What one request leaves for the audit trail: the access context (pending, written,
denied, the patients seen) and the target it names (authorization codes masked)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isocourse.services.audit import AccessContext, describe_target

AT = dt.datetime(2026, 11, 21, 12, tzinfo=dt.UTC)


def test_a_new_context_is_pending_allowed_anonymous_and_has_seen_no_one() -> None:
    access = AccessContext(action="get_course", target="/courses/c1")
    assert access.pending
    entry = access.entry(at=AT, status=200)
    assert (entry.via, entry.actor_id, entry.role, entry.outcome) == (
        "anonymous", None, None, "allowed")
    assert entry.subjects == ()
    assert (entry.seq, entry.prev_hash, entry.hash) == (0, "", "")  # set by the repository


def test_written_clears_pending_and_seeing_another_patient_sets_it_again() -> None:
    access = AccessContext(action="record_events", target="/courses/c1/events")
    def see() -> None:
        access.saw("p-1")

    states = []
    for step in (see, access.written, see, access.written, access.written):
        step()
        states.append(access.pending)
    # something read after the change still needs an entry of its own
    assert states == [True, False, True, False, False]


def test_a_denied_context_writes_a_denied_entry_with_its_status() -> None:
    access = AccessContext(action="get_course", target="/courses/c1", via="token",
                           actor_id="u1", role="pharmacist", address="10.1.2.3")
    access.denied = True
    entry = access.entry(at=AT, status=404)
    assert (entry.outcome, entry.status, entry.actor_id, entry.role, entry.via,
            entry.address, entry.at) == ("denied", 404, "u1", "pharmacist", "token",
                                         "10.1.2.3", AT)


def test_the_delegates_prescriber_is_carried_into_the_entry() -> None:
    access = AccessContext(action="record_events", target="/t", actor_id="d1",
                           role="delegate", on_behalf_of="p1")
    assert access.entry(at=AT, status=None).on_behalf_of == "p1"


@given(st.lists(st.text(min_size=1, max_size=8), max_size=10))
def test_subjects_are_each_patient_once_sorted(seen: list[str]) -> None:
    access = AccessContext(action="a", target="t")
    for patient in seen:
        access.saw(patient)
    assert access.entry(at=AT, status=200).subjects == tuple(sorted(set(seen)))


def test_an_authorization_code_in_a_target_keeps_only_its_first_four_characters() -> None:
    shown = describe_target("/authorizations/{code}/dispense", {"code": "K7QM-2XRT-9HPD"})
    assert shown == "/authorizations/K7QM-****-****/dispense"


def test_other_identifiers_are_shown_as_they_are() -> None:
    assert describe_target("/courses/{course_id}/events", {"course_id": "c-42"}) == \
        "/courses/c-42/events"


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@given(st.text(alphabet=_CROCKFORD, min_size=12, max_size=12))
def test_no_whole_authorization_code_ever_reaches_a_target(chars: str) -> None:
    code = f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"
    shown = describe_target("/authorizations/{code}", {"code": code})
    assert code not in shown
    assert shown == f"/authorizations/{chars[:4]}-****-****"


@pytest.mark.parametrize(("template", "params", "expected"), [
    ("/courses/{course_id}", {}, "/courses/{course_id}"),                   # missing
    ("/due", {"course_id": "c1"}, "/due"),                                   # extra
    ("/a/{}", {"x": "1"}, "/a/{}"),                                          # positional
    ("/a/{0}", {"x": "1"}, "/a/{0}"),                                        # index
    ("/a/{x", {"x": "1"}, "/a/{x"),                                          # unbalanced
    ("/a/x}", {"x": "1"}, "/a/x}"),                                          # unbalanced
    ("/files/{path:path}", {"path": "a/b"}, "/files/{path:path}"),          # convertor
    ("/n/{n:int}", {"n": "7"}, "/n/{n:int}"),                                # convertor
    ("/a/{x!z}", {"x": "1"}, "/a/{x!z}"),                                    # conversion
    ("/authorizations/{code}", {"code": ""}, "/authorizations/-****-****"),  # empty code
    ("/authorizations/{code}", {"code": "AB"}, "/authorizations/AB-****-****"),
    ("/p/{patient_id}", {"patient_id": "{code}"}, "/p/{code}"),              # braces in value
])
def test_describe_target_tolerates_odd_templates_and_params(
        template: str, params: dict[str, str], expected: str) -> None:
    assert describe_target(template, params) == expected


_keys = st.sampled_from(["code", "course_id", "patient_id", "token_id", "username", "x"])


@given(st.sampled_from(["/courses/{course_id}", "/authorizations/{code}/reverse", "/due",
                        "/patients/{patient_id}/access-log", "/users/{username}/disable",
                        "/tokens/{token_id}", "/{x}/{code}", "/{", "/}", "/{x:d}"]),
       st.dictionaries(_keys, st.text(max_size=20), max_size=4))
def test_describe_target_never_raises_and_always_returns_text(
        template: str, params: dict[str, str]) -> None:
    shown = describe_target(template, params)
    assert isinstance(shown, str)
    code = params.get("code", "")
    if "{code}" in template and len(code) > 4 and shown != template:
        assert f"{code[:4]}-****-****" in shown
