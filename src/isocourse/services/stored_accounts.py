"""What the accounts side keeps: users, sessions, API tokens and sign-in failures, as
plain frozen dataclasses (the database adapter maps its rows to and from them).

Secrets are never kept: a session id and an API token are stored as their SHA-256 (they
are long random strings, so a fast hash is enough), a password as its argon2 hash.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = ["SessionRow", "SignInFailures", "TokenRow", "UserRow"]


@dataclass(frozen=True, slots=True, kw_only=True)
class UserRow:
    id: str
    username: str
    display_name: str
    role: str
    clinic_id: str
    password_hash: str
    created_at: dt.datetime
    password_changed_at: dt.datetime
    patient_id: str | None = None
    on_behalf_of: str | None = None
    disabled_at: dt.datetime | None = None

    @property
    def active(self) -> bool:
        return self.disabled_at is None


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionRow:
    """A signed-in browser. ``csrf_token`` must come back with every change it sends."""

    id_hash: str
    user_id: str
    csrf_token: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenRow:
    """An API token for a program. ``prefix`` is the token's public first part, shown in
    listings so that a person can tell their tokens apart."""

    id: str
    user_id: str
    name: str
    prefix: str
    token_hash: str
    scopes: tuple[str, ...]
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SignInFailures:
    """Failed sign-ins counted for one key (a hashed user name, or an address)."""

    key: str
    count: int
    window_start: dt.datetime
    locked_until: dt.datetime | None = None
