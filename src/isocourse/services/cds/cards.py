"""Cards as plain values: what the CDS face turns into CDS Hooks JSON.

A :class:`Card` says one thing about a course or an order, with the indicator the HL7
Medication REMS IG guidance gives it (docs/explanation/cds-hooks.md): ``info`` by default;
``warning`` for a missed window or a dispense the rules would block; ``critical`` only for
a positive pregnancy test on an active course.

Every summary is one sentence under 140 characters (CDS Hooks): :func:`fit` keeps it so
whatever the numbers in it. Override reasons are isocourse's own codes (CDS Hooks 2.0
prescribes none); the face writes them under a local code system.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "SUMMARY_LIMIT",
    "Card",
    "CardKind",
    "Indicator",
    "OrderChange",
    "OverrideReason",
    "Suggestion",
    "fit",
    "override_reasons",
]

#: CDS Hooks: "One-sentence, <140-character summary".
SUMMARY_LIMIT = 140


class Indicator(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class CardKind(StrEnum):
    """What a card is about; the override report counts by kind and by rule."""

    COURSE_STATUS = "course-status"
    POSITIVE_PREGNANCY_TEST = "positive-pregnancy-test"
    MISSED_WINDOW = "missed-window"
    NO_VALID_TEST = "no-valid-test"
    ORDER_LIMITS = "order-limits"
    DISPENSE_BLOCKED = "dispense-blocked"
    DOSE_RANGE = "dose-range"
    FAMILY_CHANGE = "family-change"
    CUMULATIVE_PROJECTION = "cumulative-projection"
    NO_COURSE = "no-course"

    @property
    def heading(self) -> str:
        return _TITLES[self]


_TITLES = {
    CardKind.COURSE_STATUS: "Isotretinoin course status",
    CardKind.POSITIVE_PREGNANCY_TEST: "Positive pregnancy test",
    CardKind.MISSED_WINDOW: "Pick-up window missed",
    CardKind.NO_VALID_TEST: "No valid pregnancy test for this order",
    CardKind.ORDER_LIMITS: "Supply or refills above the programme's limit",
    CardKind.DISPENSE_BLOCKED: "Dispensing would be refused",
    CardKind.DOSE_RANGE: "Daily dose outside the label's usual range",
    CardKind.FAMILY_CHANGE: "Change of isotretinoin formulation family",
    CardKind.CUMULATIVE_PROJECTION: "Cumulative dose target reached",
    CardKind.NO_COURSE: "No isotretinoin course on record",
}


@dataclass(frozen=True, slots=True)
class OverrideReason:
    code: str
    display: str


_NOT_APPLICABLE = OverrideReason("not-applicable", "Does not apply to this patient")
_DOCUMENTED = OverrideReason("documented-elsewhere",
                             "Already addressed; documented in another system")
_BEFORE_DISPENSING = OverrideReason("will-resolve-before-dispensing",
                                    "Will be resolved before the pharmacy dispenses")
_JUDGEMENT = OverrideReason("clinical-judgement", "Prescriber's clinical judgement")
_PLAN_CHANGE = OverrideReason("plan-being-changed", "The course plan is being changed")
_REPEAT_TEST = OverrideReason("result-being-confirmed",
                              "Result is being confirmed by a repeat test")

_REASONS: dict[CardKind, tuple[OverrideReason, ...]] = {
    CardKind.COURSE_STATUS: (),
    CardKind.POSITIVE_PREGNANCY_TEST: (_REPEAT_TEST, _DOCUMENTED),
    CardKind.MISSED_WINDOW: (_BEFORE_DISPENSING, _DOCUMENTED),
    CardKind.NO_VALID_TEST: (_BEFORE_DISPENSING, _DOCUMENTED, _NOT_APPLICABLE),
    CardKind.ORDER_LIMITS: (_BEFORE_DISPENSING, _NOT_APPLICABLE),
    CardKind.DISPENSE_BLOCKED: (_BEFORE_DISPENSING, _DOCUMENTED, _NOT_APPLICABLE),
    CardKind.DOSE_RANGE: (_JUDGEMENT, _PLAN_CHANGE),
    CardKind.FAMILY_CHANGE: (_JUDGEMENT, _PLAN_CHANGE),
    CardKind.CUMULATIVE_PROJECTION: (_JUDGEMENT, _PLAN_CHANGE),
    CardKind.NO_COURSE: (_DOCUMENTED, _NOT_APPLICABLE),
}


def override_reasons(kind: CardKind) -> tuple[OverrideReason, ...]:
    return _REASONS[kind]


@dataclass(frozen=True, slots=True)
class OrderChange:
    """Set the draft order's days' supply and/or refills (``None``: leave as it is)."""

    order_id: str
    days_supply: int | None = None
    refills: int | None = None


@dataclass(frozen=True, slots=True)
class Suggestion:
    label: str
    changes: tuple[OrderChange, ...]
    recommended: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Card:
    """One card. ``detail`` is GitHub-flavoured Markdown; ``rule_ids`` name the rules (in
    the packs) whose findings the card reports; ``source`` is the rule pack or catalog the
    card's numbers come from; ``order_id`` is the draft order it is about, if any."""

    kind: CardKind
    indicator: Indicator
    summary: str
    detail: str
    source: str
    rule_ids: tuple[str, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    order_id: str | None = None

    def __post_init__(self) -> None:
        if not 0 < len(self.summary) < SUMMARY_LIMIT:
            raise ValueError("a card summary must be 1 to 139 characters")

    @property
    def reasons(self) -> tuple[OverrideReason, ...]:
        return override_reasons(self.kind)


def fit(text: str, suffix: str = "") -> str:
    """One line under the summary limit: whitespace collapsed, and a long text cut at a word
    with an ellipsis (the detail carries the whole message); ``suffix`` is kept whole."""
    line = " ".join(text.split())
    tail = " ".join(suffix.split())
    if len(line) + len(tail) < SUMMARY_LIMIT:
        return (line + tail) or "-"
    room = SUMMARY_LIMIT - 2 - len(tail)  # the ellipsis, and the limit being exclusive
    cut = line[:max(room, 0)]
    if " " in cut[room // 2:]:
        cut = cut[:cut.rfind(" ")]
    return (cut.rstrip(" ,;:") + "…" + tail)[:SUMMARY_LIMIT - 1]
