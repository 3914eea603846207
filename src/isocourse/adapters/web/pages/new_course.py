"""A new patient and their course, a further course for a known patient, and the patient's
overview page.

Two steps, nothing saved before the second: "Show plan" reads the form and shows the
planner's plan (the very ``plan_course`` call ``courses.start_course`` makes); "Save and
start course" registers the patient (when new), starts the course and records the
eligibility checklist in the course's ``extensions`` (``{"isocourse": {"eligibility":
...}}``, saved with the course in one transaction), then
sends the browser to the course page. A save whose inputs differ from those of the plan
shown is not saved: the new plan is shown first.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from isocourse.adapters.web.forms import Form, empty_form, read_form
from isocourse.adapters.web.pages import new_course_form as cf
from isocourse.adapters.web.pages.clinic import PROGRAMMES, programme_name
from isocourse.adapters.web.ports import WebPorts
from isocourse.adapters.web.rendering import render
from isocourse.adapters.web.signed_in import WebUserDep
from isocourse.domain.dates import age_on
from isocourse.domain.errors import Conflict, InvalidInput, RecordError
from isocourse.domain.planner import PlanRequest, plan_course
from isocourse.domain.record import Jurisdiction
from isocourse.domain.severity import GAGS_LESIONS, GAGS_MAX, GAGS_REGIONS, IGA_GRADES
from isocourse.services import courses
from isocourse.services.access import Action, require
from isocourse.services.stored import PatientRow

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _context(ports: WebPorts, form: Form, patient: PatientRow | None,
             prior: list[Any], plan_view: cf.PlanView | None,
             notice: dict[str, str] | None = None) -> dict[str, Any]:
    rules = ports.clinic.rules
    today = ports.clinic.clock.today()
    product = cf.chosen_product(form, rules.catalog)
    weight = cf.chosen_weight(form)
    doses = cf.dose_choices(product, weight, severe=form.checkbox("severe"),
                            current=plan_view.plan if plan_view else None) \
        if product is not None and weight is not None else None
    eligibility = cf.read_eligibility(Form(values=dict(form.values)), today)
    return {
        "form": form, "patient": patient, "prior": prior, "plan_view": plan_view,
        "flash": notice, "doses": doses, "gags": eligibility.gags,
        "gags_partial": eligibility.gags_partial,
        "action_url": f"/patients/{patient.id}/courses/new" if patient else "/patients/new",
        "products": cf.product_options(rules.catalog), "product": product,
        "programmes": [(j.value, PROGRAMMES[j.value]) for j in Jurisdiction],
        "lab_profiles": cf.lab_profiles(rules),
        "dose_labels": cf.dose_labels(product, rules.catalog),
        "iga_grades": IGA_GRADES, "gags_regions": GAGS_REGIONS, "gags_lesions": GAGS_LESIONS,
        "gags_max": GAGS_MAX, "programme_name": programme_name,
        "age": age_on(patient.birth_date, today) if patient else None,
    }


def _page(request: Request, ports: WebPorts, form: Form, patient: PatientRow | None,
          prior: list[Any], plan_view: cf.PlanView | None = None, *, status: int = 200,
          notice: dict[str, str] | None = None) -> Response:
    return render(request, "prescriber/new_course.html",
                  _context(ports, form, patient, prior, plan_view, notice),
                  status_code=status)


def _prefill(prior: list[Any]) -> Form:
    """A further course starts from the settings of the patient's latest course."""
    form = empty_form(target_mg_per_kg="120", dose_choice="low", lab_profile="default")
    if prior:
        info = max(prior, key=lambda h: h.number).info
        form.values.update(jurisdiction=info.jurisdiction.value, product=info.product,
                           lab_profile=info.lab_profile)
        if info.home_tests_allowed:
            form.values["home_tests_allowed"] = "on"
    return form


@router.get("/patients/new")
def new_patient(request: Request, user: WebUserDep, ports: WebPorts) -> Response:
    require(ports.actor, Action.REGISTER_PATIENT)
    return _page(request, ports, _prefill([]), None, [])


@router.get("/patients/{patient_id}/courses/new")
def new_course(patient_id: str, request: Request, user: WebUserDep,
               ports: WebPorts) -> Response:
    require(ports.actor, Action.CHANGE_COURSE)
    patient, prior = courses.get_patient(patient_id, **ports.read)
    return _page(request, ports, _prefill(prior), patient, prior)


@router.post("/patients/new")
async def new_patient_submit(request: Request, user: WebUserDep,
                             ports: WebPorts) -> Response:
    require(ports.actor, Action.REGISTER_PATIENT)
    return await _submit(request, ports, None, [])


@router.post("/patients/{patient_id}/courses/new")
async def new_course_submit(patient_id: str, request: Request, user: WebUserDep,
                            ports: WebPorts) -> Response:
    require(ports.actor, Action.CHANGE_COURSE)
    patient, prior = courses.get_patient(patient_id, **ports.read)
    return await _submit(request, ports, patient, prior)


async def _submit(request: Request, ports: WebPorts, patient: PatientRow | None,
                  prior: list[Any]) -> Response:
    form = await read_form(request)
    today = ports.clinic.clock.today()
    action = cf.apply_dose_button(form)
    if action == "gags":  # the GAGS total without JavaScript: nothing else is checked
        checked = cf.read_eligibility(form, today)
        form.errors = {k: v for k, v in form.errors.items() if k.startswith("gags")}
        form.summary = None
        return _page(request, ports, form, patient, prior, status=200 if checked.ok else 422)
    eligibility = cf.read_eligibility(form, today)
    new = cf.read_patient(form, today) if patient is None else None
    inputs = cf.read_course(form, ports.clinic.rules)
    if patient is not None and any(c.ended_on is None for c in prior):
        form.summary = ("This patient has a course that has not ended. Record its end on "
                        "the course page before starting another.")
    if not form.ok or inputs is None or (patient is None and new is None):
        return _page(request, ports, form, patient, prior, status=422)
    if patient is not None:
        birth = patient.birth_date
    else:
        assert new is not None
        birth = new.birth_date
    start = inputs.start_date or today
    try:
        plan = plan_course(PlanRequest(
            product_id=inputs.product, weight=inputs.weight_kg, mg_per_kg=inputs.mg_per_kg,
            start_date=start, start_mg_per_kg=inputs.start_mg_per_kg,
            start_days=inputs.start_days, target_mg_per_kg=inputs.target_mg_per_kg,
            severe=inputs.severe, age_years=age_on(birth, start)), ports.clinic.rules.catalog)
    except InvalidInput as error:
        cf.place_plan_error(form, error, new_patient=patient is None)
        return _page(request, ports, form, patient, prior, status=422)
    key = cf.plan_key(form)
    view = cf.PlanView(plan, key, eligibility, inputs.start_date is None)
    if action != "save":
        return _page(request, ports, form, patient, prior, view)
    if form.value("plan_key") != key:
        return _page(request, ports, form, patient, prior, view, status=409, notice={
            "kind": "warning", "text": "The form changed after the plan was shown, so "
            "nothing was saved. Check this plan, then save it."})
    return _save(request, ports, form, patient, prior, view, inputs, new)


def _save(request: Request, ports: WebPorts, form: Form, patient: PatientRow | None,
          prior: list[Any], view: cf.PlanView, inputs: cf.CourseInputs,
          new: cf.NewPatient | None) -> Response:
    if patient is None:
        assert new is not None
        try:
            patient = courses.register_patient(courses.RegisterPatient(
                external_id=new.external_id, birth_date=new.birth_date,
                can_get_pregnant=new.can_get_pregnant), **ports.kw_no_rules)
        except Conflict:
            form.error("external_id", "A patient with this id is already registered. Find "
                       "them from the dashboard's search to start a further course.")
            return _page(request, ports, form, None, prior, view, status=409)
        except InvalidInput as error:
            form.absorb(error, {"external_id": "external_id", "birth_date": "birth_date"})
            return _page(request, ports, form, None, prior, view, status=422)
        registered = True
    else:
        registered = False
    try:
        course = courses.start_course(courses.StartCourse(
            patient_id=patient.id, jurisdiction=Jurisdiction(inputs.jurisdiction),
            product=inputs.product, weight_kg=inputs.weight_kg, mg_per_kg=inputs.mg_per_kg,
            start_date=inputs.start_date, target_mg_per_kg=inputs.target_mg_per_kg,
            start_mg_per_kg=inputs.start_mg_per_kg, start_days=inputs.start_days,
            severe=inputs.severe, lab_profile=inputs.lab_profile,
            home_tests_allowed=inputs.home_tests_allowed,
            extensions=cf.eligibility_extension(view.eligibility)), **ports.kw)
    except (InvalidInput, RecordError, Conflict) as error:
        if isinstance(error, InvalidInput):
            cf.place_plan_error(form, error, new_patient=False)
        elif isinstance(error, Conflict) and "should not start before" in error.message:
            form.error("start_date", error.message[0].upper() + error.message[1:] + ".")
        else:
            form.absorb(error, cf.SERVICE_FIELDS)
        _, prior = courses.get_patient(patient.id, **ports.read)
        notice = {"kind": "warning", "text": f"Patient {patient.external_id} was registered; "
                  "the course was not started. Correct the form and save again."} \
            if registered else None
        return _page(request, ports, form, patient, prior, view,
                     status=409 if isinstance(error, Conflict) else 422, notice=notice)
    return RedirectResponse(f"/courses/{course.header.id}", status_code=303)


@router.get("/patients/{patient_id}")
def patient_overview(patient_id: str, request: Request, user: WebUserDep,
                     ports: WebPorts) -> Response:
    patient, prior = courses.get_patient(patient_id, **ports.read)
    today = ports.clinic.clock.today()
    listed = sorted(prior, key=lambda h: h.number, reverse=True)
    return render(request, "prescriber/patient.html", {
        "patient": patient, "courses": listed, "age": age_on(patient.birth_date, today),
        "active": next((h for h in listed if h.ended_on is None), None),
        "eligibility": {h.id: cf.eligibility_words(h.extensions) for h in listed},
        "programme_name": programme_name,
        "may_start": user.role in ("prescriber", "delegate"),
    })
