"""A live clinic server with an allow-listed CDS client, and a client that signs each call
with a fresh JWT for the URL it calls (CDS Hooks 2.0)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from isocourse.bootstrap import Clinic
from isocourse.services.audit import AuditEntry
from tests.support.cds import CdsClientKeys
from tests.support.courses import READY_DAY
from tests.support.live_server import live_server


@dataclass
class Cds:
    base: str
    http: httpx.Client
    ehr: CdsClientKeys
    clinic: Clinic

    def url(self, service: str, *, feedback: bool = False) -> str:
        return f"{self.base}/cds-services/{service}" + ("/feedback" if feedback else "")

    def bearer(self, aud: str, **token: Any) -> dict[str, str]:
        return {"Authorization": "Bearer " + self.ehr.token(aud, now=self.clinic.clock.now(),
                                                            **token)}

    def call(self, service: str, body: Any, *, headers: dict[str, str] | None = None,
             **token: Any) -> httpx.Response:
        url = self.url(service)
        return self.http.post(url, json=body, headers=headers or self.bearer(url, **token))

    def feedback(self, service: str, items: list[dict[str, Any]]) -> httpx.Response:
        url = self.url(service, feedback=True)
        return self.http.post(url, json={"feedback": items}, headers=self.bearer(url))

    def audit(self) -> list[AuditEntry]:
        """The audit trail, newest first."""
        with self.clinic.uows() as uow:
            return list(uow.audit.entries(newest_first=True))


@contextmanager
def serving(clinic: Clinic, ehr: CdsClientKeys, **settings: Any) -> Iterator[Cds]:
    clinic.clock.day = READY_DAY  # type: ignore[attr-defined]
    clinic.settings = clinic.settings.model_copy(
        update={"cds_clients": [ehr.entry()], **settings})
    with live_server(clinic) as base, httpx.Client(base_url=base, timeout=30) as http:
        yield Cds(base, http, ehr, clinic)


@pytest.fixture
def ehr() -> CdsClientKeys:
    return CdsClientKeys()


@pytest.fixture
def cds(clinic: Clinic, ehr: CdsClientKeys) -> Iterator[Cds]:
    with serving(clinic, ehr) as served:
        yield served
