"""Regression tests of what Schemathesis found: the OpenAPI document declared no error
answers but FastAPI's 422 (whose ``{"detail": [...]}`` body the API never sends), so every
401, 403, 404, 409, 412, 428 and 503 broke the document, and every problem+json body had an
undeclared media type; the FHIR server's OperationOutcomes were declared as neither."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from isocourse.adapters.api.app import create_app
from isocourse.bootstrap import build
from isocourse.config import Settings

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder: Path = tmp_path_factory.mktemp("openapi")
    clinic = build(Settings(data_dir=folder))
    try:
        yield create_app(clinic).openapi()
    finally:
        clinic.close()


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def test_every_operation_declares_the_errors_any_operation_can_answer(
        document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        declared = set(operation["responses"])
        assert {"400", "401", "403", "404", "422", "503"} <= declared, (method, path)
        if method in ("post", "put", "delete"):
            assert "409" in declared, (method, path)


def test_api_errors_are_declared_as_problem_documents_and_fhir_errors_as_outcomes(
        document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            content = response["content"]
            if path.startswith("/fhir/R4/") and "bulk" not in path and "$export" not in path:
                schema = content["application/fhir+json"]["schema"]
                assert schema["properties"]["resourceType"] == {"const": "OperationOutcome"}
            else:
                assert content == PROBLEM, (method, path, status)


def test_the_problem_schema_is_published_and_fastapis_validation_error_is_not(
        document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert set(schemas["Problem"]["required"]) == {"type", "title", "status", "detail"}
    assert "HTTPValidationError" not in schemas
    assert "HTTPValidationError" not in str(document["paths"])


def test_the_routes_that_read_if_match_declare_412_and_428(document: dict[str, Any]) -> None:
    for method, path in (("put", "/api/v1/courses/{course_id}"),
                         ("post", "/api/v1/courses/{course_id}/events"),
                         ("post", "/api/v1/courses/{course_id}/prescriptions"),
                         ("post", "/api/v1/courses/{course_id}/end")):
        responses = document["paths"][path][method]["responses"]
        assert {"412", "428"} <= set(responses), (method, path)
        assert responses["412"]["content"] == PROBLEM


def test_a_routes_own_error_description_is_kept(document: dict[str, Any]) -> None:
    responses = document["paths"]["/api/v1/session"]["post"]["responses"]
    assert responses["429"]["description"].startswith("too many failures")
    assert responses["429"]["content"] == PROBLEM
