"""What an import accepts beyond isocourse's own Bundles: other codes of a value set, units
that convert exactly, any entry order, other systems' identifiers, extensions and elements."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from isocourse.adapters.fhir.mapping import bundle_to_course
from isocourse.adapters.fhir.mapping.common import exact_product
from isocourse.domain.record import Lab, LabAnalyte, LabUnit, Weight
from tests.unit.fhir.bundles import coded, example_bundle, example_record, resource

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"


def _event(bundle: dict[str, Any], kind: type[Any], analyte: LabAnalyte | None = None) -> Any:
    events = bundle_to_course(bundle).events_of(kind)
    return next(e for e in events if analyte is None or e.analyte is analyte)


@pytest.mark.parametrize("code", ["6064", "197845", "2262725", "1547567"])
def test_isotretinoin_is_recognised_by_any_code_of_its_value_set(code: str) -> None:
    bundle = example_bundle()
    for entry in bundle["entry"]:
        if "medicationCodeableConcept" in entry["resource"]:
            entry["resource"]["medicationCodeableConcept"] = {
                "coding": [{"system": RXNORM, "code": code}]
            }
    assert bundle_to_course(bundle) == example_record()


@pytest.mark.parametrize(
    ("ucum", "value", "unit", "expected"),
    [
        ("ukat/L", 0.5, LabUnit.U_PER_L, Decimal(30)),
        ("U/L", 22, LabUnit.U_PER_L, Decimal(22)),
    ],
)
def test_an_enzyme_in_a_unit_that_converts_exactly_is_read_in_the_record_unit(
    ucum: str,
    value: float,
    unit: LabUnit,
    expected: Decimal,
) -> None:
    bundle = example_bundle()
    alt = resource(bundle, "Observation", coded("alt"))
    alt["valueQuantity"].update(value=value, code=ucum, unit=ucum)
    del alt["referenceRange"]
    lab = _event(bundle, Lab, LabAnalyte.ALT)
    assert (lab.value, lab.unit) == (expected, unit)


def test_a_lipid_in_grams_per_litre_is_read_in_mg_per_dl() -> None:
    bundle = example_bundle()
    triglycerides = resource(bundle, "Observation", coded("triglycerides"))
    triglycerides["code"]["coding"] = [{"system": LOINC, "code": "2571-8"}]
    triglycerides["valueQuantity"].update(value=1.55, code="g/L", unit="g/L")
    lab = _event(bundle, Lab, LabAnalyte.TRIGLYCERIDES)
    assert (lab.value, lab.unit) == (Decimal(155), LabUnit.MG_PER_DL)


def test_a_weight_in_pounds_is_read_in_kg_exactly() -> None:
    bundle = example_bundle()
    weight = resource(
        bundle,
        "Observation",
        lambda r: r.get("effectiveDateTime") == "2026-10-20" and coded("29463-7")(r),
    )
    weight["valueQuantity"].update(value=132, code="[lb_av]", unit="lb")
    assert _event(bundle, Weight).kg == Decimal("59.87419284")


def test_a_lab_coded_only_with_loinc_is_read_as_its_analyte() -> None:
    bundle = example_bundle()
    alt = resource(bundle, "Observation", coded("alt"))
    alt["code"] = {"coding": [{"system": LOINC, "code": "1742-6"}]}
    assert bundle_to_course(bundle) == example_record()


def test_a_pregnancy_test_coded_with_the_urine_hcg_loinc_code_is_read() -> None:
    bundle = example_bundle()
    test = resource(bundle, "Observation", coded("pregnancy_test"))
    test["code"] = {"coding": [{"system": LOINC, "code": "2106-3"}]}
    assert bundle_to_course(bundle) == example_record()


def test_entries_in_any_order_give_a_valid_record_with_the_same_events_in_date_order() -> None:
    bundle = example_bundle()
    bundle["entry"].reverse()
    record = bundle_to_course(bundle)
    expected = example_record()
    assert sorted(map(repr, record.events)) == sorted(map(repr, expected.events))
    dates = [e.date for e in record.events]
    assert dates == sorted(dates)
    assert (record.patient, record.course) == (expected.patient, expected.course)


def test_other_systems_extensions_elements_and_identifiers_are_skipped() -> None:
    bundle = example_bundle()
    patient = resource(bundle, "Patient")
    patient["name"] = [{"family": "Doe"}]
    patient["identifier"].append({"system": "urn:oid:1.2.3", "value": "MRN"})
    patient["extension"].append({"url": "http://example.org/x", "valueString": "y"})
    enrollment = resource(bundle, "Observation", coded("enrollment"))
    enrollment["identifier"].append({"system": "urn:oid:1.2.3", "value": "obs-1"})
    enrollment["category"] = [{"text": "administrative"}]
    assert bundle_to_course(bundle) == example_record()


def test_a_patient_with_one_identifier_of_another_system_gets_that_id() -> None:
    bundle = example_bundle()
    resource(bundle, "Patient")["identifier"] = [{"system": "urn:oid:1.2.3", "value": "MRN-1"}]
    assert bundle_to_course(bundle).patient.id == "MRN-1"


def test_subjects_may_name_the_patient_by_type_and_id() -> None:
    bundle = example_bundle()
    resource(bundle, "Patient")["id"] = "p1"
    for entry in bundle["entry"][1:]:
        if "subject" in entry["resource"]:
            entry["resource"]["subject"] = {"reference": "Patient/p1"}
    assert bundle_to_course(bundle) == example_record()


def test_an_event_without_the_isocourse_identifier_has_no_id() -> None:
    bundle = example_bundle()
    resource(bundle, "Observation", coded("enrollment"))["identifier"] = [
        {"system": "urn:oid:1.2.3", "value": "enr"}
    ]
    assert bundle_to_course(bundle).events[0].id is None


def test_a_reference_range_with_a_low_limit_keeps_only_the_upper_limit() -> None:
    bundle = example_bundle()
    alt = resource(bundle, "Observation", coded("alt"))
    alt["referenceRange"][0]["low"] = {
        "value": 7,
        "unit": "U/L",
        "system": "http://unitsofmeasure.org",
        "code": "U/L",
    }
    assert bundle_to_course(bundle) == example_record()


def test_a_bundle_without_any_event_gives_a_record_without_events() -> None:
    bundle = example_bundle()
    bundle["entry"] = bundle["entry"][:4]
    assert bundle_to_course(bundle).events == ()


@pytest.mark.parametrize(
    ("number", "factor", "product"),
    [
        ("1.55", "100", "155"),
        ("0.5", "60", "30"),
        ("132", "0.45359237", "59.87419284"),
        ("0.1000000000000000000000000000001", "100", "10.00000000000000000000000000001"),
        ("4711", "0.001", "4.711"),
    ],
)
def test_a_unit_conversion_is_exact_however_many_digits_it_takes(
    number: str,
    factor: str,
    product: str,
) -> None:
    converted = exact_product(Decimal(number), Decimal(factor))
    assert converted == Decimal(product)
    assert str(converted) == product
