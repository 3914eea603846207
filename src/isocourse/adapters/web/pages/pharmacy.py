"""The pharmacist's pages: look up a prescription or an authorization, authorize, record
the dispense (capsules by strength), reverse an unused authorization.

References are typed into POST forms, never put in a query string (house rule); an
authorization has its own page under its code (``/pharmacy/authorizations/{code}``), as
in the API. Every verdict comes from the services: :mod:`services.pharmacy_lookup` says
whether a prescription may be authorized or an authorization used today, and why not;
:mod:`services.dispensing` acts. A recorded dispense carries an idempotency key made when
the form was drawn, so a double-submitted form dispenses once.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from isocourse.adapters.api.auth import access_of
from isocourse.adapters.api.deps import Ports
from isocourse.adapters.web.forms import Form, empty_form, read_form
from isocourse.adapters.web.ports import WebPorts
from isocourse.adapters.web.rendering import render
from isocourse.adapters.web.signed_in import WebUserDep
from isocourse.domain.errors import Conflict, DispenseNotAllowed, Hidden, InvalidInput, NotFound
from isocourse.services import dispensing
from isocourse.services.access import Action, may, require
from isocourse.services.ids import normalize_code
from isocourse.services.pharmacy_lookup import (
    AuthorizationCheck,
    PrescriptionLookup,
    Reason,
    check_authorization,
    look_up_prescription,
)
from isocourse.services.stored import AuthorizationRow, AuthorizationStatus

__all__ = ["GrantView", "grant_view", "router", "sentence"]

router = APIRouter(include_in_schema=False)

NOT_FOUND = ("No prescription or authorization with that reference. Check it against the "
             "prescription or the message from the clinic.")


def sentence(text: str) -> str:
    """A message from the services (``the window closed on …``) as a sentence."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


@dataclass(frozen=True, slots=True)
class GrantView:
    """An authorization's status in plain words: ``label`` (granted, expired, dispensed,
    reversed), the badge kind, and a line saying when and why."""

    code: str
    label: str
    badge: str
    detail: str


def _day(instant: dt.datetime | None, zone: ZoneInfo) -> dt.date | None:
    return instant.astimezone(zone).date() if instant is not None else None


def _long(day: dt.date | None) -> str:
    return "—" if day is None else f"{day.day} {day:%b %Y}"


def grant_view(row: AuthorizationRow, today: dt.date, zone: ZoneInfo) -> GrantView:
    if row.status is AuthorizationStatus.DISPENSED:
        return GrantView(row.code, "dispensed", "neutral",
                         f"Dispensed on {_long(_day(row.dispensed_at, zone))}.")
    if row.status is AuthorizationStatus.REVERSED:
        why = f": {row.reversal_reason}" if row.reversal_reason else ""
        return GrantView(row.code, "reversed", "block",
                         f"Reversed on {_long(_day(row.reversed_at, zone))}{why}.")
    if today > row.do_not_dispense_after:
        return GrantView(row.code, "expired", "warning",
                         f"Not used by {_long(row.do_not_dispense_after)}: it can no longer "
                         "be used.")
    return GrantView(row.code, "granted", "ok",
                     f"Not yet dispensed; can be used until {_long(row.do_not_dispense_after)}.")


def _reasons(reasons: tuple[Reason, ...]) -> list[dict[str, str | None]]:
    return [{"message": sentence(r.message), "rule_id": r.rule_id, "source": r.source}
            for r in reasons]


def _problem(title: str, error: Conflict | InvalidInput, *, shown_below: bool
             ) -> dict[str, Any]:
    """What stopped a change, in the service's words. A refusal by the safety rules lists
    its reasons, unless the page shows them (with their sources) below already."""
    if isinstance(error, DispenseNotAllowed) and error.reasons:
        if shown_below:
            return {"title": title, "reasons": [],
                    "text": "The safety rules do not allow dispensing today: the reasons "
                            "and their sources are below."}
        return {"title": title, "text": "",
                "reasons": _reasons(tuple(Reason(m, rule) for rule, m in error.reasons))}
    return {"title": title, "text": sentence(error.message), "reasons": []}


def _zone(ports: Ports) -> ZoneInfo:
    return ports.clinic.settings.zone


# -- look-up -------------------------------------------------------------------------------

def _lookup_page(request: Request, form: Form, status: int = 200) -> Response:
    return render(request, "pharmacy/lookup.html", {"form": form}, status_code=status)


@router.get("/pharmacy")
def lookup_page(request: Request, user: WebUserDep) -> Response:
    require(user.actor, Action.READ_AUTHORIZATION)
    return _lookup_page(request, empty_form())


def _prescription_page(request: Request, ports: Ports, found: PrescriptionLookup,
                       form: Form, *, problem: dict[str, Any] | None = None,
                       status: int = 200) -> Response:
    zone = _zone(ports)
    return render(request, "pharmacy/prescription.html", {
        "rx": found, "reasons": _reasons(found.reasons), "form": form, "problem": problem,
        "grants": [(row, grant_view(row, found.as_of, zone)) for row in found.authorizations],
        "may_authorize": may(ports.actor, Action.REQUEST_AUTHORIZATION),
    }, status_code=status)


def _deny(request: Request) -> None:
    """Note in the audit trail that a reference out of reach was tried (shown to the person
    exactly like an unknown one)."""
    access = access_of(request)
    if access is not None:
        access.denied = True


@router.post("/pharmacy/lookup")
async def look_up(request: Request, ports: WebPorts) -> Response:
    form = await read_form(request)
    reference = form.text("reference", max_length=100)
    if reference is None:
        if not form.value("reference").strip():
            form.errors["reference"] = "Enter the prescription reference or the " \
                "authorization code."
        return _lookup_page(request, form, 422)
    for candidate in dict.fromkeys((reference, reference.lower())):
        try:
            found = look_up_prescription(candidate, **ports.kw)
        except Hidden:
            _deny(request)
        except NotFound:
            pass
        except Conflict as clash:  # the same id on two courses: only the API can choose
            form.error("reference", sentence(clash.message))
            return _lookup_page(request, form, 409)
        else:
            return _prescription_page(request, ports, found, empty_form())
    try:
        row = dispensing.get_authorization(reference, **ports.read)
    except Hidden:
        _deny(request)
    except NotFound:
        pass
    else:
        return RedirectResponse(f"/pharmacy/authorizations/{row.code}", status_code=303)
    form.error("reference", NOT_FOUND)
    return _lookup_page(request, form, 404)


@router.post("/pharmacy/authorize")
async def authorize(request: Request, ports: WebPorts) -> Response:
    require(ports.actor, Action.REQUEST_AUTHORIZATION)
    form = await read_form(request)
    prescription_id = form.text("prescription_id", max_length=100)
    course_id = form.text("course_id", required=False, max_length=100)
    pharmacy = form.text("pharmacy", required=False, max_length=200)
    if prescription_id is None:
        lookup = empty_form()
        lookup.summary = "Look the prescription up first."
        return _lookup_page(request, lookup, 422)
    try:
        if not form.ok:
            found = look_up_prescription(prescription_id, **ports.kw)
            return _prescription_page(request, ports, found, form, status=422)
        row, _ = dispensing.request_authorization(dispensing.AuthorizationRequest(
            prescription_id=prescription_id, course_id=course_id, pharmacy=pharmacy),
            **ports.kw)
    except NotFound:
        lookup = empty_form(reference=prescription_id)
        lookup.error("reference", NOT_FOUND)
        return _lookup_page(request, lookup, 404)
    except Conflict as refused:  # DispenseNotAllowed too: nothing was granted
        found = look_up_prescription(prescription_id, **ports.kw)
        problem = _problem("No authorization was made", refused, shown_below=not found.allowed)
        return _prescription_page(request, ports, found, form, problem=problem, status=409)
    return RedirectResponse(f"/pharmacy/authorizations/{row.code}", status_code=303)


# -- an authorization ----------------------------------------------------------------------

def _authorization_page(request: Request, ports: Ports, check: AuthorizationCheck, *,
                        dispense_form: Form | None = None, reverse_form: Form | None = None,
                        problem: dict[str, Any] | None = None, status: int = 200) -> Response:
    row = check.authorization
    dispense = dispense_form or empty_form(idempotency_key=secrets.token_urlsafe(24))
    plan = check.capsules
    handed = ", ".join(f"{c.count} × {c.strength_mg} mg" for c in plan.total)
    return render(request, "pharmacy/authorization.html", {
        "check": check, "row": row, "reasons": _reasons(check.reasons),
        "grant": grant_view(row, check.as_of, _zone(ports)),
        "handed": handed, "dispense_form": dispense,
        "reverse_form": reverse_form or empty_form(), "problem": problem,
        "may_dispense": may(ports.actor, Action.DISPENSE),
        "may_reverse": may(ports.actor, Action.REVERSE_AUTHORIZATION)
        and row.status is AuthorizationStatus.GRANTED,
    }, status_code=status)


@router.get("/pharmacy/authorizations/{code}")
def authorization_page(code: str, request: Request, ports: WebPorts) -> Response:
    return _authorization_page(request, ports, check_authorization(code, **ports.kw))


def _after(request: Request, ports: Ports, code: str, error: Conflict | InvalidInput,
           title: str) -> Response:
    """The page again, with what stopped the change."""
    check = check_authorization(code, **ports.kw)
    problem = _problem(title, error, shown_below=not check.usable)
    status = 409 if isinstance(error, Conflict) else 422
    return _authorization_page(request, ports, check, problem=problem, status=status)


@router.post("/pharmacy/authorizations/{code}/dispense")
async def dispense(code: str, request: Request, ports: WebPorts) -> Response:
    require(ports.actor, Action.DISPENSE)
    form = await read_form(request)
    key = form.value("idempotency_key").strip()
    if not form.checkbox("confirm"):
        form.error("confirm", "Tick the box to confirm you have handed over these capsules.")
    if not key or len(key) > 255:
        form.summary = "This form is out of date: reload the page and try again."
    if not form.ok:
        return _authorization_page(request, ports, check_authorization(code, **ports.kw),
                                   dispense_form=form, status=422)
    try:
        dispensing.record_dispense(code, idempotency_key=key, **ports.kw)
    except (Conflict, InvalidInput) as refused:
        return _after(request, ports, code, refused, "The dispense was not recorded")
    return RedirectResponse(f"/pharmacy/authorizations/{normalize_code(code)}",
                            status_code=303)


@router.post("/pharmacy/authorizations/{code}/reverse")
async def reverse(code: str, request: Request, ports: WebPorts) -> Response:
    require(ports.actor, Action.REVERSE_AUTHORIZATION)
    form = await read_form(request)
    reason = form.text("reason", max_length=500)
    if reason is None and "reason" in form.errors and not form.value("reason").strip():
        form.errors["reason"] = "Say why the authorization is reversed."
    if reason is not None:
        try:
            dispensing.reverse_authorization(code, reason=reason, **ports.kw_no_rules)
        except InvalidInput as invalid:
            form.absorb(invalid, {"reason": "reason"})
        except Conflict as refused:
            return _after(request, ports, code, refused, "The authorization was not reversed")
        else:
            return RedirectResponse(f"/pharmacy/authorizations/{normalize_code(code)}",
                                    status_code=303)
    return _authorization_page(request, ports, check_authorization(code, **ports.kw),
                               reverse_form=form, status=422)
