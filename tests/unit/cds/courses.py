"""Courses for the CDS card tests, built in memory exactly as the server loads them from
storage (a planned course record, parsed by the core's parser), with no database."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from isocourse.catalog import load_catalog, load_rule_library
from isocourse.domain.plan_json import plan_to_json
from isocourse.domain.planner import PlanRequest, plan_course
from isocourse.domain.record import CourseInfo, Jurisdiction, parse_record
from isocourse.rules.model import RulePack
from isocourse.services.cds.view import CourseView, course_view
from isocourse.services.course_store import LoadedCourse, record_document
from isocourse.services.ports import Rulebook
from isocourse.services.stored import CourseHeader, PatientRow, StoredEvent
from tests.support.courses import READY_DAY, ready_history

__all__ = ["READY_DAY", "RULES", "course", "ready", "rules_with", "view"]

RULES = Rulebook(catalog=load_catalog(None), library=load_rule_library(None, None))
_AT = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)


def course(history: Sequence[Mapping[str, Any]], *, can_get_pregnant: bool = True,
           product: str = "us-conventional",
           jurisdiction: Jurisdiction = Jurisdiction.US_IPLEDGE,
           weight: Decimal = Decimal(60), start: dt.date | None = dt.date(2026, 10, 3),
           target: Decimal = Decimal(120), planned: bool = True,
           ended_on: dt.date | None = None, rules: Rulebook = RULES) -> LoadedCourse:
    patient = PatientRow(id="patient-1", clinic_id="main", external_id="p-0001",
                         birth_date=dt.date(2004, 4, 2), can_get_pregnant=can_get_pregnant,
                         created_at=_AT, created_by="tests")
    plan = None
    if planned:
        plan = plan_to_json(plan_course(PlanRequest(
            product_id=product, weight=weight, mg_per_kg=Decimal("0.5"),
            start_date=start or dt.date(2026, 10, 3), target_mg_per_kg=target, age_years=22),
            rules.catalog))
    header = CourseHeader(
        id="course-1", patient_id=patient.id, clinic_id="main", number=1,
        info=CourseInfo(jurisdiction=jurisdiction, product=product, start_date=start),
        weight_kg=weight, version=1, created_at=_AT, created_by="tests", ended_on=ended_on,
        plan=plan)
    events = tuple(StoredEvent(
        course_id=header.id, seq=i, type=str(body["type"]),
        date=dt.date.fromisoformat(str(body["date"])), body={**body, "id": f"e{i}"},
        recorded_at=_AT, recorded_by="tests", event_id=f"e{i}")
        for i, body in enumerate(history))
    record = parse_record(record_document(patient, header, events),
                          known_products=rules.catalog.products)
    return LoadedCourse(header, patient, events, record)


def ready(*extra: Mapping[str, Any], **options: Any) -> LoadedCourse:
    """The US course ready for its first dispense on READY_DAY (tests/support/courses.py),
    with a prescription of 30 mg a day for 30 days written that day, and ``extra``."""
    rx = {"type": "prescription", "date": "2026-10-01", "daily_mg": 30, "days_supply": 30}
    return course([*ready_history(), rx, *extra], **options)


def view(loaded: LoadedCourse, on: dt.date = READY_DAY, rules: Rulebook = RULES) -> CourseView:
    return course_view(loaded, on, rules)


def rules_with(rule_id: str, **params: Any) -> Rulebook:
    """The packaged rules with some parameters of one rule changed in every pack."""
    packs: list[RulePack] = []
    for pack in RULES.library.packs:
        rules = []
        for spec in pack.rules:
            if spec.id == rule_id:
                changed = {name: dataclasses.replace(spec.params[name], value=value)
                           for name, value in params.items()}
                spec = dataclasses.replace(spec, params={**spec.params, **changed})
            rules.append(spec)
        packs.append(dataclasses.replace(pack, rules=tuple(rules)))
    return Rulebook(catalog=RULES.catalog,
                    library=dataclasses.replace(RULES.library, packs=tuple(packs)))
