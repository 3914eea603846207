"""Reading EHR draft orders (adapters/fhir/cds/orders.py): isotretinoin by value set, the
daily dose from the dosage forms EHRs send, days' supply, refills, product and family."""

from __future__ import annotations

from typing import Any

import pytest

from isocourse.adapters.fhir.cds.orders import read_isotretinoin_orders
from isocourse.adapters.fhir.codes import extension_url
from isocourse.services.cds.hooks import DraftOrder

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
ISOTRETINOIN_20 = {"coding": [{"system": RXNORM, "code": "197844",
                               "display": "isotretinoin 20 MG Oral Capsule"}]}
AMOXICILLIN = {"coding": [{"system": RXNORM, "code": "617993"}]}


def mg(value: float) -> dict[str, Any]:
    return {"value": value, "unit": "mg", "system": UCUM, "code": "mg"}


def twice_a_day(dose: float = 20) -> dict[str, Any]:
    return {"timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
            "doseAndRate": [{"doseQuantity": mg(dose)}]}


def request(*, rid: str = "mr-1", medication: Any = ISOTRETINOIN_20,
            dosage: list[dict[str, Any]] | None = None, days: Any = 30,
            refills: Any = None, **more: Any) -> dict[str, Any]:
    supply: dict[str, Any] = {}
    if days is not None:
        supply["expectedSupplyDuration"] = {"value": days, "unit": "days", "system": UCUM,
                                            "code": "d"}
    if refills is not None:
        supply["numberOfRepeatsAllowed"] = refills
    return {"resourceType": "MedicationRequest", "id": rid, "status": "draft",
            "intent": "order", "medicationCodeableConcept": medication,
            "dosageInstruction": [twice_a_day()] if dosage is None else dosage,
            "dispenseRequest": supply, **more}


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "entry": [{"resource": r} for r in resources]}


def read_one(resource: dict[str, Any]) -> DraftOrder:
    (found,) = read_isotretinoin_orders(bundle(resource))
    return found.order


def test_a_draft_with_a_dose_twice_a_day_reads_as_the_days_total() -> None:
    assert read_one(request(refills=2)) == DraftOrder(
        order_id="MedicationRequest/mr-1", daily_mg=40, days_supply=30, refills=2)


def test_the_mappings_own_rate_of_mg_per_day_is_read() -> None:
    rate = {"doseAndRate": [{"rateRatio": {"numerator": mg(30),
                                           "denominator": {"value": 1, "unit": "d",
                                                           "system": UCUM, "code": "d"}}}]}
    assert read_one(request(dosage=[rate])).daily_mg == 30


@pytest.mark.parametrize(("timing", "daily"), [
    ({"code": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/"
                                     "v3-GTSAbbreviation", "code": "BID"}]}}, 40),
    ({"code": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/"
                                     "v3-GTSAbbreviation", "code": "QD"}]}}, 20),
    ({"repeat": {"frequency": 1, "period": 12, "periodUnit": "h"}}, 40),
    ({"repeat": {"frequency": 14, "period": 1, "periodUnit": "wk"}}, 40),
    ({"repeat": {"frequency": 1, "period": 2, "periodUnit": "d"}}, 10),
    ({"repeat": {"frequency": 1, "period": 3, "periodUnit": "d"}}, None),  # 6.67 mg a day
    ({"repeat": {"frequency": 1, "period": 1, "periodUnit": "mo"}}, None),
    ({}, None),
])
def test_timings_give_the_doses_per_day(timing: dict[str, Any], daily: int | None) -> None:
    dosage = [{"timing": timing, "doseAndRate": [{"doseQuantity": mg(20)}]}]
    assert read_one(request(dosage=dosage)).daily_mg == daily


def test_morning_and_evening_instructions_are_added_up() -> None:
    morning = {**twice_a_day(40), "timing": {"repeat": {"frequency": 1, "period": 1,
                                                        "periodUnit": "d"}}}
    evening = {**morning, "doseAndRate": [{"doseQuantity": mg(20)}]}
    assert read_one(request(dosage=[morning, evening])).daily_mg == 60


def test_a_titration_reads_its_first_step() -> None:
    first = {**twice_a_day(10), "sequence": 1}
    then = {**twice_a_day(20), "sequence": 2}
    assert read_one(request(dosage=[then, first])).daily_mg == 20


def test_the_official_examples_dose_forms_are_read() -> None:
    # CDS Hooks order-sign (R4): doseQuantity on the dosage itself; order-select (R4):
    # doseAndRate as an object instead of an array.
    repeat = {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}}
    on_dosage = {"timing": repeat, "doseQuantity": mg(20)}
    as_object = {"timing": repeat, "doseAndRate": {"doseQuantity": mg(20)}}
    assert read_one(request(dosage=[on_dosage])).daily_mg == 40
    assert read_one(request(dosage=[as_object])).daily_mg == 40


@pytest.mark.parametrize("dose", [{"value": 2, "unit": "capsule"}, {"value": 20},
                                  {"value": "20", "code": "mg"}, None])
def test_a_dose_not_in_mg_is_not_guessed(dose: Any) -> None:
    dosage = [{"timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
               "doseAndRate": [{"doseQuantity": dose}]}]
    assert read_one(request(dosage=dosage)).daily_mg is None


def test_no_dosage_yet_leaves_the_dose_unknown() -> None:
    assert read_one(request(dosage=[])).daily_mg is None


@pytest.mark.parametrize(("duration", "days"), [
    ({"value": 30, "unit": "days", "code": "d"}, 30),
    ({"value": 4, "unit": "weeks", "system": UCUM, "code": "wk"}, 28),
    ({"value": 30, "unit": "day"}, 30),
    ({"value": 1, "code": "mo"}, None),
    ({"value": 30.5, "code": "d"}, None),
    ({"value": 0, "code": "d"}, None),
    ({"value": True, "code": "d"}, None),
])
def test_the_supply_is_read_in_whole_days(duration: dict[str, Any], days: int | None) -> None:
    resource = request()
    resource["dispenseRequest"]["expectedSupplyDuration"] = duration
    assert read_one(resource).days_supply == days


@pytest.mark.parametrize(("refills", "read"), [(None, 0), (3, 3), (-1, 0), ("2", 0)])
def test_refills_absent_or_unreadable_count_as_none(refills: Any, read: int) -> None:
    assert read_one(request(refills=refills)).refills == read


def test_only_isotretinoin_orders_are_read() -> None:
    other = request(rid="amox", medication=AMOXICILLIN)
    nutrition = {"resourceType": "NutritionOrder", "id": "diet"}
    found = read_isotretinoin_orders(bundle(nutrition, other, request(rid="iso")))
    assert [f.order.order_id for f in found] == ["MedicationRequest/iso"]


def test_a_referenced_medication_in_the_bundle_or_contained_is_recognised() -> None:
    medication = {"resourceType": "Medication", "id": "iso-20", "code": ISOTRETINOIN_20}
    by_bundle = request(rid="a", medication=None)
    del by_bundle["medicationCodeableConcept"]
    by_bundle["medicationReference"] = {"reference": "Medication/iso-20"}
    contained = request(rid="b", medication=None)
    del contained["medicationCodeableConcept"]
    contained["contained"] = [{**medication, "id": "m"}]
    contained["medicationReference"] = {"reference": "#m"}
    found = read_isotretinoin_orders(bundle(medication, by_bundle, contained))
    assert [f.order.order_id for f in found] == ["MedicationRequest/a", "MedicationRequest/b"]


def test_selections_narrow_the_orders_to_those_selected() -> None:
    both = bundle(request(rid="one"), request(rid="two"))
    found = read_isotretinoin_orders(both, ["MedicationRequest/two", "NutritionOrder/x"])
    assert [f.order.order_id for f in found] == ["MedicationRequest/two"]


def test_an_order_without_an_id_is_named_by_its_place() -> None:
    resource = request()
    del resource["id"]
    assert read_one(resource).order_id == "draftOrders.entry[0]"


def test_the_product_extension_and_a_family_code_are_read() -> None:
    micronized = {"coding": [{"system": RXNORM, "code": "2262711"}]}
    resource = request(medication=micronized, extension=[
        {"url": extension_url("product"), "valueString": "us-absorica-ld"}])
    order = read_one(resource)
    assert (order.product, order.family) == ("us-absorica-ld", "micronized")
    assert read_one(request()).family is None  # a plain capsule SCD names no family
