"""Who may do what (services/access.py): every action against every role, the token scopes,
the reach of each role into patients' records, and what a patient may record.

The table below is the design (docs: accounts, roles and the audit trail), written out by
hand, not read from the code: a change to a role's rights must change this table too.
"""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isocourse.domain.errors import Forbidden, Hidden, NotFound
from isocourse.domain.record.vocabulary import EventType
from isocourse.services.access import (
    Action,
    Role,
    Scope,
    may,
    require,
    require_event_types,
    require_patient,
)
from isocourse.services.ports import Actor

TABLE = """
action                   scope     admin  prescriber  delegate  pharmacist  patient
READ_RECORD              read      -      yes         yes       -           yes
LIST_COURSES             read      -      yes         yes       -           -
DUE_LIST                 read      -      yes         yes       -           -
FIND_PATIENT             read      -      yes         yes       -           -
REGISTER_PATIENT         write     -      yes         yes       -           -
CHANGE_COURSE            write     -      yes         yes       -           -
RECORD_EVENTS            write     -      yes         yes       -           yes
PREVIEW_PRESCRIPTION     write     -      yes         yes       -           -
SIGN_PRESCRIPTION        write     -      yes         -         -           -
REQUEST_AUTHORIZATION    dispense  -      -           -         yes         -
READ_AUTHORIZATION       read      -      yes         yes       yes         yes
DISPENSE                 dispense  -      -           -         yes         -
REVERSE_AUTHORIZATION    dispense  -      yes         -         yes         -
READ_OWN_ACCESS_LOG      read      -      -           -         -           yes
READ_PATIENT_ACCESS_LOG  read      -      yes         yes       -           -
MANAGE_USERS             write     yes    -           -         -           -
READ_AUDIT               read      yes    -           -         -           -
READ_CDS_REPORT          read      yes    yes         -         -           -
BULK_EXPORT              read      -      yes         -         -           -
MANAGE_CALENDAR_FEEDS    write     -      -           -         -           yes
"""


def _rows() -> dict[str, tuple[str, dict[str, bool]]]:
    header, *lines = TABLE.strip().splitlines()
    roles = header.split()[2:]
    rows = {}
    for line in lines:
        action, scope, *cells = line.split()
        rows[action] = (scope, {r: c == "yes" for r, c in zip(roles, cells, strict=True)})
    return rows


ROWS = _rows()
NAMED = [(name, Role(role), allowed)
         for name, (_, roles) in ROWS.items() for role, allowed in roles.items()]
CASES = [(Action[name], role, allowed) for name, role, allowed in NAMED]


def actor(role: Role | str, scopes: frozenset[str] | None = None, *, clinic: str = "main",
          patient_id: str | None = None) -> Actor:
    return Actor(id=f"u-{role}", role=str(role), clinic_id=clinic, patient_id=patient_id,
                 scopes=scopes)


def test_the_table_lists_every_action_and_every_role() -> None:
    assert set(ROWS) == set(Action.__members__)
    assert {r for _, roles in ROWS.values() for r in roles} == {r.value for r in Role}


@pytest.mark.parametrize("name", list(Action.__members__))
def test_each_action_needs_the_scope_the_design_gives_it(name: str) -> None:
    assert Action[name].scope is Scope(ROWS[name][0])


def test_every_action_is_a_member_of_its_own_not_an_alias_of_another() -> None:
    # An Enum makes a member whose value equals an earlier member's an alias of it:
    # ``Action.DISPENSE is Action.REQUEST_AUTHORIZATION`` would hold, ``list(Action)``
    # would skip the alias, and ``Action.DISPENSE.name`` would be "REQUEST_AUTHORIZATION".
    aliases = {name: member.name for name, member in Action.__members__.items()
               if member.name != name}
    assert aliases == {}, f"these actions are aliases of others: {aliases}"


@pytest.mark.parametrize(("action", "role", "allowed"), CASES,
                         ids=[f"{n}-{r.value}" for n, r, _ in NAMED])
def test_a_signed_in_person_may_do_exactly_what_their_role_allows(
        action: Action, role: Role, allowed: bool) -> None:
    person = actor(role)
    assert may(person, action) is allowed
    if allowed:
        require(person, action)
    else:
        with pytest.raises(Forbidden, match=f"a {role.value} account may not do this"):
            require(person, action)


@pytest.mark.parametrize(("action", "role", "allowed"), CASES,
                         ids=[f"{n}-{r.value}" for n, r, _ in NAMED])
def test_a_token_with_every_scope_is_limited_by_its_role_alone(
        action: Action, role: Role, allowed: bool) -> None:
    program = actor(role, frozenset(s.value for s in Scope))
    assert may(program, action) is allowed


ALLOWED = [(Action[n], r) for n, r, allowed in NAMED if allowed]


@pytest.mark.parametrize(("action", "role"), ALLOWED,
                         ids=[f"{n}-{r.value}" for n, r, allowed in NAMED if allowed])
def test_a_token_missing_the_actions_scope_is_refused_even_for_an_allowed_role(
        action: Action, role: Role) -> None:
    for others in _subsets(set(Scope) - {action.scope}):
        program = actor(role, frozenset(s.value for s in others))
        assert not may(program, action)
        with pytest.raises(Forbidden, match=f"lacks the '{action.scope.value}' scope"):
            require(program, action)
    exactly = actor(role, frozenset({action.scope.value}))
    assert may(exactly, action)
    require(exactly, action)


def _subsets(scopes: set[Scope]) -> list[tuple[Scope, ...]]:
    return [c for n in range(len(scopes) + 1) for c in itertools.combinations(sorted(scopes), n)]


def test_an_unknown_role_may_do_nothing() -> None:
    stranger = actor("superuser")
    for action in Action.__members__.values():
        assert not may(stranger, action)
        with pytest.raises(Forbidden):
            require(stranger, action)


_roles = st.sampled_from([*Role, "root", "", "Prescriber"])
_scope_sets = st.none() | st.frozensets(st.sampled_from(["read", "write", "dispense", "admin",
                                                         "READ", ""]))


@given(_roles, _scope_sets, st.sampled_from(list(Action.__members__.values())))
def test_may_is_true_exactly_when_require_does_not_raise(
        role: str, scopes: frozenset[str] | None, action: Action) -> None:
    who = actor(role, scopes)
    try:
        require(who, action)
    except Forbidden:
        refused = True
    else:
        refused = False
    assert may(who, action) is not refused


# -- reaching a patient's record ---------------------------------------------------------

OWN, OTHER = "p-own", "p-other"


def _reach_expected(role: Role, same_clinic: bool, own: bool, dispensing: bool) -> bool:
    if not same_clinic:
        return False
    return {Role.ADMIN: False, Role.PRESCRIBER: True, Role.DELEGATE: True,
            Role.PHARMACIST: dispensing, Role.PATIENT: own}[role]


REACH = list(itertools.product(Role, (True, False), (True, False), (True, False)))


@pytest.mark.parametrize(("role", "same_clinic", "own", "dispensing"), REACH,
                         ids=[f"{r.value}-{'own' if c else 'other'}clinic-"
                              f"{'own' if o else 'other'}patient-"
                              f"{'dispensing' if d else 'direct'}" for r, c, o, d in REACH])
def test_a_record_is_reached_only_within_the_roles_reach(
        role: Role, same_clinic: bool, own: bool, dispensing: bool) -> None:
    # Every actor carries a patient link here, so that only the patient role profits by it.
    who = actor(role, patient_id=OWN)
    call = {"clinic_id": "main" if same_clinic else "other",
            "patient_id": OWN if own else OTHER, "through_dispensing": dispensing}
    if _reach_expected(role, same_clinic, own, dispensing):
        require_patient(who, **call)  # type: ignore[arg-type]
    else:
        with pytest.raises(Hidden) as refused:
            require_patient(who, **call)  # type: ignore[arg-type]
        assert isinstance(refused.value, NotFound)  # answered exactly like "not found"
        assert OWN not in str(refused.value) and OTHER not in str(refused.value)


def test_a_patient_account_without_a_linked_record_reaches_no_record() -> None:
    with pytest.raises(Hidden):
        require_patient(actor(Role.PATIENT, patient_id=None), clinic_id="main",
                        patient_id=OWN)


# -- what a patient may record -----------------------------------------------------------

PATIENT_TYPES = {"dose", "side_effect", "phq2", "phq9", "comprehension"}
OTHER_TYPES = sorted({t.value for t in EventType} - PATIENT_TYPES)


@given(st.lists(st.sampled_from(sorted(PATIENT_TYPES))))
def test_a_patient_may_record_doses_side_effects_phq_and_comprehension(types: list[str]) -> None:
    require_event_types(actor(Role.PATIENT, patient_id=OWN), types)


@given(st.lists(st.sampled_from(sorted(PATIENT_TYPES))),
       st.lists(st.sampled_from(OTHER_TYPES) | st.text(min_size=1, max_size=10)
                .filter(lambda t: t not in PATIENT_TYPES), min_size=1),
       st.randoms())
def test_a_patient_is_refused_any_other_type_and_told_which(
        allowed: list[str], refused: list[str], rnd: random.Random) -> None:
    types = allowed + refused
    rnd.shuffle(types)
    with pytest.raises(Forbidden) as error:
        require_event_types(actor(Role.PATIENT, patient_id=OWN), types)
    listed = str(error.value).split("not: ", 1)[1]
    assert listed == ", ".join(sorted(set(refused)))


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.PATIENT])
def test_the_event_type_limit_is_for_patients_only(role: Role) -> None:
    require_event_types(actor(role), [*OTHER_TYPES, *PATIENT_TYPES])


def test_the_patient_reported_types_are_event_types_of_the_record() -> None:
    assert {t.value for t in EventType} >= PATIENT_TYPES
