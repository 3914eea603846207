"""What the exported Bundle says, element by element (docs/explanation/fhir-mapping.md)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from isocourse.adapters.fhir.codes import in_concept, is_isotretinoin, tables
from isocourse.adapters.fhir.mapping import bundle_to_course, course_to_bundle
from isocourse.catalog import load_catalog
from isocourse.domain.planner import PlanRequest, plan_course
from isocourse.domain.record import parse_record
from isocourse.rules.model import Assessment, Cumulative, Finding, Severity
from tests.unit.fhir.bundles import coded, example_bundle, example_record, resource
from tests.unit.record.record_strategies import example

LOINC = "http://loinc.org"
EXT = "https://isocourse.dev/fhir/StructureDefinition/"


def _codes(concept: dict[str, Any]) -> set[tuple[str, str]]:
    return {(c["system"], c["code"]) for c in concept["coding"]}


def _ext(found: dict[str, Any], name: str) -> Any:
    (value,) = [
        {k: v for k, v in e.items() if k != "url"}
        for e in found.get("extension", [])
        if e["url"] == EXT + name
    ]
    return next(iter(value.values()))


def _bundle_of(doc: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return course_to_bundle(parse_record(doc), **kwargs)


def test_the_bundle_starts_with_patient_acne_course_and_weight_at_enrollment() -> None:
    types = [e["resource"]["resourceType"] for e in example_bundle()["entry"][:4]]
    assert types == ["Patient", "Condition", "MedicationRequest", "Observation"]


def test_the_patient_carries_the_opaque_id_birth_date_and_risk_category_and_no_name() -> None:
    patient = resource(example_bundle(), "Patient")
    assert patient["identifier"][0]["value"] == "p-0001"
    assert patient["birthDate"] == "2008-04-02"
    assert _ext(patient, "can-get-pregnant") is True
    assert "name" not in patient


def test_every_medication_is_isotretinoin_by_codes_of_the_value_set() -> None:
    bundle = example_bundle()
    medications = [
        e["resource"]["medicationCodeableConcept"]
        for e in bundle["entry"]
        if "medicationCodeableConcept" in e["resource"]
    ]
    assert len(medications) == 4  # course, prescription, dispense, dose
    assert all(is_isotretinoin(m) for m in medications)


def test_the_course_is_a_plan_that_prescriptions_are_based_on() -> None:
    bundle = example_bundle()
    course = resource(bundle, "MedicationRequest", lambda r: r["intent"] == "plan")
    prescription = resource(bundle, "MedicationRequest", lambda r: r["intent"] == "order")
    course_url = next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is course)
    assert prescription["basedOn"] == [{"reference": course_url}]
    assert _ext(course, "jurisdiction") == "us-ipledge"
    assert course["dosageInstruction"][0]["timing"]["repeat"]["boundsPeriod"] == {
        "start": "2026-10-03"
    }


def test_a_prescription_gives_the_daily_total_as_mg_per_day_and_the_supply_in_days() -> None:
    prescription = resource(example_bundle(), "MedicationRequest", lambda r: r["intent"] == "order")
    ratio = prescription["dosageInstruction"][0]["doseAndRate"][0]["rateRatio"]
    assert (ratio["numerator"]["value"], ratio["numerator"]["code"]) == (40, "mg")
    assert (ratio["denominator"]["value"], ratio["denominator"]["code"]) == (1, "d")
    supply = prescription["dispenseRequest"]
    assert supply["expectedSupplyDuration"]["value"] == 30
    assert supply["numberOfRepeatsAllowed"] == 0


def test_a_lab_result_has_loinc_for_its_unit_ucum_units_and_the_uln_as_reference_high() -> None:
    bundle = example_bundle()
    alt = resource(bundle, "Observation", coded("alt"))
    assert (LOINC, "1742-6") in _codes(alt["code"])
    assert alt["valueQuantity"] == {
        "value": 22,
        "unit": "U/L",
        "system": "http://unitsofmeasure.org",
        "code": "U/L",
    }
    assert alt["referenceRange"][0]["high"]["value"] == 40
    triglycerides = resource(bundle, "Observation", coded("triglycerides"))
    assert (LOINC, "14927-8") in _codes(triglycerides["code"])  # mmol/L: the moles code
    assert (LOINC, "2571-8") not in _codes(triglycerides["code"])


def test_an_analyte_without_a_loinc_code_for_its_unit_keeps_only_the_isocourse_code() -> None:
    doc = example()
    doc["events"] = [
        {"type": "lab", "date": "2026-09-02", "analyte": "hdl", "value": 1.2, "unit": "mmol/L"}
    ]
    hdl = resource(_bundle_of(doc), "Observation", coded("hdl"))
    assert [c["system"] for c in hdl["code"]["coding"]] == [
        "https://isocourse.dev/fhir/CodeSystem/lab-analyte"
    ]


def test_no_code_is_written_that_states_a_fact_the_record_lacks() -> None:
    written = {
        (c["system"], c["code"])
        for e in example_bundle()["entry"]
        for c in _all_codings(e["resource"])
    }
    for code in tables().codes:
        if not code.written:
            assert (code.system, code.code) not in written, code


def _all_codings(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        found = list(value["coding"]) if isinstance(value.get("coding"), list) else []
        return found + [c for v in value.values() for c in _all_codings(v)]
    if isinstance(value, list):
        return [c for v in value for c in _all_codings(v)]
    return []


def test_a_pregnancy_test_result_is_snomed_and_its_setting_an_extension() -> None:
    test = resource(example_bundle(), "Observation", coded("pregnancy_test"))
    assert _codes(test["valueCodeableConcept"]) == {("http://snomed.info/sct", "60001007")}
    assert _ext(test, "test-setting") == "lab"


def test_a_phq9_is_a_response_with_nine_items_and_a_total_derived_from_it() -> None:
    bundle = example_bundle()
    index = next(
        i
        for i, e in enumerate(bundle["entry"])
        if e["resource"].get("questionnaire", "").endswith("/phq-9")
    )
    response, total = (bundle["entry"][index + k]["resource"] for k in (0, 1))
    assert [i["answer"][0]["valueInteger"] for i in response["item"]] == [0, 1, 0, 0, 1, 0, 0, 0, 0]
    assert [i["linkId"] for i in response["item"]] == [str(n) for n in range(1, 10)]
    assert total["valueInteger"] == 2
    assert (LOINC, "44261-6") in _codes(total["code"])
    assert total["derivedFrom"] == [{"reference": bundle["entry"][index]["fullUrl"]}]


def test_a_superseded_event_is_entered_in_error_and_its_correction_says_corrected() -> None:
    doc = example()
    doc["events"].insert(
        9,
        {
            "type": "pregnancy_test",
            "date": "2026-09-02",
            "result": "positive",
            "setting": "lab",
            "id": "hcg-1b",
            "supersedes": "hcg-1",
            "reason": "wrong sample",
        },
    )
    bundle = _bundle_of(doc)
    tests = [e["resource"] for e in bundle["entry"] if coded("pregnancy_test")(e["resource"])]
    assert [t["status"] for t in tests[:2]] == ["entered-in-error", "corrected"]
    assert _ext(tests[1], "supersedes") == {
        "identifier": {
            "system": "https://isocourse.dev/fhir/NamingSystem/event-id",
            "value": "hcg-1",
        }
    }


@pytest.mark.parametrize(("kind", "status"), [("dose", "entered-in-error"), ("side_effect", None)])
def test_a_superseded_dose_or_side_effect_is_retracted_and_keeps_its_data(
    kind: str,
    status: str | None,
) -> None:
    doc = example()
    position = next(i for i, e in enumerate(doc["events"]) if e["type"] == kind)
    doc["events"][position]["id"] = "wrong"
    doc["events"].append(
        {
            **doc["events"][position],
            "id": "right",
            "date": "2027-03-01",
            "supersedes": "wrong",
            "reason": "typed on the wrong day",
        }
    )
    record = parse_record(doc)
    bundle = course_to_bundle(record)
    retracted = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"].get("identifier", [{}])[0].get("value") == "wrong"
    )
    if status is not None:
        assert retracted["status"] == status
        assert _ext(retracted, "dose-taken") is True
    else:
        assert retracted["verificationStatus"]["coding"][0]["code"] == "entered-in-error"
    assert bundle_to_course(bundle) == record


def test_a_transaction_creates_every_resource_by_post() -> None:
    bundle = course_to_bundle(example_record(), bundle_type="transaction")
    assert {json.dumps(e["request"]) for e in bundle["entry"]} == {
        json.dumps({"method": "POST", "url": e["resource"]["resourceType"]})
        for e in bundle["entry"]
    }


def _assessment() -> Assessment:
    findings = (
        Finding("us-ipledge.window", Severity.INFO, "window open", "iPLEDGE guide"),
        Finding("us-ipledge.positive-test", Severity.URGENT, "positive test", "label"),
        Finding("monitoring.alt", Severity.WARNING, "ALT raised", "CTCAE v5"),
        Finding("us-ipledge.comprehension", Severity.BLOCK, "questions due", "guide"),
    )
    return Assessment(
        as_of=dt.date(2026, 10, 8),
        jurisdiction="us-ipledge",
        rule_set="us-ipledge@2026-08-08",
        rule_sets=("us-ipledge@2026-08-08",),
        dispense_allowed=False,
        window=None,
        cumulative=Cumulative(Decimal(0), Decimal(0), "raw"),
        findings=findings,
        due=(),
    )


def test_each_finding_is_a_detected_issue_with_its_rule_severity_and_source() -> None:
    bundle = course_to_bundle(example_record(), assessment=_assessment())
    issues = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "DetectedIssue"
    ]
    assert [i["code"]["coding"][0]["code"] for i in issues] == [
        "us-ipledge.window",
        "us-ipledge.positive-test",
        "monitoring.alt",
        "us-ipledge.comprehension",
    ]
    assert [i["severity"] for i in issues] == ["low", "high", "moderate", "high"]
    assert [_ext(i, "finding-severity") for i in issues] == ["info", "urgent", "warning", "block"]
    assert issues[2]["detail"] == "ALT raised" and _ext(issues[2], "rule-source") == "CTCAE v5"
    assert {i["identifiedDateTime"] for i in issues} == {"2026-10-08"}


def _plan() -> Any:
    request = PlanRequest(
        product_id="us-conventional",
        weight=Decimal(60),
        mg_per_kg=Decimal(1),
        start_date=dt.date(2026, 10, 3),
        start_mg_per_kg=Decimal("0.5"),
        start_days=30,
    )
    return plan_course(request, load_catalog())


def test_a_plan_is_a_careplan_with_a_phase_per_activity_and_the_target_as_goal() -> None:
    plan = _plan()
    bundle = course_to_bundle(example_record(), plan=plan)
    careplan = resource(bundle, "CarePlan")
    assert careplan["period"] == {"start": "2026-10-03", "end": plan.end_date.isoformat()}
    assert len(careplan["activity"]) == len(plan.phases) == 2
    first = careplan["activity"][0]["detail"]
    assert first["scheduledPeriod"]["start"] == "2026-10-03"
    assert first["dailyAmount"]["value"] == plan.phases[0].dose.total_mg
    (goal,) = careplan["contained"]
    assert goal["target"][0]["detailQuantity"]["value"] == float(plan.target_mg)
    assert in_concept(resource(bundle, "Condition")["code"], "acne")


def test_derived_outputs_are_skipped_on_import() -> None:
    record = example_record()
    bundle = course_to_bundle(record, assessment=_assessment(), plan=_plan())
    assert bundle_to_course(bundle) == record
