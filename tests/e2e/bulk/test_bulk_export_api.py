"""The asynchronous FHIR ``$export`` over real HTTP, on SQLite and PostgreSQL: kick-off,
polling, the manifest, downloading ndjson, cancelling; refusals (no ``Prefer``, a token
without the read scope, another user's job)."""

from __future__ import annotations

import json
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fhir.resources.R4B import get_fhir_model_class

from isocourse.bootstrap import Clinic
from tests.support.accounts import add_account, bearer, token_for
from tests.support.courses import ready_course, start_us_course
from tests.support.live_server import live_server

KICK_OFF = "/fhir/R4/$export"
ASYNC = {"Prefer": "respond-async", "Accept": "application/fhir+json"}


@pytest.fixture
def root(clinic: Clinic) -> Iterator[str]:
    ready_course(clinic, "p-0001")
    start_us_course(clinic, "p-0002")
    with live_server(clinic) as base:
        yield base


@pytest.fixture
def http(root: str, clinic: Clinic) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=root, timeout=30,
                      headers=bearer(clinic, "prescriber", "dr.bulk")) as client:
        yield client


def kick_off(http: httpx.Client) -> str:
    response = http.get(KICK_OFF, headers=ASYNC)
    assert response.status_code == 202, response.text
    location = response.headers["content-location"]
    assert location.startswith("/fhir/R4/bulkstatus/")
    return location


def wait_done(http: httpx.Client, location: str) -> httpx.Response:
    deadline = time.monotonic() + 60
    while True:
        response = http.get(location)
        if response.status_code != 202:
            return response
        assert response.headers["retry-after"].isdigit()
        assert "x-progress" in response.headers
        assert time.monotonic() < deadline, "the export did not finish"
        time.sleep(0.05)


def test_an_export_is_started_polled_downloaded_and_deleted(
        http: httpx.Client, clinic: Clinic) -> None:
    location = kick_off(http)
    done = wait_done(http, location)
    assert done.status_code == 200, done.text
    manifest = done.json()
    assert manifest["requiresAccessToken"] is True
    assert manifest["request"].endswith(KICK_OFF)
    assert manifest["error"] == []
    counts = {o["type"]: o["count"] for o in manifest["output"]}
    assert counts["Patient"] == 2
    assert {"Condition", "MedicationRequest", "Observation"} <= set(counts)

    for output in manifest["output"]:
        response = http.get(output["url"])
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/fhir+ndjson")
        lines = response.text.splitlines()
        assert len(lines) == output["count"]
        for line in lines:
            resource = json.loads(line)
            assert resource["resourceType"] == output["type"]
            get_fhir_model_class(output["type"]).model_validate(resource)

    job = location.rsplit("/", 1)[1]
    folder = Path(clinic.settings.data_dir) / "exports" / job
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

    # The job's own audit entry names both patients; the download names them too.
    with clinic.uows() as uow:
        entries = list(uow.audit.entries(newest_first=True, limit=20))
    job_entry = next(e for e in entries if e.target == f"/fhir/R4/bulkstatus/{job}"
                     and e.action == "bulk_export")
    assert len(job_entry.subjects) == 2
    download = next(e for e in entries if e.action == "bulk_file")
    assert set(download.subjects) == set(job_entry.subjects)

    assert http.delete(location).status_code == 202
    assert not folder.exists()
    assert http.get(location).status_code == 404
    assert http.get(manifest["output"][0]["url"]).status_code == 404


def test_a_running_export_is_cancelled_by_delete(http: httpx.Client, clinic: Clinic) -> None:
    location = kick_off(http)
    assert http.delete(location).status_code == 202
    assert http.get(location).status_code == 404
    job = location.rsplit("/", 1)[1]
    assert not (Path(clinic.settings.data_dir) / "exports" / job).exists()


def test_another_users_job_is_not_found_for_them(
        http: httpx.Client, root: str, clinic: Clinic) -> None:
    location = kick_off(http)
    assert wait_done(http, location).status_code == 200
    with httpx.Client(base_url=root, timeout=30,
                      headers=bearer(clinic, "prescriber", "dr.other")) as other:
        mine = http.get(location)
        theirs = other.get(location)
        assert theirs.status_code == 404
        missing = other.get("/fhir/R4/bulkstatus/" + "0" * 32)
        assert theirs.json() == missing.json()
        url = mine.json()["output"][0]["url"]
        assert other.get(url).status_code == 404
        assert other.delete(location).status_code == 404
    assert http.get(location).status_code == 200


def test_refusals_no_prefer_no_read_scope_not_a_prescriber_not_signed_in(
        http: httpx.Client, root: str, clinic: Clinic) -> None:
    response = http.get(KICK_OFF)
    assert response.status_code == 400
    assert response.json()["type"].endswith("respond-async-required")
    assert http.get(KICK_OFF, headers={**ASYNC, "Accept": "text/csv"}).status_code == 400
    assert http.get(KICK_OFF, params={"_since": "2026-01-01"},
                    headers=ASYNC).status_code == 400
    assert http.get(KICK_OFF, params={"_outputFormat": "application/fhir+ndjson"},
                    headers=ASYNC).status_code == 202

    writer = add_account(clinic, "prescriber", "dr.write-only")
    no_read = {"Authorization": f"Bearer {token_for(clinic, writer, ['write'])}"}
    response = httpx.get(root + KICK_OFF, headers={**ASYNC, **no_read}, timeout=30)
    assert response.status_code == 403
    for role in ("admin", "delegate", "pharmacist"):
        extra = {"on_behalf_of": "dr.bulk"} if role == "delegate" else {}
        headers = bearer(clinic, role, f"bulk-{role}", **extra)
        assert httpx.get(root + KICK_OFF, headers={**ASYNC, **headers},
                         timeout=30).status_code == 403
    assert httpx.get(root + KICK_OFF, headers=ASYNC, timeout=30).status_code == 401
