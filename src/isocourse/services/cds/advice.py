"""``advise``: the cards a CDS hook call gets from the clinic's course of the patient.

The patient is the clinic's patient whose id (the course record's ``patient.id``) the face
matched to the hook's patient; the course is the patient's latest (the active one, else
the one that ended last). It is assessed by the engine on the hook's date (today in the
clinic's zone). Every card returned is kept (kind, rules, client; no patient data) so that
feedback can be matched to it and the override report can count it. The call is audited
like an API read: its actor is the CDS client, the subject the patient.

CDS Hooks has no hard stop: the cards inform. What enforces the programme's rules is the
dispense authorization (``services/dispensing.py``), which refuses whatever these cards
warn about, whatever the clinician did with them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from isocourse.domain.errors import NotFound
from isocourse.services.access import require_cds_client
from isocourse.services.cds.cards import Card, CardKind, Indicator
from isocourse.services.cds.course_cards import (
    missed_window_card,
    positive_test_card,
    status_card,
)
from isocourse.services.cds.hooks import Hook, HookCall
from isocourse.services.cds.order_cards import order_cards
from isocourse.services.cds.stored import ShownCard
from isocourse.services.cds.view import CourseView, course_view
from isocourse.services.course_store import load_course
from isocourse.services.ports import Actor, Clock, Rulebook, UnitOfWorkFactory

__all__ = ["Advice", "CdsDataUnavailable", "IssuedCard", "advise"]


class CdsDataUnavailable(NotFound):
    """The data a CDS service needs is neither in the request nor in the clinic (CDS Hooks
    answers 412 Precondition Failed)."""

    code = "cds-data-unavailable"


@dataclass(frozen=True, slots=True)
class IssuedCard:
    uuid: str
    card: Card


@dataclass(frozen=True, slots=True)
class Advice:
    """The cards of one call; ``course_id`` is the course they are about, if any (the face
    links each card to its page)."""

    course_id: str | None
    cards: tuple[IssuedCard, ...]


def advise(call: HookCall, *, uows: UnitOfWorkFactory, clock: Clock, actor: Actor,
           rules: Rulebook) -> Advice:
    require_cds_client(actor)
    if call.hook is not Hook.PATIENT_VIEW and not call.orders:
        return Advice(None, ())  # no isotretinoin order: nothing to say, nothing read
    on = clock.today()
    with uows(write=True) as uow:
        patient = uow.patients.by_external_id(actor.clinic_id, call.patient_key)
        if patient is None:
            raise CdsDataUnavailable("the hook's patient is not a patient of this clinic, so "
                                     "there is no course to advise on")
        uow.saw(patient.id)
        headers = sorted(uow.courses.of_patient(patient.id), key=lambda h: h.number)
        course_id: str | None = None
        if not headers:
            cards = [] if call.hook is Hook.PATIENT_VIEW else [_no_course_card()]
        else:
            course = load_course(uow, headers[-1].id, actor, rules)
            course_id = course.header.id
            cards = _cards(call, course_view(course, on, rules), rules)
        issued = tuple(IssuedCard(str(uuid.uuid4()), card) for card in cards)
        at = clock.now()
        for item in issued:
            uow.cds_cards.add(ShownCard(
                uuid=item.uuid, clinic_id=actor.clinic_id, client=actor.id,
                service_id=call.service_id, kind=item.card.kind.value,
                indicator=item.card.indicator.value, rule_ids=item.card.rule_ids,
                shown_at=at))
        uow.commit()
    return Advice(course_id, issued)


def _cards(call: HookCall, view: CourseView, rules: Rulebook) -> list[Card]:
    """Course cards first (most urgent first), then each order's."""
    positive = positive_test_card(view)
    cards = [positive] if positive is not None else []
    if call.hook is Hook.PATIENT_VIEW:
        missed = missed_window_card(view)
        if missed is not None:
            cards.append(missed)
        cards.append(status_card(view))
        return cards
    for order in call.orders:
        cards.extend(order_cards(view, order, rules, signing=call.hook is Hook.ORDER_SIGN))
    return sorted(cards, key=lambda c: _URGENCY[c.indicator])


_URGENCY = {Indicator.CRITICAL: 0, Indicator.WARNING: 1, Indicator.INFO: 2}


def _no_course_card() -> Card:
    return Card(
        kind=CardKind.NO_COURSE, indicator=Indicator.WARNING,
        summary="No isotretinoin course in isocourse for this patient: the pharmacy cannot "
                "dispense this order until one is started",
        detail="The patient is registered in the clinic but has no course. A dispense is "
               "authorized only against a course whose rules allow it; start the course "
               "(with its plan) in isocourse first.",
        source="isocourse")
