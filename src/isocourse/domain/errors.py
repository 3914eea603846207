"""The one error hierarchy of isocourse.

Every error that a person can cause (bad input, bad data files, an impossible request)
is an :class:`IsocourseError`. Each face translates these in one place: the CLI prints one
line and exits with :attr:`IsocourseError.exit_code`; the API answers problem+json with
:attr:`IsocourseError.code` as the problem type; the web app renders an error page.
Anything that is *not* an IsocourseError is a bug.

::

    IsocourseError                      code             exit
    ├── InvalidInput (ValueError)       invalid-input    2   a value a person typed or sent
    │   ├── UnknownProduct              unknown-product  2
    │   ├── DoseRefused                 dose-refused     2   above a label limit, below age…
    │   └── PlanRefused                 plan-refused     2   a plan that cannot be made
    ├── CatalogError                    catalog-error    3   the product catalog data is wrong
    ├── RuleDataError                   rule-data-error  3   a rule pack is wrong
    ├── RecordError (ValueError)        invalid-record   2   a course record is wrong; carries
    │                                                        every problem with its JSON path
    ├── NotFound                        not-found        4   no such patient, course, authorization
    │   └── Hidden                      not-found        4   it exists, but not for this user:
    │                                                        answered exactly like NotFound
    ├── NotAuthenticated                not-authenticated 7  no valid session or token
    │   ├── SignInFailed                sign-in-failed   7   wrong name or password (says neither)
    │   └── SignInLocked                sign-in-locked   7   too many failures: wait a while
    ├── Forbidden                       forbidden        7   this user may not do this
    ├── Conflict                        conflict         5   the request clashes with the state
    │   ├── VersionMismatch             version-mismatch 5   someone else changed the course first
    │   └── DispenseNotAllowed          dispense-not-allowed 5  the rules do not allow dispensing;
    │                                                        carries the reasons, in plain words
    └── StorageUnavailable              database-unavailable 6  the database cannot be reached

Messages are written for the person who sent the request and never go to logs. They name
fields, limits, codes and rules; a refusal of dispensing may quote dates from the course it
is about (the test of 2026-10-01), since that person is looking at that course. A value a
person typed may be echoed back to them; no message carries another patient's data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "CatalogError",
    "Conflict",
    "DispenseNotAllowed",
    "DoseRefused",
    "Forbidden",
    "Hidden",
    "InvalidInput",
    "IsocourseError",
    "NotAuthenticated",
    "NotFound",
    "PlanRefused",
    "Problem",
    "RecordError",
    "RuleDataError",
    "SignInFailed",
    "SignInLocked",
    "StorageUnavailable",
    "UnknownProduct",
    "VersionMismatch",
]


class IsocourseError(Exception):
    """Base of every error a person can cause. Carries a stable code and exit status."""

    code: str = "isocourse-error"
    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(IsocourseError, ValueError):
    """A value given by a person cannot be accepted (wrong type, out of range)."""

    code = "invalid-input"
    exit_code = 2

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class UnknownProduct(InvalidInput):
    """The product id is not in the catalog."""

    code = "unknown-product"

    def __init__(self, product_id: str, known: Sequence[str]) -> None:
        super().__init__(
            f"unknown product {product_id!r}; known products: {', '.join(sorted(known))}",
            field="product",
        )
        self.product_id = product_id


class DoseRefused(InvalidInput):
    """A dose the label does not allow (above the ceiling, above the usual range without
    the severe-disease indication) or a patient the product is not indicated for."""

    code = "dose-refused"


class PlanRefused(InvalidInput):
    """A plan that cannot be made as asked (for example a titration longer than the course)."""

    code = "plan-refused"


class CatalogError(IsocourseError):
    """The product catalog data is wrong; raised when the catalog is loaded."""

    code = "catalog-error"
    exit_code = 3


class RuleDataError(IsocourseError):
    """A rule pack is wrong; raised when the packs are loaded."""

    code = "rule-data-error"
    exit_code = 3


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in a document, located by its JSON path (``events[3].result``)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class RecordError(IsocourseError, ValueError):
    """A course record is not valid. ``problems`` lists every problem found, all at once."""

    code = "invalid-record"
    exit_code = 2

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        summary = f"the course record has {count} problem{'s' if count != 1 else ''}"
        super().__init__(summary + "".join(f"\n  {p}" for p in self.problems))


class NotFound(IsocourseError):
    """No such thing (patient, course, event, authorization) in this clinic. The message
    names the kind of thing and never the identifier, which may be patient data."""

    code = "not-found"
    exit_code = 4


class Hidden(NotFound):
    """The thing exists but this user may not see it (another clinic's patient, another
    patient's course). Answered exactly like :class:`NotFound`, so that existence is not
    revealed; kept distinct so that the audit trail records the attempt as denied."""


class NotAuthenticated(IsocourseError):
    """No valid session or API token came with the request (or it has expired)."""

    code = "not-authenticated"
    exit_code = 7


class SignInFailed(NotAuthenticated):
    """Sign-in refused. The message is the same whether the account does not exist, is
    disabled, or the password is wrong, so that it reveals nothing."""

    code = "sign-in-failed"


class SignInLocked(NotAuthenticated):
    """Too many failed sign-ins for this name or address: wait ``retry_after`` seconds.
    Unknown names are locked exactly like real ones."""

    code = "sign-in-locked"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Forbidden(IsocourseError):
    """The user is known but their role, or their token's scope, does not allow this."""

    code = "forbidden"
    exit_code = 7


class Conflict(IsocourseError):
    """The request is well formed but clashes with the current state (a course that has
    ended, an authorization already used, a second active course)."""

    code = "conflict"
    exit_code = 5


class VersionMismatch(Conflict):
    """The course changed since the caller read it (``If-Match`` no longer matches)."""

    code = "version-mismatch"

    def __init__(self, message: str, *, current_version: int) -> None:
        super().__init__(message)
        self.current_version = current_version


class DispenseNotAllowed(Conflict):
    """The safety rules do not allow dispensing now. ``reasons`` say why in words a
    pharmacist can act on; each is ``(rule_id, message)``."""

    code = "dispense-not-allowed"

    def __init__(self, message: str, reasons: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.reasons = tuple(reasons)


class StorageUnavailable(IsocourseError):
    """The database cannot be reached (down, locked, unreachable). Retrying later is right;
    nothing was written."""

    code = "database-unavailable"
    exit_code = 6
