"""Who may do what: roles, token scopes and the visibility of patients' records.

This is the one place the permission design lives; every use case asks it before acting,
so that each face (API, web, CLI) gets the same answers. The rules:

* **admin** manages accounts and reads the audit trail; no clinical data.
* **prescriber** sees and changes the patients of their own clinic, and signs prescriptions.
* **delegate** does what a prescriber does for the prescriber named in ``on_behalf_of``
  (their changes are attributed to both), except signing a prescription.
* **pharmacist** reaches a course only through a prescription or authorization reference,
  and sees only what dispensing needs (the authorization), never the record itself.
* **patient** sees only their own record and records only what a patient reports
  (doses, side effects, PHQ-2/PHQ-9, comprehension answers).

A request made with an API token is further limited to the token's scopes: ``read``,
``write`` (clinical changes), ``dispense`` (authorizations and dispenses).

A **CDS Hooks client** (an EHR calling ``/cds-services`` with a signed JWT) is not an
account and has no :class:`Role`: its actor's role is :data:`CDS_CLIENT`, which no
:class:`Action` lists. It reads the courses of the clinic its issuer is allow-listed for,
only through the CDS use cases (:func:`require_cds_client`), and changes nothing clinical.

A record outside the user's reach is answered as :class:`~isocourse.domain.errors.Hidden`
(exactly like "not found", so that its existence is not revealed); an action the role or
scope does not allow is :class:`~isocourse.domain.errors.Forbidden`.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum, StrEnum

from isocourse.domain.errors import Forbidden, Hidden
from isocourse.domain.record.vocabulary import EventType
from isocourse.services.ports import Actor

__all__ = [
    "CDS_CLIENT",
    "PATIENT_REPORTED_EVENTS",
    "Action",
    "Role",
    "Scope",
    "may",
    "require",
    "require_cds_client",
    "require_event_types",
    "require_patient",
]


class Role(StrEnum):
    ADMIN = "admin"
    PRESCRIBER = "prescriber"
    DELEGATE = "delegate"
    PHARMACIST = "pharmacist"
    PATIENT = "patient"


class Scope(StrEnum):
    READ = "read"
    WRITE = "write"
    DISPENSE = "dispense"


#: The role of a CDS Hooks client's actor (not a :class:`Role`: no account has it).
CDS_CLIENT = "cds-client"

_CARE_TEAM = frozenset({Role.PRESCRIBER, Role.DELEGATE})
_ALL_CLINICAL = _CARE_TEAM | {Role.PATIENT}


class Action(Enum):
    """Everything a use case can do, with the token scope it needs and the roles that may.
    Each value starts with the action's own name, so that two actions with the same scope
    and roles stay distinct members (an Enum makes equal values aliases of each other)."""

    READ_RECORD = ("read_record", Scope.READ, _ALL_CLINICAL)
    LIST_COURSES = ("list_courses", Scope.READ, _CARE_TEAM)
    DUE_LIST = ("due_list", Scope.READ, _CARE_TEAM)
    FIND_PATIENT = ("find_patient", Scope.READ, _CARE_TEAM)
    REGISTER_PATIENT = ("register_patient", Scope.WRITE, _CARE_TEAM)
    CHANGE_COURSE = ("change_course", Scope.WRITE, _CARE_TEAM)
    RECORD_EVENTS = ("record_events", Scope.WRITE, _ALL_CLINICAL)
    PREVIEW_PRESCRIPTION = ("preview_prescription", Scope.WRITE, _CARE_TEAM)
    SIGN_PRESCRIPTION = ("sign_prescription", Scope.WRITE, frozenset({Role.PRESCRIBER}))
    REQUEST_AUTHORIZATION = ("request_authorization", Scope.DISPENSE, frozenset({Role.PHARMACIST}))
    READ_AUTHORIZATION = ("read_authorization", Scope.READ, _ALL_CLINICAL | {Role.PHARMACIST})
    DISPENSE = ("dispense", Scope.DISPENSE, frozenset({Role.PHARMACIST}))
    REVERSE_AUTHORIZATION = ("reverse_authorization", Scope.DISPENSE,
                             frozenset({Role.PHARMACIST, Role.PRESCRIBER}))
    READ_OWN_ACCESS_LOG = ("read_own_access_log", Scope.READ, frozenset({Role.PATIENT}))
    READ_PATIENT_ACCESS_LOG = ("read_patient_access_log", Scope.READ, _CARE_TEAM)
    MANAGE_USERS = ("manage_users", Scope.WRITE, frozenset({Role.ADMIN}))
    READ_AUDIT = ("read_audit", Scope.READ, frozenset({Role.ADMIN}))
    READ_CDS_REPORT = ("read_cds_report", Scope.READ, frozenset({Role.ADMIN, Role.PRESCRIBER}))
    #: The whole clinic's clinical data at once (FHIR bulk export): prescribers only. The
    #: operator's ``isocourse export`` acts as a prescriber of the configured clinic
    #: (``adapters/cli/export.py``): whoever runs it holds the database already.
    BULK_EXPORT = ("bulk_export", Scope.READ, frozenset({Role.PRESCRIBER}))
    #: A patient's own calendar feed links (make, list, revoke): made in the browser only
    #: (``services/calendar_feeds.py`` refuses API tokens), since a link reads the record.
    MANAGE_CALENDAR_FEEDS = ("manage_calendar_feeds", Scope.WRITE, frozenset({Role.PATIENT}))

    @property
    def scope(self) -> Scope:
        return self.value[1]

    @property
    def roles(self) -> frozenset[Role]:
        return self.value[2]


#: What a patient may record about themself. Everything else in the record (tests, labs,
#: prescriptions, counseling) is entered by the care team.
PATIENT_REPORTED_EVENTS = frozenset({
    EventType.DOSE, EventType.SIDE_EFFECT, EventType.PHQ2, EventType.PHQ9,
    EventType.COMPREHENSION,
})


def may(actor: Actor, action: Action) -> bool:
    """Whether the actor's role, and token scopes if any, allow ``action`` at all."""
    if actor.role not in action.roles:
        return False
    return actor.scopes is None or action.scope.value in actor.scopes


def require(actor: Actor, action: Action) -> None:
    if actor.role not in action.roles:
        raise Forbidden(f"a {actor.role} account may not do this")
    if actor.scopes is not None and action.scope.value not in actor.scopes:
        raise Forbidden(f"this API token lacks the '{action.scope.value}' scope")


def require_patient(actor: Actor, *, clinic_id: str, patient_id: str,
                    through_dispensing: bool = False, missing: str = "no such record") -> None:
    """Raise :class:`Hidden` unless the actor may reach this patient's record.

    ``through_dispensing`` is set only by the dispensing use cases, which reach a course
    from a prescription or authorization reference; it is what lets a pharmacist in.
    ``missing`` is the caller's own "not found" message, so that a hidden record and a
    missing one get the very same answer."""
    if clinic_id != actor.clinic_id:
        raise Hidden(missing)
    role = actor.role
    if role in _CARE_TEAM:
        return
    if role == Role.PATIENT and actor.patient_id == patient_id:
        return
    if role == Role.PHARMACIST and through_dispensing:
        return
    if role == CDS_CLIENT:  # the CDS use cases only: require_cds_client
        return
    raise Hidden(missing)


def require_cds_client(actor: Actor) -> None:
    """The CDS Hooks use cases serve CDS clients only (a person's session or API token
    reads courses through the API instead)."""
    if actor.role != CDS_CLIENT:
        raise Forbidden("only a CDS Hooks client may call a CDS service")


def require_event_types(actor: Actor, types: Iterable[str]) -> None:
    """A patient records only what a patient reports."""
    if actor.role != Role.PATIENT:
        return
    allowed = {t.value for t in PATIENT_REPORTED_EVENTS}
    refused = sorted({t for t in types if t not in allowed})
    if refused:
        raise Forbidden("a patient may record only doses, side effects, PHQ-2/PHQ-9 and "
                        "comprehension answers, not: " + ", ".join(refused))
