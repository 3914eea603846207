"""Feedback on cards and the override report (services/cds/feedback.py) over an in-memory
unit of work: outcomes stored per card, the latest one counting, rates and reasons."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from isocourse.domain.errors import Forbidden
from isocourse.services.access import CDS_CLIENT
from isocourse.services.cds.feedback import (
    FeedbackItem,
    ReasonCount,
    override_report,
    record_feedback,
)
from isocourse.services.cds.stored import ShownCard
from isocourse.services.ports import Actor, FixedClock
from tests.unit.cds.fakes import CdsStore, FakeUows

AT = dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC)
CLOCK = FixedClock(AT.date(), AT)
CLIENT = Actor(id="https://ehr.example.org/", role=CDS_CLIENT, clinic_id="main",
               scopes=frozenset({"read"}))
PRESCRIBER = Actor(id="u-1", role="prescriber", clinic_id="main")
SERVICE = "isocourse-order-sign"


def shown(uuid: str, kind: str, *rules: str, clinic: str = "main",
          at: dt.datetime = AT) -> ShownCard:
    return ShownCard(uuid=uuid, clinic_id=clinic, client=CLIENT.id, service_id=SERVICE,
                     kind=kind, indicator="warning", rule_ids=rules, shown_at=at)


def store_with(*cards: ShownCard) -> CdsStore:
    return CdsStore(cards={c.uuid: c for c in cards})


def overridden(card: str, code: str | None = "clinical-judgement", minutes: int = 0
               ) -> FeedbackItem:
    return FeedbackItem(card=card, outcome="overridden",
                        outcome_at=AT + dt.timedelta(minutes=minutes), reason_code=code,
                        reason_system="https://isocourse.dev/fhir/CodeSystem/x")


def accepted(card: str, minutes: int = 0) -> FeedbackItem:
    return FeedbackItem(card=card, outcome="accepted", accepted_suggestions=("s-1",),
                        outcome_at=AT + dt.timedelta(minutes=minutes))


def test_feedback_is_stored_for_the_services_own_cards_only() -> None:
    store = store_with(shown("a", "order-limits"), shown("b", "dose-range", clinic="other"))
    result = record_feedback(SERVICE, [accepted("a"), overridden("b"), overridden("zzz")],
                             uows=FakeUows(store), clock=CLOCK, actor=CLIENT)
    assert (result.stored, result.unknown) == (1, 2)
    (row,) = store.feedback
    assert (row.card_uuid, row.outcome, row.accepted_suggestions, row.client) == (
        "a", "accepted", ("s-1",), CLIENT.id)


def test_feedback_sent_to_another_services_endpoint_is_not_stored() -> None:
    store = store_with(shown("a", "order-limits"))
    result = record_feedback("isocourse-patient-view", [accepted("a")],
                             uows=FakeUows(store), clock=CLOCK, actor=CLIENT)
    assert (result.stored, result.unknown) == (0, 1)


def test_an_override_reason_of_ours_gets_our_display_when_the_client_sends_none() -> None:
    store = store_with(shown("a", "dose-range"))
    record_feedback(SERVICE, [overridden("a")], uows=FakeUows(store), clock=CLOCK,
                    actor=CLIENT)
    assert store.feedback[0].reason_display == "Prescriber's clinical judgement"


def test_only_a_cds_client_may_send_feedback() -> None:
    with pytest.raises(Forbidden):
        record_feedback(SERVICE, [], uows=FakeUows(), clock=CLOCK, actor=PRESCRIBER)


def test_the_report_counts_each_card_by_its_latest_outcome_per_kind_and_per_rule() -> None:
    store = store_with(
        shown("a", "order-limits", "us-ipledge.prescription-limits"),
        shown("b", "order-limits", "us-ipledge.prescription-limits"),
        shown("c", "order-limits", "us-ipledge.prescription-limits"),
        shown("d", "no-valid-test", "us-ipledge.window", "us-ipledge.monthly-test"),
        shown("e", "course-status"))
    record_feedback(SERVICE, [overridden("a", "not-applicable"), accepted("a", minutes=5),
                              overridden("b", "not-applicable"), overridden("d")],
                    uows=FakeUows(store), clock=CLOCK, actor=CLIENT)
    report = override_report(since=None, uows=FakeUows(store), actor=PRESCRIBER)
    by_kind = {s.kind: s for s in report.by_kind}
    limits = by_kind["order-limits"]
    assert (limits.shown, limits.accepted, limits.overridden) == (3, 1, 1)
    assert limits.override_rate == Decimal("0.500")
    assert limits.reasons == (ReasonCount("not-applicable", "Does not apply to this patient",
                                          1),)
    assert by_kind["course-status"].override_rate is None
    assert report.by_kind[0].kind == "no-valid-test"  # the most overridden first
    by_rule = {s.rule_id: s for s in report.by_rule}
    assert by_rule["us-ipledge.window"].overridden == 1
    assert by_rule["us-ipledge.monthly-test"].override_rate == Decimal("1.000")


def test_the_report_keeps_to_the_clinic_and_the_dates_asked() -> None:
    store = store_with(shown("old", "dose-range", at=AT - dt.timedelta(days=40)),
                       shown("new", "dose-range"), shown("theirs", "dose-range",
                                                         clinic="other"))
    report = override_report(since=(AT - dt.timedelta(days=7)).date(), uows=FakeUows(store),
                             actor=PRESCRIBER)
    assert [(s.kind, s.shown) for s in report.by_kind] == [("dose-range", 1)]


@pytest.mark.parametrize("role", ["delegate", "pharmacist", "patient", CDS_CLIENT])
def test_the_report_is_for_admins_and_prescribers(role: str) -> None:
    with pytest.raises(Forbidden):
        override_report(since=None, uows=FakeUows(), actor=Actor(id="x", role=role,
                                                                 clinic_id="main"))
