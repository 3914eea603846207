"""The OpenAPI document's error answers: every operation declares the problem documents
(RFC 9457, ``application/problem+json``) it can give, with their one schema.

The API's errors are made in one place (:mod:`isocourse.adapters.api.problems`), so what an
operation can answer follows from that mapping, not from each route: any operation can
refuse a caller (401, 403), not find or hide a thing (404), reject a malformed request (400,
422) or meet an unavailable database (503); a write can also clash with the current state
(409). Statuses particular to a route (412 and 428 of ``If-Match``, 429 of sign-in) are
declared by the route (``responses=``, see :data:`IF_MATCH_RESPONSES`); this module gives
every declared error status the problem schema, unless the route declares an error body of
its own (the FHIR server answers OperationOutcomes), which then stands for all its errors.
FastAPI's own ``HTTPValidationError`` (``{"detail": [...]}``) is never sent, so it is
replaced and dropped from the components.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

__all__ = ["IF_MATCH_RESPONSES", "PROBLEM_SCHEMA", "publish_problem_responses"]

MEDIA_TYPE = "application/problem+json"
_REF = "#/components/schemas/Problem"

#: The one shape of every error body (see problems.py).
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "An RFC 9457 problem document.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "A stable URI per kind of problem, "
                 "ending in its code."},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "errors": {"type": "array", "description": "The invalid fields.", "items": {
            "type": "object", "required": ["path", "message"],
            "properties": {"path": {"type": "string"}, "message": {"type": "string"}}}},
        "reasons": {"type": "array", "description": "Why dispensing is not allowed.",
                    "items": {"type": "object", "required": ["rule_id", "message"],
                              "properties": {"rule_id": {"type": "string"},
                                             "message": {"type": "string"}}}},
        "incident": {"type": "string", "description": "The id an internal error was "
                     "logged under."},
    },
    "additionalProperties": True,
}

#: What any operation can answer, from the shared error mapping.
_EVERY_OPERATION = (400, 401, 403, 404, 422, 503)
#: What a write can also answer (a course that ended, an authorization already used ...).
_WRITES = (409,)
_WRITE_METHODS = {"post", "put", "patch", "delete"}

#: ``responses=`` of the routes that read ``If-Match`` (deps.if_match, require_if_match).
IF_MATCH_RESPONSES: dict[int | str, dict[str, Any]] = {
    412: {"description": "If-Match does not name the course's current version (the "
          "answer's ETag does)"},
    428: {"description": "If-Match is required (replacing a whole course)"},
}


def _problem(status: int, description: str | None = None, *,
             media: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description or HTTPStatus(status).phrase,
            "content": media or {MEDIA_TYPE: {"schema": {"$ref": _REF}}}}


def publish_problem_responses(openapi: dict[str, Any]) -> dict[str, Any]:
    """Declare the problem answers of every operation of ``openapi`` (changed in place)."""
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for item in openapi.get("paths", {}).values():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses: dict[str, Any] = operation["responses"]
            wanted = _EVERY_OPERATION + (_WRITES if method in _WRITE_METHODS else ())
            own_media = _error_media(responses)
            for status in wanted:
                responses.setdefault(str(status), _problem(status, media=own_media))
            for key, response in responses.items():
                if not key.isdigit() or int(key) < 400:
                    continue
                if _is_fastapi_validation(response):
                    responses[key] = _problem(int(key), media=own_media)
                elif "content" not in response:  # the route's description, our body
                    responses[key] = _problem(int(key), response.get("description"),
                                              media=own_media)
    return openapi


def _is_fastapi_validation(response: dict[str, Any]) -> bool:
    return "HTTPValidationError" in str(response.get("content", ""))


def _error_media(responses: dict[str, Any]) -> dict[str, Any] | None:
    """The error body a route declared itself (the FHIR server's OperationOutcome), if any:
    it then stands for every error of the operation."""
    for key, response in responses.items():
        if (key.isdigit() and int(key) >= 400 and "content" in response
                and not _is_fastapi_validation(response)):
            return dict(response["content"])
    return None
