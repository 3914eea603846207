"""Repositories of the CDS Hooks service (the ports ``CdsTokenRepository`` and
``CdsCardRepository`` in ``services/ports.py``), over SQLAlchemy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from isocourse.adapters.db.orm_cds import CdsCardRecord, CdsFeedbackRecord, CdsSeenTokenRecord
from isocourse.services.cds.stored import CardOutcome, FeedbackRow, ShownCard

__all__ = ["SqlCdsCards", "SqlCdsTokens"]


class SqlCdsTokens:
    def __init__(self, session: Session) -> None:
        self._session = session

    def remember(self, issuer: str, jti: str, *, expires_at: dt.datetime,
                 now: dt.datetime) -> bool:
        self._session.execute(delete(CdsSeenTokenRecord)
                              .where(CdsSeenTokenRecord.expires_at < now))
        if self._session.get(CdsSeenTokenRecord, (issuer, jti)) is not None:
            return False
        self._session.add(CdsSeenTokenRecord(issuer=issuer, jti=jti, expires_at=expires_at))
        self._session.flush()
        return True


class SqlCdsCards:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, card: ShownCard) -> None:
        self._session.add(CdsCardRecord(
            uuid=card.uuid, clinic_id=card.clinic_id, client=card.client,
            service_id=card.service_id, kind=card.kind, indicator=card.indicator,
            rule_ids=list(card.rule_ids), shown_at=card.shown_at))
        self._session.flush()

    def get(self, uuid: str) -> ShownCard | None:
        row = self._session.get(CdsCardRecord, uuid)
        if row is None:
            return None
        return ShownCard(uuid=row.uuid, clinic_id=row.clinic_id, client=row.client,
                         service_id=row.service_id, kind=row.kind, indicator=row.indicator,
                         rule_ids=tuple(row.rule_ids), shown_at=row.shown_at)

    def add_feedback(self, row: FeedbackRow) -> None:
        self._session.add(CdsFeedbackRecord(
            card_uuid=row.card_uuid, outcome=row.outcome, reason_system=row.reason_system,
            reason_code=row.reason_code, reason_display=row.reason_display,
            accepted_suggestions=list(row.accepted_suggestions), outcome_at=row.outcome_at,
            received_at=row.received_at, client=row.client))
        self._session.flush()

    def outcomes(self, clinic_id: str, *, since: dt.datetime | None = None
                 ) -> Iterator[CardOutcome]:
        cards = select(CdsCardRecord.uuid, CdsCardRecord.kind, CdsCardRecord.rule_ids).where(
            CdsCardRecord.clinic_id == clinic_id)
        feedback = (select(CdsFeedbackRecord.card_uuid, CdsFeedbackRecord.outcome,
                           CdsFeedbackRecord.reason_code, CdsFeedbackRecord.reason_display)
                    .join(CdsCardRecord, CdsCardRecord.uuid == CdsFeedbackRecord.card_uuid)
                    .where(CdsCardRecord.clinic_id == clinic_id)
                    .order_by(CdsFeedbackRecord.outcome_at, CdsFeedbackRecord.id))
        if since is not None:
            cards = cards.where(CdsCardRecord.shown_at >= since)
            feedback = feedback.where(CdsCardRecord.shown_at >= since)
        latest: dict[str, tuple[str | None, str | None, str | None]] = {}
        for uuid, outcome, code, display in self._session.execute(feedback):
            latest[uuid] = (outcome, code, display)  # later items replace earlier ones
        nothing: tuple[str | None, str | None, str | None] = (None, None, None)
        for uuid, kind, rule_ids in self._session.execute(
                cards.execution_options(yield_per=1000)):
            yield CardOutcome(kind, tuple(rule_ids), *latest.get(uuid, nothing))
