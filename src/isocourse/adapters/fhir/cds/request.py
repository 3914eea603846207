"""Reading a CDS Hooks request body: the service call (hook, context, prefetch) and
feedback. A body that breaks the specification's shape is a 400 (``invalid-cds-request``)
naming the field, never echoing a value (a request carries patient data and may carry an
access token, ``fhirAuthorization``, which isocourse never uses, keeps or logs).

How the hook's patient is found (``patient_key``): by default ``context.patientId`` is the
clinic's patient id (the course record's ``patient.id``, ``external_id`` in the database) -
the clinic registers patients under the EHR's FHIR id. With the setting
``cds_patient_identifier_system``, the prefetched Patient's identifier of that system is
used instead (an MRN, say); without that Patient in the prefetch the service cannot find
the course, and answers 412.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from isocourse.adapters.api.problems import ApiProblem
from isocourse.services.cds.advice import CdsDataUnavailable
from isocourse.services.cds.feedback import FeedbackItem
from isocourse.services.cds.hooks import Hook

__all__ = ["feedback_items", "hook_body", "patient_key"]

_MAX_FEEDBACK = 1000


def _invalid(message: str) -> ApiProblem:
    return ApiProblem(400, "invalid-cds-request", message)


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise _invalid("the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise _invalid("the request body must be a JSON object")
    return body


def _text(container: Mapping[str, Any], name: str, where: str) -> str:
    value = container.get(name)
    if not isinstance(value, str) or not value.strip():
        raise _invalid(f"{where}{name} is required (a non-empty string)")
    return value


def hook_body(raw: bytes, hook: Hook) -> dict[str, Any]:
    """The request, checked against CDS Hooks 2.0 for ``hook``."""
    body = _json_object(raw)
    if _text(body, "hook", "") != hook.value:
        raise _invalid(f"hook must be '{hook.value}' for this service")
    _text(body, "hookInstance", "")
    if "fhirAuthorization" in body and not isinstance(body.get("fhirServer"), str):
        raise _invalid("fhirServer is required when fhirAuthorization is given")
    context = body.get("context")
    if not isinstance(context, dict):
        raise _invalid("context is required (an object)")
    _text(context, "patientId", "context.")
    if hook is not Hook.PATIENT_VIEW:
        orders = context.get("draftOrders")
        if not isinstance(orders, dict) or orders.get("resourceType") != "Bundle":
            raise _invalid("context.draftOrders is required (a FHIR Bundle)")
    if hook is Hook.ORDER_SELECT:
        selections = context.get("selections")
        if not isinstance(selections, list) or not all(isinstance(s, str) for s in selections):
            raise _invalid("context.selections is required (an array of references)")
    prefetch = body.get("prefetch")
    if prefetch is not None and not isinstance(prefetch, dict):
        raise _invalid("prefetch must be an object")
    return body


def patient_key(body: Mapping[str, Any], identifier_system: str | None) -> str:
    """The clinic's patient id of the hook's patient (module docstring)."""
    context = body["context"]
    patient_id = str(context["patientId"])
    if identifier_system is None:
        return patient_id
    prefetch = body.get("prefetch") or {}
    patient = prefetch.get("patient")
    if not isinstance(patient, dict) or patient.get("resourceType") != "Patient":
        raise CdsDataUnavailable("the Patient (prefetch key 'patient') is needed to find the "
                                 "patient's course and was not prefetched")
    if "id" in patient and patient["id"] != patient_id:
        raise _invalid("prefetch.patient is not the patient of context.patientId")
    values = {str(i["value"]) for i in patient.get("identifier") or () if isinstance(i, dict)
              and i.get("system") == identifier_system and isinstance(i.get("value"), str)}
    if len(values) != 1:
        raise CdsDataUnavailable("the prefetched Patient has no single identifier of the "
                                 "system the clinic's patients are registered under")
    return values.pop()


def feedback_items(raw: bytes) -> list[FeedbackItem]:
    body = _json_object(raw)
    items = body.get("feedback")
    if not isinstance(items, list) or len(items) > _MAX_FEEDBACK:
        raise _invalid(f"feedback is required (an array of at most {_MAX_FEEDBACK} items)")
    return [_item(i, item) for i, item in enumerate(items)]


def _item(index: int, item: object) -> FeedbackItem:
    where = f"feedback[{index}]."
    if not isinstance(item, dict):
        raise _invalid(f"feedback[{index}] must be an object")
    card = _text(item, "card", where)
    outcome = _text(item, "outcome", where)
    if outcome not in ("accepted", "overridden"):
        raise _invalid(f"{where}outcome must be 'accepted' or 'overridden'")
    when = _timestamp(_text(item, "outcomeTimestamp", where), where)
    accepted = item.get("acceptedSuggestions", [])
    if not isinstance(accepted, list) or not all(
            isinstance(a, dict) and isinstance(a.get("id"), str) for a in accepted):
        raise _invalid(f"{where}acceptedSuggestions must be an array of {{id}}")
    if outcome == "accepted" and not accepted:
        raise _invalid(f"{where}acceptedSuggestions is required for an accepted outcome")
    reason = item.get("overrideReason")
    coding = reason.get("reason") if isinstance(reason, dict) else None
    if (reason is not None and not isinstance(reason, dict)) or \
            (coding is not None and not isinstance(coding, dict)):
        raise _invalid(f"{where}overrideReason must be an object with a reason Coding")
    code = coding or {}
    return FeedbackItem(
        card=card[:64], outcome=outcome, outcome_at=when,
        accepted_suggestions=tuple(str(a["id"])[:64] for a in accepted),
        reason_system=_short(code.get("system"), 255), reason_code=_short(code.get("code"), 128),
        reason_display=_short(code.get("display"), 255))


def _short(value: object, limit: int) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


def _timestamp(text: str, where: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _invalid(f"{where}outcomeTimestamp must be an ISO 8601 instant") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)
