"""The limits of sign-in, sessions, passwords and tokens, set from the settings.

None of these is a clinical number. The defaults follow common guidance: NIST SP 800-63B
(memorized secrets of at least 8 characters, no composition rules, a check against
commonly used passwords, rate limiting of failed attempts) and the OWASP Session
Management and Authentication cheat sheets (idle and absolute session timeouts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = ["SecurityPolicy"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SecurityPolicy:
    #: A password has at least this many characters (NIST's floor is 8; 12 is ours).
    password_min_length: int = 12
    #: And at most this many (long enough for any passphrase, short enough to hash).
    password_max_length: int = 256
    #: A session ends after this long without a request...
    session_idle: dt.timedelta = dt.timedelta(minutes=30)
    #: ...and after this long in any case.
    session_max: dt.timedelta = dt.timedelta(hours=12)
    #: Failed sign-ins for one user name within ``failure_window`` before it is locked.
    max_failures: int = 5
    #: Failed sign-ins from one address within ``failure_window`` before it is locked.
    max_failures_per_address: int = 50
    failure_window: dt.timedelta = dt.timedelta(minutes=15)
    #: How long a locked name or address waits.
    lockout: dt.timedelta = dt.timedelta(minutes=15)
    #: The longest life of an API token, and the default.
    token_max_days: int = 365
    token_default_days: int = 90
