"""Pharmacies dispensing one authorization at the same moment, over real HTTP, many times
over: exactly one 201 each time, the others 409, and exactly one dispense event.

tests/integration/test_dispensing.py races the use case in-process (five rounds); this
races the whole server: separate HTTP connections, separate pharmacist accounts, the
server's own thread pool and connection pool, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.security.world import Person, add_person, make_course, security_clinic, unique
from tests.support.clinics import BACKENDS
from tests.support.live_server import live_server

AUTHORIZATIONS = 30
#: Pharmacies racing for each authorization, in turn.
RACERS = (2, 3, 4)
PATIENCE_S = 60.0


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def race(clients: list[httpx.Client], code: str) -> list[int]:
    """Each client asks to dispense ``code`` at the same moment; their statuses."""
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []
    lock = threading.Lock()

    def dispense(client: httpx.Client) -> None:
        barrier.wait(PATIENCE_S)
        answer = client.post(f"/authorizations/{code}/dispense")
        with lock:
            statuses.append(answer.status_code)
            if answer.status_code not in (201, 409):
                statuses.append(-1)  # unexpected: keep its body for the message
                raise AssertionError(answer.text)

    threads = [threading.Thread(target=dispense, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE_S)
    assert not any(t.is_alive() for t in threads), "a dispense hung"
    return statuses


@pytest.fixture
def pharmacies(request: pytest.FixtureRequest, backend: str, tmp_path: Path
               ) -> Iterator[tuple[list[httpx.Client], httpx.Client, list[tuple[str, str]]]]:
    with security_clinic(request, backend, tmp_path) as clinic:
        prescriber = add_person(clinic, "prescriber", "prescriber", "Dr Race")
        pharmacists: list[Person] = [
            add_person(clinic, f"pharmacist-{n}", "pharmacist", f"Pharmacy {n}")
            for n in range(max(RACERS))]
        granted = []
        for _ in range(AUTHORIZATIONS):
            course = make_course(clinic, prescriber, pharmacists[0], "granted",
                                 unique("race"))
            assert course.code is not None
            granted.append((course.course_id, course.code))
        with live_server(clinic) as root:
            clients = [httpx.Client(base_url=root + "/api/v1", headers=p.bearer,
                                    timeout=PATIENCE_S) for p in pharmacists]
            reader = httpx.Client(base_url=root + "/api/v1", headers=prescriber.bearer,
                                  timeout=PATIENCE_S)
            try:
                yield clients, reader, granted
            finally:
                for client in (*clients, reader):
                    client.close()


def test_pharmacies_racing_for_one_authorization_dispense_exactly_once_every_time(
        pharmacies: tuple[list[httpx.Client], httpx.Client, list[tuple[str, str]]]) -> None:
    clients, reader, granted = pharmacies
    tally: Counter[int] = Counter()
    for n, (course_id, code) in enumerate(granted):
        racers = RACERS[n % len(RACERS)]
        statuses = race(clients[:racers], code)
        tally.update(statuses)
        assert sorted(statuses) == [201] + [409] * (racers - 1), (code, statuses)

        events = reader.get(f"/courses/{course_id}/events")
        assert events.status_code == 200, events.text
        kinds = [item["event"]["type"] for item in events.json()["items"]]
        assert kinds.count("dispense") == 1, (code, kinds)
        status = reader.get(f"/authorizations/{code}")
        assert status.status_code == 200 and status.json()["status"] == "dispensed", \
            status.text
    assert tally[201] == AUTHORIZATIONS
