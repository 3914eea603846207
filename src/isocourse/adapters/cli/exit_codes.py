"""Stable exit statuses of the ``isocourse`` command. Never reuse a number for a new meaning."""

from __future__ import annotations

OK = 0
#: A bug in isocourse (an unexpected exception). Run with ISOCOURSE_DEBUG=1 for the traceback.
INTERNAL_ERROR = 1
#: The input was refused: bad option or number, unknown product, a dose above the label
#: maximum, an invalid course record (see IsocourseError.exit_code).
INVALID_INPUT = 2
#: A data file isocourse ships or was given (catalog, rule pack) is wrong.
BAD_DATA = 3
#: No such patient, course or authorization.
NOT_FOUND = 4
#: The request clashes with the current state (a course changed meanwhile, an authorization
#: already used or refused by the rules).
CONFLICT = 5
#: The database cannot be reached.
UNAVAILABLE = 6
#: Not signed in, or not allowed (a role or a token scope that does not permit it).
NOT_ALLOWED = 7
#: ``isocourse audit verify`` found the audit trail changed, cut or added to.
AUDIT_BROKEN = 8
#: Interrupted (Ctrl-C).
INTERRUPTED = 130
