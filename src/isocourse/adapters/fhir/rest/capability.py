"""The server's CapabilityStatement (``GET /fhir/R4/metadata``), checked once by the model
library."""

from __future__ import annotations

from functools import cache
from typing import Any

from isocourse.adapters.fhir.rest.resources import RESOURCE_TYPES

__all__ = ["capability_statement"]

_SEARCH_DOCS = {
    "_id": "the patient's id on this server",
    "patient": "Patient/{id} (or the bare id): the patient whose resources to list",
    "subject": "the same as patient",
}


@cache
def capability_statement(software_version: str) -> dict[str, Any]:
    from fhir.resources.R4B.capabilitystatement import CapabilityStatement

    statement = {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-10-01",
        "kind": "instance",
        "software": {"name": "isocourse", "version": software_version},
        "implementation": {"description": "isocourse: isotretinoin courses, read-only"},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "documentation": "Read-only. Authenticate as for the isocourse API: "
                             "'Authorization: Bearer <API token>' with the read scope, or a "
                             "signed-in session. A record out of the caller's reach is "
                             "answered 404, exactly like one that does not exist.",
            "security": {"cors": False, "description": "API tokens or session cookies"},
            "resource": [{
                "type": kind,
                "interaction": [{"code": "read"}, {"code": "search-type"}],
                "searchParam": [{"name": name, "type": "token" if name == "_id"
                                 else "reference", "documentation": _SEARCH_DOCS[name]}
                                for name in params],
            } for kind, params in RESOURCE_TYPES.items()],
        }],
    }
    CapabilityStatement.model_validate(statement)
    return statement
