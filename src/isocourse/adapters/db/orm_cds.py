"""The tables of the CDS Hooks service (see ``orm.py`` for the clinical ones).

* ``cds_seen_tokens`` - the ``jti`` of every CDS client JWT accepted, per issuer, until the
  token expires: a second request with the same ``(issuer, jti)`` is a replay and is
  refused. Rows past their expiry are deleted as new ones arrive.
* ``cds_cards`` - every card returned to a CDS client: its kind, indicator and rules, the
  client and the clinic; no patient identifier (the audit trail names whose record the
  call read).
* ``cds_feedback`` - what a clinician did with a card (CDS Hooks feedback): accepted, or
  overridden with a coded reason. Append-only; the override report reads the latest item
  per card.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from isocourse.adapters.db.orm import Base, Instant, Json, RowId

__all__ = ["CdsCardRecord", "CdsFeedbackRecord", "CdsSeenTokenRecord"]


class CdsSeenTokenRecord(Base):
    __tablename__ = "cds_seen_tokens"
    __table_args__ = (Index("ix_cds_seen_tokens_expires_at", "expires_at"),)

    issuer: Mapped[str] = mapped_column(String(255), primary_key=True)
    jti: Mapped[str] = mapped_column(String(255), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(Instant)


class CdsCardRecord(Base):
    __tablename__ = "cds_cards"
    __table_args__ = (Index("ix_cds_cards_clinic_shown", "clinic_id", "shown_at"),)

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    clinic_id: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(255))
    service_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(64))
    indicator: Mapped[str] = mapped_column(String(16))
    rule_ids: Mapped[list[Any]] = mapped_column(Json)
    shown_at: Mapped[dt.datetime] = mapped_column(Instant)


class CdsFeedbackRecord(Base):
    __tablename__ = "cds_feedback"
    __table_args__ = (Index("ix_cds_feedback_card_outcome_at", "card_uuid", "outcome_at"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    card_uuid: Mapped[str] = mapped_column(ForeignKey("cds_cards.uuid"))
    outcome: Mapped[str] = mapped_column(String(16))
    reason_system: Mapped[str | None] = mapped_column(String(255))
    reason_code: Mapped[str | None] = mapped_column(String(128))
    reason_display: Mapped[str | None] = mapped_column(String(255))
    accepted_suggestions: Mapped[list[Any]] = mapped_column(Json)
    outcome_at: Mapped[dt.datetime] = mapped_column(Instant)
    received_at: Mapped[dt.datetime] = mapped_column(Instant)
    client: Mapped[str] = mapped_column(String(255))
