"""What clinicians did with the cards: CDS Hooks feedback, and the override report that
shows which cards (and which rules behind them) are overridden most - the noisy ones.

A card's outcome is its latest feedback (CDS Hooks lets a client report a card more than
once); a card with no feedback was ignored. The override rate is overridden ÷ (accepted +
overridden): ignored cards say nothing either way, so they are counted as shown only.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from isocourse.services.access import Action, require, require_cds_client
from isocourse.services.cds.cards import CardKind, override_reasons
from isocourse.services.cds.stored import CardOutcome, FeedbackRow
from isocourse.services.ports import Actor, Clock, UnitOfWorkFactory

__all__ = [
    "CardStats",
    "FeedbackItem",
    "FeedbackResult",
    "OverrideReport",
    "ReasonCount",
    "override_report",
    "record_feedback",
]

#: Outcomes CDS Hooks defines.
OUTCOMES = ("accepted", "overridden")


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedbackItem:
    card: str
    outcome: str
    outcome_at: dt.datetime
    accepted_suggestions: tuple[str, ...] = ()
    reason_system: str | None = None
    reason_code: str | None = None
    reason_display: str | None = None


@dataclass(frozen=True, slots=True)
class FeedbackResult:
    """``unknown``: items naming a card this service did not show in the client's clinic
    (ignored, not stored)."""

    stored: int
    unknown: int


def record_feedback(service_id: str, items: Sequence[FeedbackItem], *,
                    uows: UnitOfWorkFactory, clock: Clock, actor: Actor) -> FeedbackResult:
    require_cds_client(actor)
    stored = unknown = 0
    with uows(write=True) as uow:
        for item in items:
            card = uow.cds_cards.get(item.card)
            if (card is None or card.clinic_id != actor.clinic_id
                    or card.service_id != service_id or item.outcome not in OUTCOMES):
                unknown += 1
                continue
            display = item.reason_display or _our_display(card.kind, item.reason_code)
            uow.cds_cards.add_feedback(FeedbackRow(
                card_uuid=card.uuid, outcome=item.outcome, reason_system=item.reason_system,
                reason_code=item.reason_code, reason_display=display,
                accepted_suggestions=item.accepted_suggestions,
                outcome_at=item.outcome_at, received_at=clock.now(), client=actor.id))
            stored += 1
        uow.commit()
    return FeedbackResult(stored, unknown)


def _our_display(kind: str, code: str | None) -> str | None:
    if code is None or kind not in CardKind.__members__.values():
        return None
    return next((r.display for r in override_reasons(CardKind(kind)) if r.code == code), None)


@dataclass(frozen=True, slots=True)
class ReasonCount:
    code: str | None
    display: str | None
    count: int


@dataclass(frozen=True, slots=True)
class CardStats:
    """The cards of one kind (``rule_id`` None) or of one rule."""

    kind: str | None
    rule_id: str | None
    shown: int
    accepted: int
    overridden: int
    reasons: tuple[ReasonCount, ...]

    @property
    def override_rate(self) -> Decimal | None:
        """overridden ÷ (accepted + overridden), to 3 places (halves up); None without
        feedback."""
        answered = self.accepted + self.overridden
        if answered == 0:
            return None
        return (Decimal(self.overridden) / answered).quantize(Decimal("0.001"), ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class OverrideReport:
    since: dt.date | None
    by_kind: tuple[CardStats, ...]
    by_rule: tuple[CardStats, ...]


@dataclass(slots=True)
class _Tally:
    shown: int = 0
    accepted: int = 0
    overridden: int = 0
    reasons: Counter[tuple[str | None, str | None]] = field(default_factory=Counter)

    def add(self, outcome: CardOutcome) -> None:
        self.shown += 1
        if outcome.outcome == "accepted":
            self.accepted += 1
        elif outcome.outcome == "overridden":
            self.overridden += 1
            self.reasons[(outcome.reason_code, outcome.reason_display)] += 1


def override_report(*, since: dt.date | None, uows: UnitOfWorkFactory,
                    actor: Actor) -> OverrideReport:
    """Per card kind and per rule: shown, accepted, overridden, override rate and the most
    common override reasons, the most overridden first (cards shown since ``since``, a
    UTC date, when given)."""
    require(actor, Action.READ_CDS_REPORT)
    after = None if since is None else dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    kinds: dict[str, _Tally] = {}
    rules: dict[str, _Tally] = {}
    with uows() as uow:
        for outcome in uow.cds_cards.outcomes(actor.clinic_id, since=after):
            kinds.setdefault(outcome.kind, _Tally()).add(outcome)
            for rule_id in outcome.rule_ids:
                rules.setdefault(rule_id, _Tally()).add(outcome)
    return OverrideReport(since, _ranked((kind, None, t) for kind, t in kinds.items()),
                          _ranked((None, rule_id, t) for rule_id, t in rules.items()))


#: How many of the most common override reasons the report lists per row.
TOP_REASONS = 5


def _ranked(rows: Iterable[tuple[str | None, str | None, _Tally]]) -> tuple[CardStats, ...]:
    stats = [CardStats(kind, rule_id, t.shown, t.accepted, t.overridden,
                       tuple(ReasonCount(code, display, n)
                             for (code, display), n in t.reasons.most_common(TOP_REASONS)))
             for kind, rule_id, t in rows]
    return tuple(sorted(stats, key=lambda s: (-(s.override_rate or Decimal(-1)), -s.shown,
                                              s.kind or "", s.rule_id or "")))
