"""What is kept of a patient's calendar feed links (the reminders a calendar app subscribes
to), as a plain frozen dataclass; the database adapter maps its rows to and from it.

The link's secret is never kept: only its SHA-256 (``secret_hash``), as for API tokens.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = ["CalendarFeedRow"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarFeedRow:
    """One calendar link of one patient. ``id`` is the link's public first part (it finds
    the row); ``created_by`` is the patient's own account, which the feed reads as."""

    id: str
    secret_hash: str
    patient_id: str
    clinic_id: str
    created_by: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None
