"""Identifiers the server makes: opaque, random, and meaningless to anyone who sees them.

Patients and courses get UUIDs. Events recorded through the server get short ids with a
type prefix (``rx-`` for prescriptions, which pharmacists quote). Authorization codes are
12 characters of Crockford's base32 in three groups (``K7QM-2XRT-9HPD``): easy to read
aloud over a phone, no I/L/O/U to mistake, 60 random bits so they cannot be guessed.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Collection

__all__ = ["authorization_code", "event_id", "new_uuid", "normalize_code"]

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PREFIX = {"prescription": "rx", "dispense": "dx", "pregnancy_test": "pt", "lab": "lab"}


def new_uuid() -> str:
    return str(uuid.uuid4())


def event_id(event_type: str, taken: Collection[str]) -> str:
    """A fresh event id not in ``taken`` (the ids already in the course)."""
    prefix = _PREFIX.get(event_type, "ev")
    while True:
        candidate = f"{prefix}-{secrets.token_hex(5)}"
        if candidate not in taken:
            return candidate


def authorization_code() -> str:
    chars = "".join(secrets.choice(_CROCKFORD) for _ in range(12))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def normalize_code(text: str) -> str:
    """A code as typed (lower case, without dashes, O for 0, I or L for 1) in canonical form."""
    cleaned = text.strip().upper().replace("-", "").replace(" ", "")
    cleaned = cleaned.replace("O", "0").replace("I", "1").replace("L", "1")
    if len(cleaned) != 12:
        return cleaned
    return f"{cleaned[:4]}-{cleaned[4:8]}-{cleaned[8:]}"
