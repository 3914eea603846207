"""The CDS Hooks 2.0 endpoints, outside ``/api/v1`` where the specification puts them:

* ``GET /cds-services`` - discovery (public: it names services, no patient data);
* ``POST /cds-services/{id}`` - a hook call from an allow-listed CDS client (signed JWT);
  ``{"cards": [...]}``, 400 for a malformed request, 401 for a refused client, 404 for an
  unknown service, 412 when the patient's course cannot be found;
* ``POST /cds-services/{id}/feedback`` - what the clinician did with the cards.

Routes only translate: the request into :class:`HookCall` (the face reads the FHIR), the
service's cards into JSON. Every call that reaches a record is audited (the audit
middleware covers ``/cds-services/``), with the client's issuer as the actor.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from isocourse.adapters.api.auth import access_of
from isocourse.adapters.api.problems import ApiProblem, problem_response
from isocourse.adapters.fhir.cds.auth import (
    app_base,
    authenticate_cds_client,
    registry_from_settings,
)
from isocourse.adapters.fhir.cds.discovery import SERVICES, Service, discovery
from isocourse.adapters.fhir.cds.orders import read_isotretinoin_orders
from isocourse.adapters.fhir.cds.render import advice_json
from isocourse.adapters.fhir.cds.request import feedback_items, hook_body, patient_key
from isocourse.bootstrap import Clinic
from isocourse.services.cds.advice import CdsDataUnavailable, advise
from isocourse.services.cds.feedback import record_feedback
from isocourse.services.cds.hooks import Hook, HookCall
from isocourse.services.ports import UnitOfWorkFactory

__all__ = ["PATH", "cds_router"]

PATH = "/cds-services"


def _service(service_id: str) -> Service:
    service = SERVICES.get(service_id)
    if service is None:
        raise ApiProblem(404, "not-found", "no such CDS service (GET /cds-services lists them)")
    return service


def _uows(request: Request, clinic: Clinic) -> UnitOfWorkFactory:
    access = access_of(request)
    return clinic.uows if access is None else clinic.uows.for_access(access, clinic.clock.now)


def cds_router(clinic: Clinic) -> APIRouter:
    """The CDS endpoints over ``clinic``, with its allow-list of clients (read now)."""
    registry = registry_from_settings(clinic.settings)
    router = APIRouter(tags=["cds-hooks"])

    @router.get(PATH, name="cds_discovery", summary="CDS Hooks discovery")
    def cds_discovery() -> dict[str, Any]:
        return discovery()

    @router.post(PATH + "/{service_id}", name="cds_service", summary="Call a CDS service",
                 response_model=None)
    async def cds_service(service_id: str, request: Request) -> JSONResponse:
        service = _service(service_id)
        actor = await run_in_threadpool(authenticate_cds_client, request, registry,
                                        endpoints=[f"{PATH}/{service_id}"])
        body = hook_body(await request.body(), service.hook)
        context = body["context"]
        read = []
        if service.hook is not Hook.PATIENT_VIEW:
            selections = context["selections"] if service.hook is Hook.ORDER_SELECT else None
            read = read_isotretinoin_orders(context["draftOrders"], selections)
            if not read:  # no isotretinoin in the order: nothing to say, no record read
                return JSONResponse({"cards": []})
        try:
            call = HookCall(service_id=service.id, hook=service.hook,
                            patient_key=patient_key(body, clinic.settings
                                                    .cds_patient_identifier_system),
                            orders=tuple(r.order for r in read))
            advice = await run_in_threadpool(
                lambda: advise(call, uows=_uows(request, clinic), clock=clinic.clock,
                               actor=actor, rules=clinic.rules))
        except CdsDataUnavailable as unavailable:
            return problem_response(412, unavailable.code, unavailable.message)
        orders = {r.order.order_id: r.resource for r in read}
        return JSONResponse(advice_json(advice, app_base=app_base(request), orders=orders))

    @router.post(PATH + "/{service_id}/feedback", name="cds_feedback",
                 summary="Feedback on a CDS service's cards", response_model=None)
    async def cds_feedback(service_id: str, request: Request) -> JSONResponse:
        _service(service_id)
        actor = await run_in_threadpool(
            authenticate_cds_client, request, registry,
            endpoints=[f"{PATH}/{service_id}/feedback", f"{PATH}/{service_id}"])
        items = feedback_items(await request.body())
        result = await run_in_threadpool(
            lambda: record_feedback(service_id, items, uows=_uows(request, clinic),
                                    clock=clinic.clock, actor=actor))
        return JSONResponse({"stored": result.stored, "unknown": result.unknown})

    return router
