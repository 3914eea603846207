"""The OpenAPI request bodies of clinical documents: the course record's own JSON Schema.

Course records and events are checked by the core's parser (one gate, one set of messages),
so the routes take them as plain JSON objects; these fragments make the OpenAPI document
describe them exactly, for client generators and for fuzzing against the schema. The
schema's ``$defs`` are published under ``components/schemas/CourseRecord`` (see
:func:`publish_record_schema`).
"""

from __future__ import annotations

import json
from typing import Any

from isocourse.domain.record import course_schema

__all__ = ["EVENT_BODY", "RECORD_BODY", "publish_record_schema"]

_COMPONENT = "#/components/schemas/CourseRecord"


def _body(ref: str, description: str) -> dict[str, Any]:
    return {"requestBody": {"required": True, "description": description, "content": {
        "application/json": {"schema": {"$ref": ref}}}}}


RECORD_BODY = _body(_COMPONENT, "A course record (isocourse-course/1).")
EVENT_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "oneOf": [
        {"$ref": f"{_COMPONENT}/$defs/event"},
        {"type": "object", "additionalProperties": False, "required": ["events"],
         "properties": {"events": {"type": "array", "minItems": 1,
                                   "items": {"$ref": f"{_COMPONENT}/$defs/event"}}}},
    ]}}}, "description": "One event of the course record format, or {\"events\": [...]}."}}


def publish_record_schema(openapi: dict[str, Any]) -> dict[str, Any]:
    """Add the course record schema to an OpenAPI document, its ``$ref``s re-rooted."""
    schema = dict(course_schema())
    schema.pop("$schema", None)
    schema.pop("$id", None)
    text = json.dumps(schema).replace('"#/$defs/', f'"{_COMPONENT}/$defs/')
    openapi.setdefault("components", {}).setdefault("schemas", {})["CourseRecord"] = \
        json.loads(text)
    return openapi
