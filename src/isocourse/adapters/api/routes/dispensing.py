"""Pharmacy dispense authorizations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Response, status

from isocourse.adapters.api.deps import PortsDep
from isocourse.adapters.api.schemas import AuthorizationIn, ReverseIn
from isocourse.services import dispensing

router = APIRouter(tags=["dispensing"])


@router.post("/authorizations", status_code=status.HTTP_201_CREATED, summary=(
    "Ask for a dispense authorization against a prescription"), responses={
    200: {"description": "the grant already made for this prescription, still usable"},
    409: {"description": "dispensing is not allowed; `reasons` say why"}})
def request_authorization(body: AuthorizationIn, response: Response,
                          ports: PortsDep) -> dict[str, Any]:
    row, new = dispensing.request_authorization(dispensing.AuthorizationRequest(
        course_id=body.course_id, prescription_id=body.prescription_id,
        pharmacy=body.pharmacy), **ports.kw)
    response.status_code = 201 if new else 200
    response.headers["Location"] = f"/api/v1/authorizations/{row.code}"
    return dispensing.authorization_to_json(row, ports.clinic.clock.today())


@router.get("/courses/{course_id}/authorizations",
            summary="Every authorization of a course, oldest first")
def course_authorizations(course_id: str, ports: PortsDep) -> dict[str, Any]:
    rows = dispensing.course_authorizations(course_id, uows=ports.uows,
                                            actor=ports.actor, rules=ports.clinic.rules)
    today = ports.clinic.clock.today()
    return {"items": [dispensing.authorization_to_json(row, today) for row in rows]}


@router.get("/authorizations/{code}", summary="An authorization and whether it can be used")
def get_authorization(code: str, ports: PortsDep) -> dict[str, Any]:
    row = dispensing.get_authorization(code, uows=ports.uows, actor=ports.actor)
    return dispensing.authorization_to_json(row, ports.clinic.clock.today())


@router.post("/authorizations/{code}/dispense", status_code=status.HTTP_201_CREATED,
             summary="Record the dispense: uses the authorization, exactly once")
def record_dispense(code: str, response: Response, ports: PortsDep,
                    idempotency_key: Annotated[str | None, Header(
                        max_length=255, description="Repeat a request safely: the same key "
                        "gets the first answer back, never a second dispense.")] = None
                    ) -> dict[str, Any]:
    result = dispensing.record_dispense(code, idempotency_key=idempotency_key, **ports.kw)
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return dict(result.body)


@router.post("/authorizations/{code}/reverse", summary="Reverse an authorization not used")
def reverse_authorization(code: str, body: ReverseIn, ports: PortsDep) -> dict[str, Any]:
    row = dispensing.reverse_authorization(code, reason=body.reason, **ports.kw_no_rules)
    return dispensing.authorization_to_json(row, ports.clinic.clock.today())


__all__ = ["router"]
