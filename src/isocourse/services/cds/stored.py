"""What the CDS Hooks use cases keep: the cards shown, the feedback on them and the JWT ids
already used. Plain frozen dataclasses, mapped to rows by ``adapters/db/repositories_cds``.

Nothing here names a patient: a shown card keeps its kind, the rules behind it and who
asked (the client's issuer), which is what the override report needs; the audit trail
already records whose record each CDS call read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = ["CardOutcome", "FeedbackRow", "ShownCard"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ShownCard:
    """A card returned to a CDS client. ``rule_ids`` are the rules whose findings made it
    (empty for a card built from the plan or the catalog alone)."""

    uuid: str
    clinic_id: str
    client: str
    service_id: str
    kind: str
    indicator: str
    rule_ids: tuple[str, ...]
    shown_at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedbackRow:
    """One feedback item. The free-text ``userComment`` of an override is not kept (it may
    name the patient); the coded reason is."""

    card_uuid: str
    outcome: str                      # accepted | overridden
    reason_system: str | None
    reason_code: str | None
    reason_display: str | None
    accepted_suggestions: tuple[str, ...]
    outcome_at: dt.datetime
    received_at: dt.datetime
    client: str


@dataclass(frozen=True, slots=True)
class CardOutcome:
    """A shown card with the latest feedback on it, if any (for the override report)."""

    kind: str
    rule_ids: tuple[str, ...]
    outcome: str | None
    reason_code: str | None
    reason_display: str | None
