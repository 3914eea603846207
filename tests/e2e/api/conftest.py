"""Clients of a live server for the API tests: the prescriber's program (``api``) and the
pharmacy's (``pharmacy``), each with an API token of its role."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from isocourse.bootstrap import Clinic
from tests.support.accounts import bearer
from tests.support.courses import READY_DAY
from tests.support.live_server import live_server


@pytest.fixture
def server(clinic: Clinic) -> Iterator[str]:
    clinic.clock.day = READY_DAY  # type: ignore[attr-defined]
    with live_server(clinic) as base:
        yield base + "/api/v1"


@pytest.fixture
def api(server: str, clinic: Clinic) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30,
                      headers=bearer(clinic, "prescriber")) as client:
        yield client


@pytest.fixture
def pharmacy(server: str, clinic: Clinic) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30,
                      headers=bearer(clinic, "pharmacist")) as client:
        yield client
