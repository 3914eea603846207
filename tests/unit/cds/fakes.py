"""An in-memory unit of work with the two CDS repositories (seen JWT ids, cards and their
feedback): changes are kept only on ``commit``, as with the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from isocourse.domain.errors import Conflict
from isocourse.services.cds.stored import CardOutcome, FeedbackRow, ShownCard

__all__ = ["CdsStore", "FakeUows"]


@dataclass
class CdsStore:
    tokens: dict[tuple[str, str], dt.datetime] = field(default_factory=dict)
    cards: dict[str, ShownCard] = field(default_factory=dict)
    feedback: list[FeedbackRow] = field(default_factory=list)
    #: A jti another request commits between this one's check and its commit.
    racing: tuple[str, str] | None = None


class _Tokens:
    def __init__(self, pending: dict[tuple[str, str], dt.datetime]) -> None:
        self.pending = pending

    def remember(self, issuer: str, jti: str, *, expires_at: dt.datetime,
                 now: dt.datetime) -> bool:
        for key in [k for k, at in self.pending.items() if at < now]:
            del self.pending[key]
        if (issuer, jti) in self.pending:
            return False
        self.pending[(issuer, jti)] = expires_at
        return True


class _Cards:
    def __init__(self, store: CdsStore, cards: dict[str, ShownCard],
                 feedback: list[FeedbackRow]) -> None:
        self.store, self.cards, self.feedback = store, cards, feedback

    def add(self, card: ShownCard) -> None:
        self.cards[card.uuid] = card

    def get(self, uuid: str) -> ShownCard | None:
        return self.cards.get(uuid)

    def add_feedback(self, row: FeedbackRow) -> None:
        self.feedback.append(row)

    def outcomes(self, clinic_id: str, *, since: dt.datetime | None = None
                 ) -> Iterator[CardOutcome]:
        latest: dict[str, FeedbackRow] = {}
        for row in sorted(self.feedback, key=lambda r: r.outcome_at):
            latest[row.card_uuid] = row
        for card in self.cards.values():
            if card.clinic_id != clinic_id or (since is not None and card.shown_at < since):
                continue
            row = latest.get(card.uuid)
            yield CardOutcome(card.kind, card.rule_ids, row.outcome if row else None,
                              row.reason_code if row else None,
                              row.reason_display if row else None)


class FakeUow:
    def __init__(self, store: CdsStore) -> None:
        self.store = store

    def __enter__(self) -> Self:
        self._tokens = dict(self.store.tokens)
        self._cards = dict(self.store.cards)
        self._feedback = list(self.store.feedback)
        self.cds_tokens = _Tokens(self._tokens)
        self.cds_cards = _Cards(self.store, self._cards, self._feedback)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        return None

    def saw(self, patient_id: str) -> None:
        return None

    def commit(self) -> None:
        racing = self.store.racing
        if racing is not None and racing in self._tokens and racing not in self.store.tokens:
            self.store.tokens[racing] = self._tokens[racing]
            raise Conflict("this change clashed with another one made at the same moment")
        self.store.tokens = self._tokens
        self.store.cards = self._cards
        self.store.feedback = self._feedback


class FakeUows:
    def __init__(self, store: CdsStore | None = None) -> None:
        self.store = store or CdsStore()

    def __call__(self, *, write: bool = False) -> FakeUow:
        return FakeUow(self.store)
