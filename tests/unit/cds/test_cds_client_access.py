"""The CDS client as an actor (services/access.py): no account, no role's rights, the
records of its own clinic only and only through the CDS use cases."""

from __future__ import annotations

import pytest

from isocourse.domain.errors import Forbidden, Hidden
from isocourse.services.access import (
    CDS_CLIENT,
    Action,
    Role,
    may,
    require_cds_client,
    require_patient,
)
from isocourse.services.ports import Actor

CLIENT = Actor(id="https://ehr.example.org/", role=CDS_CLIENT, clinic_id="main",
               scopes=frozenset({"read"}))


def test_a_cds_client_is_no_role_and_may_do_no_account_action() -> None:
    assert CDS_CLIENT not in {r.value for r in Role}
    assert not any(may(CLIENT, action) for action in Action)


def test_a_cds_client_reaches_the_records_of_its_own_clinic_only() -> None:
    require_patient(CLIENT, clinic_id="main", patient_id="p-1")
    with pytest.raises(Hidden):
        require_patient(CLIENT, clinic_id="other", patient_id="p-1")


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_the_cds_use_cases_refuse_every_account(role: str) -> None:
    with pytest.raises(Forbidden):
        require_cds_client(Actor(id="u", role=role, clinic_id="main"))
    require_cds_client(CLIENT)
