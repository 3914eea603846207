"""Schemathesis against the served OpenAPI document: every operation, as each role, with a
Bearer API token. No answer is a 5xx, and every answer conforms to the document: its status
code is declared, its media type is declared, its body matches the declared schema.

The server is a live uvicorn over a clinic with data (the security tests' World: people of
every role and ready courses). Each generated case is sent twice when it has path ids: as
generated (random ids: mostly 404s and 422s), and with its ids replaced by ids that exist in
the clinic, so the fuzzer reaches the answers about real courses, patients and authorizations.

Bounded for CI: ``MAX_EXAMPLES`` cases per operation and role (the hypothesis profile's
max_examples, capped), SQLite only (the answers come from the same handlers on PostgreSQL;
the backends' own paths are covered by tests/e2e and tests/integration). Every operation is
run even when an earlier one fails, and the failures are reported together.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.security.world import World, add_person, serve_world
from tests.unit.record.record_paths import DELETE, change, paths
from tests.unit.record.record_strategies import example

ROLES = ("admin", "prescriber", "delegate", "pharmacist", "patient")
#: Cases per operation and role: 4 under the "ci" profile, 80 under "long"
#: (HYPOTHESIS_PROFILE=long), each sent once or twice (see above).
MAX_EXAMPLES = max(3, settings().max_examples // 25)
#: Operations whose cases cost much more (a password to hash: argon2): a third of the cases.
COSTLY = {"POST /api/v1/session", "POST /api/v1/users", "POST /api/v1/users/{username}/password"}
#: Operations that take a whole course record. Generating one from the record's JSON Schema
#: takes seconds per case, so their bodies are the spec example record damaged in up to
#: three places (or intact), as in tests/unit/record/test_record_fuzz.py.
RECORD_BODIES = {"POST /api/v1/courses", "PUT /api/v1/courses/{course_id}"}
_JSON_SCALARS = (st.none() | st.booleans() | st.integers(-5, 10**6) | st.text(max_size=12)
                 | st.floats(allow_nan=False, allow_infinity=False)
                 | st.sampled_from(["", "2026-02-30", "lab", "us-ipledge", "negative"]))


@st.composite
def damaged_records(draw: st.DrawFn) -> dict[str, Any]:
    doc = example()
    for _ in range(draw(st.integers(0, 3))):
        targets = paths(doc)
        if not targets:
            break
        change(doc, draw(st.sampled_from(targets)), draw(_JSON_SCALARS | st.just(DELETE)))
    return doc


def _record_cases(operation: Any) -> st.SearchStrategy[Any]:
    """Cases of a record operation: a damaged record, and a random course id if any."""
    ids = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=12)
    wants_id = "{course_id}" in operation.path
    return st.builds(
        lambda body, course_id: operation.Case(
            body=body, media_type="application/json",
            path_parameters={"course_id": course_id} if wants_id else None),
        damaged_records(), ids)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module")
def world(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with serve_world(request, "sqlite", tmp_path_factory.mktemp("fuzz-api")) as made:
        yield made


@pytest.fixture(scope="module")
def api_schema(world: World) -> Any:
    return schemathesis.openapi.from_url(world.root + "/api/v1/openapi.json")


@pytest.fixture(scope="module")
def known_ids(world: World) -> dict[str, str]:
    """Ids that exist, by path parameter name. The token and the account are spares: the
    fuzzer may revoke the one and disable the other."""
    course = world.course("one")
    assert course.code is not None
    spare = add_person(world.clinic, "spare", "pharmacist", "Sam Spare")
    return {"course_id": course.course_id, "patient_id": course.patient_id,
            "code": course.code, "token_id": world.spare_token("prescriber")[1],
            "username": spare.username}


def _fuzz(operation: Any, world: World, headers: dict[str, str], ids: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        case.call_and_validate(base_url=world.root, headers=headers, checks=CHECKS)
        if case.path_parameters and any(k in ids for k in case.path_parameters):
            case.path_parameters = {k: ids.get(k, v) for k, v in case.path_parameters.items()}
            case.call_and_validate(base_url=world.root, headers=headers, checks=CHECKS)

    run()


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_the_role_without_5xx_and_as_documented(
        role: str, world: World, api_schema: Any, known_ids: dict[str, str]) -> None:
    headers = dict(world[role].bearer)
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        try:
            _fuzz(operation, world, headers, known_ids)
        except (Exception, BaseExceptionGroup) as error:  # collected, reported below
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)
