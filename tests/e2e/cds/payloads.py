"""CDS Hooks request bodies: our own, and the specification's official examples adapted to
an isotretinoin MedicationRequest (cds-hooks/docs: docs/specification/current.md "Calling a
CDS Service"; docs/hooks/order-select.md and order-sign.md, "Example (R4)").

The examples' patient id, 1288992, is the clinic's patient id of the test course, so the
examples go through unchanged apart from the medication: the amoxicillin suspension of the
order examples becomes isotretinoin 20 mg capsules (RxNorm 197844), 20 mg twice a day. The
examples' own quirks are kept on purpose: a ``doseAndRate`` object instead of an array
(order-select), a ``doseQuantity`` on the dosage itself (order-sign), a prefetch key
(``patientToGreet``) that is not one of ours, and a ``fhirAuthorization`` access token.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

__all__ = [
    "EXAMPLE_PATIENT",
    "example_order_select",
    "example_order_sign",
    "example_order_sign_unadapted",
    "example_patient_view",
    "isotretinoin_request",
    "order_sign",
    "patient_view",
]

EXAMPLE_PATIENT = "1288992"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
ACCESS_TOKEN = "some-opaque-fhir-access-token"


def patient_view(patient_id: str = EXAMPLE_PATIENT, **more: Any) -> dict[str, Any]:
    return {"hook": "patient-view", "hookInstance": str(uuid.uuid4()),
            "context": {"userId": "Practitioner/example", "patientId": patient_id}, **more}


def isotretinoin_request(rid: str = "iso-1", *, dose_mg: int = 20, times_a_day: int = 2,
                         days: int | None = 30, refills: int = 0,
                         quantity: int | None = None) -> dict[str, Any]:
    supply: dict[str, Any] = {"numberOfRepeatsAllowed": refills}
    if days is not None:
        supply["expectedSupplyDuration"] = {"value": days, "unit": "days", "system": UCUM,
                                            "code": "d"}
    if quantity is not None:
        supply["quantity"] = {"value": quantity, "unit": "capsule"}
    return {
        "resourceType": "MedicationRequest", "id": rid, "status": "draft", "intent": "order",
        "medicationCodeableConcept": {"coding": [{
            "system": RXNORM, "code": "197844",
            "display": "isotretinoin 20 MG Oral Capsule"}]},
        "subject": {"reference": f"Patient/{EXAMPLE_PATIENT}"},
        "dosageInstruction": [{
            "text": f"{dose_mg} mg {times_a_day} times a day",
            "timing": {"repeat": {"frequency": times_a_day, "period": 1, "periodUnit": "d"}},
            "doseAndRate": [{"doseQuantity": {"value": dose_mg, "unit": "mg",
                                              "system": UCUM, "code": "mg"}}]}],
        "dispenseRequest": supply,
    }


def order_sign(*resources: dict[str, Any], patient_id: str = EXAMPLE_PATIENT
               ) -> dict[str, Any]:
    return {"hook": "order-sign", "hookInstance": str(uuid.uuid4()),
            "context": {"userId": "PractitionerRole/123", "patientId": patient_id,
                        "draftOrders": {"resourceType": "Bundle",
                                        "entry": [{"resource": r} for r in resources]}}}


def example_patient_view() -> dict[str, Any]:
    """The specification's example call ("Calling a CDS Service"), as published."""
    return {
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "fhirServer": "http://hooks.smarthealthit.org:9080",
        "hook": "patient-view",
        "fhirAuthorization": {
            "access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 300,
            "scope": "patient/Patient.read patient/Observation.read",
            "subject": "cds-service4"},
        "context": {"userId": "Practitioner/example", "patientId": EXAMPLE_PATIENT,
                    "encounterId": "89284"},
        "prefetch": {"patientToGreet": {"resourceType": "Patient", "gender": "male",
                                        "birthDate": "1925-12-23", "id": EXAMPLE_PATIENT,
                                        "active": True}},
    }


_NUTRITION_ORDER: dict[str, Any] = {
    "resourceType": "NutritionOrder", "id": "pureeddiet-simple",
    "identifier": [{"system": "http://goodhealthhospital.org/nutrition-requests",
                    "value": "123"}],
    "status": "draft", "patient": {"reference": "Patient/1288992"}, "dateTime": "2014-09-17",
    "orderer": {"reference": "Practitioner/example", "display": "Dr Adam Careful"},
    "oralDiet": {"type": [{"coding": [
        {"system": "http://snomed.info/sct", "code": "226211001", "display": "Pureed diet"},
        {"system": "http://goodhealthhospital.org/diet-type-codes", "code": "1010",
         "display": "Pureed diet"}], "text": "Pureed diet"}],
        "schedule": [{"repeat": {"boundsPeriod": {"start": "2015-02-10"}, "frequency": 3,
                                 "period": 1, "periodUnit": "d"}}]},
}

#: The MedicationRequest of the hooks' R4 examples (amoxicillin), as published.
_AMOXICILLIN: dict[str, Any] = {
    "resourceType": "MedicationRequest", "id": "smart-MedicationRequest-103",
    "meta": {"lastUpdated": "2018-04-30T13:25:40.845-04:00"},
    "text": {"status": "generated",
             "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">Amoxicillin 120 MG/ML / "
                    "clavulanate potassium 8.58 MG/ML Oral Suspension (rxnorm: 617993)</div>"},
    "status": "draft", "intent": "order",
    "medicationCodeableConcept": {
        "coding": [{"system": RXNORM, "code": "617993",
                    "display": "Amoxicillin 120 MG/ML / clavulanate potassium 8.58 MG/ML "
                               "Oral Suspension"}],
        "text": "Amoxicillin 120 MG/ML / clavulanate potassium 8.58 MG/ML Oral Suspension"},
    "subject": {"reference": "Patient/1288992"},
    "dosageInstruction": [{
        "text": "5 mL bid x 10 days",
        "timing": {"repeat": {"boundsPeriod": {"start": "2005-01-04"}, "frequency": 2,
                              "period": 1, "periodUnit": "d"}},
        "doseQuantity": {"value": 5, "unit": "mL", "system": UCUM, "code": "mL"}}],
    "dispenseRequest": {
        "numberOfRepeatsAllowed": 1,
        "quantity": {"value": 1, "unit": "mL", "system": UCUM, "code": "mL"},
        "expectedSupplyDuration": {"value": 10, "unit": "days", "system": UCUM,
                                   "code": "d"}},
}


def _as_isotretinoin(resource: dict[str, Any]) -> dict[str, Any]:
    adapted = copy.deepcopy(resource)
    adapted["text"]["div"] = ("<div xmlns=\"http://www.w3.org/1999/xhtml\">isotretinoin "
                              "20 MG Oral Capsule (rxnorm: 197844)</div>")
    adapted["medicationCodeableConcept"] = {
        "coding": [{"system": RXNORM, "code": "197844",
                    "display": "isotretinoin 20 MG Oral Capsule"}],
        "text": "isotretinoin 20 MG Oral Capsule"}
    dosage = adapted["dosageInstruction"][0]
    dosage["text"] = "20 mg bid x 10 days"
    dose = {"value": 20, "unit": "mg", "system": UCUM, "code": "mg"}
    if "doseAndRate" in dosage:
        dosage["doseAndRate"] = {"doseQuantity": dose}
    else:
        dosage["doseQuantity"] = dose
    adapted["dispenseRequest"]["quantity"] = {"value": 20, "unit": "capsule"}
    return adapted


def _hook_example(hook: str, medication: dict[str, Any], **context: Any) -> dict[str, Any]:
    return {"hook": hook, "hookInstance": str(uuid.uuid4()),
            "context": {"userId": "PractitionerRole/123", "patientId": EXAMPLE_PATIENT,
                        "encounterId": "89284", **context,
                        "draftOrders": {"resourceType": "Bundle", "entry": [
                            {"resource": copy.deepcopy(_NUTRITION_ORDER)},
                            {"resource": medication}]}}}


def example_order_select() -> dict[str, Any]:
    """order-select, Example (R4): its ``doseAndRate`` is an object."""
    medication = copy.deepcopy(_AMOXICILLIN)
    dosage = medication["dosageInstruction"][0]
    dosage["doseAndRate"] = {"doseQuantity": dosage.pop("doseQuantity")}
    return _hook_example("order-select", _as_isotretinoin(medication), selections=[
        "NutritionOrder/pureeddiet-simple", "MedicationRequest/smart-MedicationRequest-103"])


def example_order_sign() -> dict[str, Any]:
    """order-sign, Example (R4): its ``doseQuantity`` sits on the dosage itself."""
    return _hook_example("order-sign", _as_isotretinoin(_AMOXICILLIN))


def example_order_sign_unadapted() -> dict[str, Any]:
    """order-sign, Example (R4), with its amoxicillin: not isotretinoin."""
    return _hook_example("order-sign", copy.deepcopy(_AMOXICILLIN))
