"""A live server for the FHIR tests, with a ready course (``p-0001``) and the clients of
its prescriber (``api``, an API token) and of the server's root (``root``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from isocourse.bootstrap import Clinic
from isocourse.services.audit import AuditEntry
from tests.support.accounts import bearer
from tests.support.courses import ready_course
from tests.support.live_server import live_server


@dataclass
class Served:
    clinic: Clinic
    root: str
    course_id: str
    patient_id: str

    def client(self, headers: dict[str, str] | None = None) -> httpx.Client:
        return httpx.Client(base_url=self.root, timeout=30, headers=headers or {})

    def as_role(self, role: str, username: str | None = None, **account: str) -> httpx.Client:
        return self.client(bearer(self.clinic, role, username, **account))

    def head(self) -> int:
        with self.clinic.uows() as uow:
            head = uow.audit.head()
        return head[0] if head else 0

    def entries_after(self, seq: int) -> list[AuditEntry]:
        with self.clinic.uows() as uow:
            return list(uow.audit.entries(offset=seq))


@pytest.fixture
def served(clinic: Clinic) -> Iterator[Served]:
    course, _ = ready_course(clinic, "p-0001")
    with live_server(clinic) as root:
        yield Served(clinic, root, course.header.id, course.patient.id)


@pytest.fixture
def api(served: Served) -> Iterator[httpx.Client]:
    with served.as_role("prescriber") as client:
        yield client
