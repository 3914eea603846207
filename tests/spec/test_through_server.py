"""The spec tables again, through the clinic server over HTTP, on SQLite and PostgreSQL.

Each row's record is imported with ``POST /api/v1/courses``, exported again with ``GET``
(which must give back the same record, with an id added to each event that had none:
import and export lose nothing) and assessed with
``GET .../assessment?on=``; the answer must match the row exactly as the pure engine's does.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from isocourse.catalog import load_catalog
from isocourse.domain.record import parse_record
from tests.spec import test_eu_ppp, test_monitoring, test_uk_mhra, test_us_ipledge
from tests.spec.harness import Scenario, check, scenario_id
from tests.support.accounts import bearer
from tests.support.clinics import BACKENDS, clinic_on
from tests.support.db_fixtures import fresh_database
from tests.support.live_server import live_server
from tests.support.records import ids_given_by_the_server_removed

SCENARIOS: list[Scenario] = [*test_us_ipledge.SCENARIOS, *test_eu_ppp.SCENARIOS,
                             *test_uk_mhra.SCENARIOS, *test_monitoring.SCENARIOS]
Key = tuple[tuple[str, str], ...]


def _key(scenario: Scenario) -> Key:
    return tuple(sorted(scenario.effective_dates.items()))


@pytest.fixture(scope="module", params=BACKENDS)
def servers(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Key, httpx.Client]]:
    """One server per backend and per set of moved go-live dates, shared by the rows."""
    clients: dict[Key, httpx.Client] = {}
    stack: list[Any] = []
    try:
        for key in sorted({_key(s) for s in SCENARIOS}):
            folder: Path = tmp_path_factory.mktemp("spec-server")
            urls = fresh_database(request, request.param, folder / "data")
            url = next(urls)
            stack.append(urls)
            dates = {k: dt.date.fromisoformat(v) for k, v in key}
            clinic_cm = clinic_on(url, folder / "data", effective_dates=dates)
            clinic = clinic_cm.__enter__()
            stack.append(clinic_cm)
            server_cm = live_server(clinic)
            base = server_cm.__enter__()
            stack.append(server_cm)
            clients[key] = httpx.Client(base_url=base, timeout=30,
                                        headers=bearer(clinic, "prescriber"))
        yield clients
    finally:
        for client in clients.values():
            client.close()
        for item in reversed(stack):
            if hasattr(item, "__exit__"):
                item.__exit__(None, None, None)
            else:
                next(item, None)


@pytest.mark.parametrize("index", range(len(SCENARIOS)),
                         ids=[scenario_id(s) for s in SCENARIOS])
def test_row_gives_the_same_answer_through_the_server(
        index: int, servers: dict[Key, httpx.Client]) -> None:
    scenario = SCENARIOS[index]
    client = servers[_key(scenario)]
    record = copy.deepcopy(dict(scenario.record))
    record["patient"] = {**record["patient"], "id": f"spec-{index}"}
    created = client.post("/api/v1/courses", json=record)
    assert created.status_code == 201, created.text
    course_id = created.json()["id"]

    exported = client.get(f"/api/v1/courses/{course_id}")
    assert exported.status_code == 200
    products = load_catalog().products
    assert all(event.get("id") for event in exported.json()["events"])
    assert parse_record(ids_given_by_the_server_removed(exported.json(), record),
                        known_products=products) == parse_record(record,
                                                                 known_products=products)

    answer = client.get(f"/api/v1/courses/{course_id}/assessment",
                        params={"on": scenario.on})
    assert answer.status_code == 200, answer.text
    check(scenario, answer.json())
