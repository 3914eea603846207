"""Errors of the FHIR server as ``OperationOutcome`` resources.

The API's one translation of errors (:mod:`isocourse.adapters.api.problems`) still decides
the status, the headers and the audit trail's verdict; :class:`FhirRoute` then rewrites the
problem document it made as an OperationOutcome: one issue per problem, its FHIR path in
``expression``. Every 404 reads the same ("no such resource"), so a record out of reach is
answered exactly like one that does not exist.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from isocourse.adapters.api.problems import PROBLEM_BASE

__all__ = ["FHIR_JSON", "OUTCOME_RESPONSES", "FhirJSONResponse", "FhirRoute",
           "operation_outcome"]

FHIR_JSON = "application/fhir+json"

#: OperationOutcome.issue.code by HTTP status (http://hl7.org/fhir/issue-type).
_CODES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 409: "conflict",
          412: "conflict", 422: "processing", 428: "required", 429: "throttled"}

#: The JSON Schema of the OperationOutcomes made here, for the OpenAPI document.
_OUTCOME_SCHEMA: dict[str, Any] = {
    "title": "OperationOutcome", "type": "object", "required": ["resourceType", "issue"],
    "properties": {
        "resourceType": {"const": "OperationOutcome"},
        "issue": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["severity", "code"],
            "properties": {"severity": {"type": "string"}, "code": {"type": "string"},
                           "diagnostics": {"type": "string"},
                           "expression": {"type": "array", "items": {"type": "string"}},
                           "details": {"type": "object"}}}},
    },
}
#: ``responses=`` of the FHIR server's router: its errors, each an OperationOutcome (the
#: statuses are those of the API's error mapping that a read can give).
OUTCOME_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": description,
             "content": {FHIR_JSON: {"schema": _OUTCOME_SCHEMA}}}
    for status, description in (
        (400, "a malformed request"), (401, "no valid credentials"),
        (403, "not allowed to this user or token"), (404, "no such resource"),
        (422, "an invalid parameter"), (503, "the database is unavailable"))
}


class FhirJSONResponse(JSONResponse):
    media_type = FHIR_JSON


def operation_outcome(status: int, detail: str, errors: list[dict[str, Any]] | None = None,
                      problem: str | None = None) -> dict[str, Any]:
    """An OperationOutcome: ``problem`` (the API's problem code, ``forbidden``) is each
    issue's ``details.coding`` under the system ``https://isocourse.dev/problems``."""
    code = _CODES.get(status, "exception" if status >= 500 else "processing")
    base: dict[str, Any] = {"severity": "error", "code": code}
    if problem:
        base["details"] = {"coding": [{"system": PROBLEM_BASE.rstrip("/"), "code": problem}]}
    issues = [base | {"diagnostics": str(e.get("message", "")),
                      "expression": [str(e.get("path", ""))]} for e in errors or []]
    return {"resourceType": "OperationOutcome",
            "issue": issues or [base | {"diagnostics": detail}]}


def _as_outcome(response: Response) -> Response:
    try:
        problem = json.loads(bytes(response.body))
    except ValueError:  # pragma: no cover - the API's handlers answer JSON
        problem = {}
    status = response.status_code
    detail = "no such resource" if status == 404 else str(problem.get("detail", ""))
    errors = problem.get("errors") if isinstance(problem.get("errors"), list) else None
    headers = {k: v for k, v in response.headers.items()
               if k.lower() in ("www-authenticate", "retry-after", "etag")}
    problem_code = str(problem.get("type", "")).rsplit("/", 1)[-1] or None
    return FhirJSONResponse(operation_outcome(status, detail, errors, problem_code),
                            status_code=status, headers=headers)


class FhirRoute(APIRoute):
    """A route whose refusals and failures (from its dependencies too) are answered as
    OperationOutcomes, by way of the app's problem handlers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def outcome_handler(request: Request) -> Response:
            try:
                return await handle(request)
            except Exception as error:
                handler = _handler_for(request, error)
                if handler is None:
                    raise
                answer = handler(request, error)
                if inspect.isawaitable(answer):
                    answer = await answer
                return _as_outcome(answer)

        return outcome_handler


def _handler_for(request: Request, error: Exception) -> Callable[..., Any] | None:
    handlers: dict[Any, Callable[..., Any]] = request.app.exception_handlers
    for cls in type(error).__mro__:
        if cls in handlers and cls is not Exception:
            return handlers[cls]
    return None
