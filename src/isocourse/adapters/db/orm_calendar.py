"""The table of patients' calendar feed links (see ``orm.py`` for the clinical tables).

``calendar_feeds`` holds one row per link a patient made for their calendar app: the
link's id (its public first part), the SHA-256 of the whole secret link (never the secret
itself), whose reminders it gives and who made it, and when it was made, revoked and
last read.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from isocourse.adapters.db.orm import Base, Instant

__all__ = ["CalendarFeedRecord"]


class CalendarFeedRecord(Base):
    __tablename__ = "calendar_feeds"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    clinic_id: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(Instant)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(Instant)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(Instant)
