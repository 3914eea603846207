"""Each kind of bad input gives the one domain error, RecordError, with the FHIR path of the
problem and a message that says what was expected: never a library traceback."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from isocourse.adapters.fhir.mapping import bundle_to_course
from isocourse.domain.errors import RecordError
from tests.unit.fhir.bundles import (
    coded,
    entry_index,
    example_bundle,
    paths_of,
    problems_of,
    resource,
)

EXT = "https://isocourse.dev/fhir/StructureDefinition/"


def _at(
    bundle: dict[str, Any],
    resource_type: str,
    where: Callable[[dict[str, Any]], bool] = lambda r: True,
) -> str:
    return f"Bundle.entry[{entry_index(bundle, resource_type, where)}].resource"


def _order(r: dict[str, Any]) -> bool:
    return r.get("intent") == "order"


def _problem(bundle: dict[str, Any], path: str, fragment: str) -> None:
    """The import reports a problem at ``path`` whose message contains ``fragment``."""
    found = [(p.path, p.message) for p in problems_of(bundle)]
    assert any(p == path and fragment in m for p, m in found), found


@pytest.mark.parametrize("data", [None, [], "Bundle", 3, {"resourceType": "Patient"}])
def test_something_that_is_not_a_bundle_is_refused_at_the_bundle(data: object) -> None:
    assert paths_of(data)[0] in ("Bundle", "Bundle.resourceType")


@pytest.mark.parametrize("kind", ["document", "batch", "searchset", None])
def test_a_bundle_that_is_not_a_collection_or_transaction_is_refused(kind: str | None) -> None:
    bundle = example_bundle()
    bundle["type"] = kind
    _problem(bundle, "Bundle.type", '"collection" or "transaction"')


@pytest.mark.parametrize("resource_type", ["Encounter", "Foo", 7])
def test_an_unknown_resource_type_is_refused_with_its_path(resource_type: object) -> None:
    bundle = example_bundle()
    bundle["entry"][5]["resource"]["resourceType"] = resource_type
    _problem(bundle, "Bundle.entry[5].resource.resourceType", "expected one of Patient")


def test_a_transaction_entry_that_deletes_is_refused() -> None:
    bundle = example_bundle()
    bundle["type"] = "transaction"
    for entry in bundle["entry"]:
        entry["request"] = {"method": "POST", "url": entry["resource"]["resourceType"]}
    bundle["entry"][4]["request"]["method"] = "DELETE"
    _problem(bundle, "Bundle.entry[4].request.method", '"POST" or "PUT"')


@pytest.mark.parametrize(
    ("resource_type", "element"),
    [("Observation", "code"), ("MedicationRequest", "subject"), ("MedicationDispense", "status")],
)
def test_a_missing_required_element_is_named_by_its_path(resource_type: str, element: str) -> None:
    bundle = example_bundle()
    found = resource(bundle, resource_type)
    del found[element]
    _problem(bundle, f"{_at(bundle, resource_type)}.{element}", "missing required element")


def test_a_value_of_the_wrong_fhir_type_is_refused_without_echoing_it() -> None:
    bundle = example_bundle()
    resource(bundle, "Observation", coded("alt"))["valueQuantity"]["value"] = "SECRET"
    problems = problems_of(bundle)
    path = f"{_at(bundle, 'Observation', coded('alt'))}.valueQuantity.value"
    assert [p.path for p in problems] == [path]
    assert "SECRET" not in str(problems)


def test_an_element_fhir_does_not_have_is_refused() -> None:
    bundle = example_bundle()
    resource(bundle, "Patient")["favouriteColour"] = "blue"
    _problem(bundle, "Bundle.entry[0].resource.favouriteColour", "unknown element")


def test_a_decimal_given_as_a_string_is_refused_as_not_a_number() -> None:
    bundle = example_bundle()
    resource(bundle, "Observation", coded("alt"))["valueQuantity"]["value"] = "22"
    _problem(
        bundle,
        f"{_at(bundle, 'Observation', coded('alt'))}.valueQuantity.value",
        "expected a number",
    )


@pytest.mark.parametrize(
    "coding",
    [
        {"system": "http://www.whocc.no/atc", "code": "D10AD04"},  # topical isotretinoin
        {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "161"},
        {"system": "http://example.org", "code": "197845"},
    ],
)
def test_a_prescription_for_something_other_than_isotretinoin_is_refused(
    coding: dict[str, str],
) -> None:
    bundle = example_bundle()
    resource(bundle, "MedicationRequest", _order)["medicationCodeableConcept"] = {
        "coding": [coding],
        "text": "other",
    }
    _problem(
        bundle,
        f"{_at(bundle, 'MedicationRequest', _order)}.medicationCodeableConcept",
        "not isotretinoin",
    )


def test_a_medication_given_by_reference_is_refused() -> None:
    bundle = example_bundle()
    found = resource(bundle, "MedicationDispense")
    del found["medicationCodeableConcept"]
    found["medicationReference"] = {"reference": "Medication/1"}
    _problem(
        bundle,
        f"{_at(bundle, 'MedicationDispense')}.medicationReference",
        "expected medicationCodeableConcept",
    )


@pytest.mark.parametrize("ucum", ["kg", "%", "mmol/L", "10*3/uL"])
def test_a_unit_that_does_not_convert_to_the_record_unit_is_refused(ucum: str) -> None:
    bundle = example_bundle()
    resource(bundle, "Observation", coded("alt"))["valueQuantity"]["code"] = ucum
    _problem(
        bundle,
        f"{_at(bundle, 'Observation', coded('alt'))}.valueQuantity.code",
        "expected a unit convertible to U/L",
    )


def test_a_loinc_code_for_another_kind_of_quantity_than_the_unit_is_refused() -> None:
    bundle = example_bundle()
    found = resource(bundle, "Observation", coded("triglycerides"))
    found["code"]["coding"].append({"system": "http://loinc.org", "code": "2571-8"})
    _problem(
        bundle,
        f"{_at(bundle, 'Observation', coded('triglycerides'))}.code.coding[2].code",
        "for results in mg/dL",
    )


@pytest.mark.parametrize(
    ("element", "value", "fragment"),
    [
        ("comparator", "<", "the record holds exact values"),
        ("system", "http://example.org/units", "expected a UCUM unit"),
    ],
)
def test_a_quantity_with_a_comparator_or_without_ucum_is_refused(
    element: str,
    value: str,
    fragment: str,
) -> None:
    bundle = example_bundle()
    resource(bundle, "Observation", coded("alt"))["valueQuantity"][element] = value
    _problem(
        bundle, f"{_at(bundle, 'Observation', coded('alt'))}.valueQuantity.{element}", fragment
    )


def test_an_observation_with_a_code_isocourse_does_not_know_is_refused() -> None:
    bundle = example_bundle()
    resource(bundle, "Observation", coded("alt"))["code"] = {
        "coding": [{"system": "http://loinc.org", "code": "718-7"}]
    }
    _problem(bundle, f"{_at(bundle, 'Observation', coded('718-7'))}.code", "not a code")


@pytest.mark.parametrize("status", ["preliminary", "cancelled", "registered", "unknown", "x"])
def test_an_observation_that_is_not_a_standing_result_is_refused(status: str) -> None:
    bundle = example_bundle()
    resource(bundle, "Observation", coded("alt"))["status"] = status
    _problem(bundle, f"{_at(bundle, 'Observation', coded('alt'))}.status", '"final"')


def test_entered_in_error_is_refused_for_an_event_nothing_supersedes() -> None:
    bundle = example_bundle()
    resource(bundle, "MedicationDispense")["status"] = "entered-in-error"
    _problem(bundle, f"{_at(bundle, 'MedicationDispense')}.status", "another entry supersedes")


@pytest.mark.parametrize(("intent", "fragment"), [("proposal", '"plan"'), ("option", '"plan"')])
def test_a_medication_request_that_is_no_prescription_nor_the_course_is_refused(
    intent: str,
    fragment: str,
) -> None:
    bundle = example_bundle()
    path = _at(bundle, "MedicationRequest", _order)
    resource(bundle, "MedicationRequest", _order)["intent"] = intent
    _problem(bundle, f"{path}.intent", fragment)


def test_a_request_not_to_give_is_refused() -> None:
    bundle = example_bundle()
    resource(bundle, "MedicationRequest", _order)["doNotPerform"] = True
    _problem(
        bundle, f"{_at(bundle, 'MedicationRequest', _order)}.doNotPerform", "not a prescription"
    )


def _phq9(bundle: dict[str, Any]) -> int:
    return entry_index(
        bundle, "QuestionnaireResponse", lambda r: r["questionnaire"].endswith("/phq-9")
    )


def test_a_phq9_item_score_out_of_range_is_refused_at_its_answer() -> None:
    bundle = example_bundle()
    index = _phq9(bundle)
    bundle["entry"][index]["resource"]["item"][8]["answer"][0]["valueInteger"] = 5
    bundle["entry"][index + 1]["resource"]["valueInteger"] = 7
    _problem(
        bundle, f"Bundle.entry[{index}].resource.item[8].answer[0].valueInteger", "from 0 to 3"
    )


def test_a_phq9_with_an_item_missing_is_refused() -> None:
    bundle = example_bundle()
    index = _phq9(bundle)
    del bundle["entry"][index]["resource"]["item"][4]
    _problem(bundle, f"Bundle.entry[{index}].resource.item", "missing the answer to item 5")


def test_a_total_that_disagrees_with_the_items_is_refused() -> None:
    bundle = example_bundle()
    index = _phq9(bundle) + 1
    bundle["entry"][index]["resource"]["valueInteger"] = 3
    _problem(bundle, f"Bundle.entry[{index}].resource.valueInteger", "sum of the item scores")


def test_a_total_without_its_response_is_refused() -> None:
    bundle = example_bundle()
    index = _phq9(bundle)
    del bundle["entry"][index]
    _problem(
        bundle,
        f"Bundle.entry[{index}].resource.derivedFrom[0].reference",
        "a total alone is not imported",
    )


@pytest.mark.parametrize(
    ("position", "fragment"),
    [(0, "expected a Patient"), (2, "expected the course"), (3, "weight at enrollment")],
)
def test_a_bundle_without_patient_course_or_weight_at_enrollment_is_refused(
    position: int,
    fragment: str,
) -> None:
    bundle = example_bundle()
    del bundle["entry"][position]
    _problem(bundle, "Bundle.entry", fragment)


def test_a_second_patient_is_refused() -> None:
    bundle = example_bundle()
    bundle["entry"].append(bundle["entry"][0])
    _problem(bundle, f"Bundle.entry[{len(bundle['entry']) - 1}].resource", "a second Patient")


def test_a_resource_about_another_patient_is_refused() -> None:
    bundle = example_bundle()
    resource(bundle, "MedicationDispense")["subject"] = {"reference": "Patient/other"}
    _problem(bundle, f"{_at(bundle, 'MedicationDispense')}.subject", "the Bundle's Patient")


@pytest.mark.parametrize(
    ("element", "value", "fragment"),
    [
        (
            "modifierExtension",
            [{"url": "http://example.org/not", "valueBoolean": True}],
            "modifier extensions",
        ),
        ("implicitRules", "http://example.org/rules", "implicit rules"),
    ],
)
def test_modifiers_isocourse_cannot_interpret_are_refused(
    element: str,
    value: object,
    fragment: str,
) -> None:
    bundle = example_bundle()
    resource(bundle, "Observation", coded("alt"))[element] = value
    _problem(bundle, f"{_at(bundle, 'Observation', coded('alt'))}.{element}", fragment)


def test_an_extension_value_type_that_r4_does_not_have_is_refused() -> None:
    bundle = example_bundle()
    resource(bundle, "Patient")["extension"].append(
        {"url": "http://example.org/x", "valueCodeableReference": {"concept": {"text": "x"}}}
    )
    _problem(bundle, "Bundle.entry[0].resource.extension[1].valueCodeableReference", "R4B only")


def test_an_unknown_isocourse_extension_is_refused_as_a_likely_typo() -> None:
    bundle = example_bundle()
    resource(bundle, "MedicationDispense")["extension"] = [
        {"url": EXT + "reasn", "valueString": "typo"}
    ]
    _problem(
        bundle,
        f"{_at(bundle, 'MedicationDispense')}.extension[0].url",
        "unknown isocourse extension",
    )


def test_an_isocourse_extension_with_the_wrong_value_type_is_refused() -> None:
    bundle = example_bundle()
    patient = resource(bundle, "Patient")
    patient["extension"] = [{"url": EXT + "can-get-pregnant", "valueString": "yes"}]
    _problem(bundle, "Bundle.entry[0].resource.extension[0]", "expected valueBoolean")


def test_a_date_with_a_time_is_refused_since_the_record_keeps_calendar_dates() -> None:
    bundle = example_bundle()
    resource(bundle, "Observation", coded("alt"))["effectiveDateTime"] = "2026-09-02T10:00:00Z"
    _problem(
        bundle,
        f"{_at(bundle, 'Observation', coded('alt'))}.effectiveDateTime",
        "expected a date YYYY-MM-DD",
    )


def test_a_duplicate_event_id_names_both_entries_by_their_fhir_paths() -> None:
    bundle = example_bundle()
    identifier = resource(bundle, "Observation", coded("enrollment"))["identifier"]
    resource(bundle, "Observation", coded("counseling"))["identifier"] = identifier
    enrollment = _at(bundle, "Observation", coded("enrollment"))
    counseling = _at(bundle, "Observation", coded("counseling"))
    _problem(bundle, f"{counseling}.identifier[0].value", f"{enrollment} has the same id")
    assert not any("events[" in str(p) for p in problems_of(bundle))


def test_a_correction_of_an_unknown_event_is_refused_at_its_extension() -> None:
    bundle = example_bundle()
    resource(bundle, "MedicationDispense")["extension"] = [
        {
            "url": EXT + "supersedes",
            "valueReference": {
                "identifier": {
                    "system": "https://isocourse.dev/fhir/NamingSystem/event-id",
                    "value": "nope",
                }
            },
        },
        {"url": EXT + "reason", "valueString": "typo"},
    ]
    _problem(
        bundle,
        f"{_at(bundle, 'MedicationDispense')}.extension[0].valueReference.identifier.value",
        "expected the id of an earlier event",
    )


def test_record_extensions_that_are_not_json_objects_are_refused() -> None:
    bundle = example_bundle()
    resource(bundle, "MedicationDispense")["extension"] = [
        {"url": EXT + "record-extensions", "valueString": "[1, 2"}
    ]
    _problem(
        bundle,
        f"{_at(bundle, 'MedicationDispense')}.extension[0].valueString",
        "JSON text of an object",
    )


def test_an_unknown_resource_inside_contained_is_refused_not_crashed_on() -> None:
    bundle = example_bundle()
    resource(bundle, "Observation", coded("alt"))["contained"] = [{"resourceType": "Foo"}]
    _problem(bundle, _at(bundle, "Observation", coded("alt")), "not a valid FHIR R4 resource")


def test_an_unknown_product_is_refused_at_its_extension_when_the_catalog_is_given() -> None:
    bundle = example_bundle()
    with pytest.raises(RecordError) as caught:
        bundle_to_course(bundle, known_products=["uk-generic"])
    assert [p.path for p in caught.value.problems] == [
        "Bundle.entry[2].resource.extension[1].valueString",
        f"{_at(bundle, 'MedicationRequest', _order)}.extension[0].valueString",
    ]


def test_every_problem_of_a_gate_is_reported_at_once() -> None:
    bundle = example_bundle()
    resource(bundle, "Observation", coded("alt"))["status"] = "preliminary"
    resource(bundle, "MedicationDispense")["status"] = "cancelled"
    resource(bundle, "MedicationStatement")["status"] = "intended"
    assert len(problems_of(bundle)) == 3


@pytest.mark.parametrize(
    ("resource_type", "extension"),
    [
        ("MedicationRequest", "jurisdiction"),
        ("MedicationRequest", "product"),
        ("Patient", "can-get-pregnant"),
    ],
)
def test_a_missing_required_isocourse_extension_is_named(
    resource_type: str, extension: str
) -> None:
    bundle = example_bundle()
    found = resource(bundle, resource_type)
    found["extension"] = [e for e in found["extension"] if not e["url"].endswith(extension)]
    _problem(
        bundle,
        f"{_at(bundle, resource_type)}.extension",
        f"missing the isocourse extension {extension}",
    )


@pytest.mark.parametrize(
    "value",
    [
        Decimal("1E+999999"),
        Decimal("NaN"),
        Decimal("-Infinity"),
        Decimal("1E-999999"),
        float("inf"),
    ],
)
def test_numbers_no_json_number_carries_are_refused_even_when_a_unit_converts(
    value: object,
) -> None:
    bundle = example_bundle()
    quantity = resource(bundle, "Observation", coded("alt"))["valueQuantity"]
    quantity.update(value=value, code="ukat/L", unit="ukat/L")
    with pytest.raises(RecordError):
        bundle_to_course(bundle)
