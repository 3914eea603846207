"""The event forms' table: what a person types becomes an event the record parser accepts,
or errors next to the fields, never an exception."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isocourse.adapters.web.event_forms import (
    EVENT_FORMS,
    EventForm,
    FieldSpec,
    Kind,
    offered_forms,
    place_errors,
    programme_event_types,
    read_event,
)
from isocourse.adapters.web.forms import Form
from isocourse.catalog import load_rule_library
from isocourse.domain.dates import FIRST_DATE
from isocourse.domain.errors import Conflict, InvalidInput, Problem, RecordError
from isocourse.domain.record import EventType, LabAnalyte, parse_record
from isocourse.domain.record.vocabulary import ContraceptionMethod

TODAY = dt.date(2026, 11, 21)
FORMS = sorted(EVENT_FORMS.values(), key=lambda f: f.type.value)


def parsed(body: dict[str, Any]) -> Any:
    """The event as the course-record parser reads it (inside a minimal record)."""
    record = parse_record({
        "format": "isocourse-course/1",
        "patient": {"id": "p-1", "birth_date": "2000-01-01", "can_get_pregnant": True,
                    "weight_kg": 60},
        "course": {"jurisdiction": "us-ipledge", "product": "us-conventional"},
        "events": [body]})
    (event,) = record.events
    return event


def _printable(max_size: int) -> st.SearchStrategy[str]:
    return st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1,
                   max_size=max_size).filter(lambda s: s.strip() != "")


def _decimal(spec: FieldSpec) -> st.SearchStrategy[str]:
    return st.decimals(min_value=spec.low, max_value=spec.high, places=spec.places,
                       allow_nan=False, allow_infinity=False).map(str)


def _value(spec: FieldSpec) -> st.SearchStrategy[Any]:
    if spec.kind is Kind.DATE:
        return st.dates(FIRST_DATE, TODAY).map(dt.date.isoformat)
    if spec.kind in (Kind.TEXT, Kind.NOTE):
        return _printable(200 if spec.kind is Kind.TEXT else 1000)
    if spec.kind is Kind.DECIMAL:
        return _decimal(spec)
    if spec.kind is Kind.WHOLE:
        return st.integers(int(spec.low), int(spec.high)).map(str)
    if spec.kind is Kind.YES_NO:
        return st.sampled_from(["yes", "no"])
    return st.sampled_from([v for v, _ in spec.options])


@st.composite
def valid_values(draw: st.DrawFn, event_form: EventForm) -> Form:
    """Form values a careful person could type into this form."""
    values: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    for spec in event_form.fields:
        if spec.kind is Kind.METHODS:
            methods = draw(st.lists(st.sampled_from(list(ContraceptionMethod)), unique=True))
            if methods:
                lists["methods"] = [m.value for m in methods]
                values["methods"] = methods[-1].value
            else:
                values["no_method"] = "on"
            continue
        if not spec.required and draw(st.booleans()):
            continue
        values[spec.name] = draw(_value(spec))
    if event_form.type is EventType.LAB:
        analyte = LabAnalyte(values["analyte"])
        values["unit"] = draw(st.sampled_from(analyte.units)).value
        if not analyte.is_enzyme:
            values.pop("uln", None)
    return Form(values=values, lists=lists)


@pytest.mark.parametrize("event_form", FORMS, ids=lambda f: f.type.value)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_valid_form_values_make_an_event_the_record_parser_accepts(
        event_form: EventForm, data: st.DataObject) -> None:
    form = data.draw(valid_values(event_form))
    body = read_event(event_form, form, TODAY)
    assert form.errors == {} and body is not None
    event = parsed(body)
    assert event.date.isoformat() == form.values["date"]
    assert body["type"] == event_form.type.value


@pytest.mark.parametrize("event_form", FORMS, ids=lambda f: f.type.value)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_typed_text_gives_an_event_or_errors_next_to_the_fields_never_an_exception(
        event_form: EventForm, data: st.DataObject) -> None:
    names = [f.name for f in event_form.fields] + ["no_method"]
    values = data.draw(st.dictionaries(st.sampled_from(names), st.text(max_size=30)))
    lists = {"methods": data.draw(st.lists(st.text(max_size=20), max_size=4))}
    form = Form(values=values, lists=lists)
    body = read_event(event_form, form, TODAY)
    if body is None:
        assert form.errors and set(form.errors) <= set(names)
    else:
        parsed(body)


def _form(**values: str) -> Form:
    return Form(values=dict(values), lists={})


def test_a_date_after_today_is_an_error_next_to_the_date() -> None:
    form = _form(date="2026-11-22", kg="61.5")
    assert read_event(EVENT_FORMS[EventType.WEIGHT], form, TODAY) is None
    assert "after 2026-11-21" in form.errors["date"]
    assert form.values["kg"] == "61.5"


def test_a_lab_value_that_is_not_a_number_is_an_error_next_to_the_value() -> None:
    form = _form(date="2026-11-21", analyte="alt", value="abc", unit="U/L")
    assert read_event(EVENT_FORMS[EventType.LAB], form, TODAY) is None
    assert set(form.errors) == {"value"}


def test_a_liver_enzyme_in_a_lipid_unit_is_an_error_next_to_the_unit() -> None:
    form = _form(date="2026-11-21", analyte="alt", value="150", unit="mg/dL")
    assert read_event(EVENT_FORMS[EventType.LAB], form, TODAY) is None
    assert "U/L" in form.errors["unit"]


def test_an_upper_limit_of_normal_for_a_lipid_is_refused() -> None:
    form = _form(date="2026-11-21", analyte="triglycerides", value="150", unit="mg/dL",
                 uln="150")
    assert read_event(EVENT_FORMS[EventType.LAB], form, TODAY) is None
    assert set(form.errors) == {"uln"}


def test_a_lab_result_becomes_the_spec_s_lab_event_with_an_exact_value() -> None:
    form = _form(date="2026-11-20", analyte="alt", value="150.5", unit="U/L", uln="40")
    body = read_event(EVENT_FORMS[EventType.LAB], form, TODAY)
    assert body == {"type": "lab", "date": "2026-11-20", "analyte": "alt",
                    "value": Decimal("150.5"), "unit": "U/L", "uln": Decimal("40")}


def test_a_phq9_keeps_its_items_in_questionnaire_order() -> None:
    answers = {f"item_{i}": str(i % 4) for i in range(1, 10)}
    body = read_event(EVENT_FORMS[EventType.PHQ9], _form(date="2026-11-21", **answers), TODAY)
    assert body is not None and body["items"] == [i % 4 for i in range(1, 10)]
    assert parsed(body).items[8] == 1


def test_a_phq9_without_item_9_is_an_error_on_item_9_only() -> None:
    answers = {f"item_{i}": "0" for i in range(1, 9)}
    form = _form(date="2026-11-21", **answers)
    assert read_event(EVENT_FORMS[EventType.PHQ9], form, TODAY) is None
    assert set(form.errors) == {"item_9"}


def test_contraception_needs_methods_or_none_but_not_both() -> None:
    spec = EVENT_FORMS[EventType.CONTRACEPTION]
    empty = _form(date="2026-11-21")
    assert read_event(spec, empty, TODAY) is None and "methods" in empty.errors
    both = Form(values={"date": "2026-11-21", "no_method": "on", "methods": "iud"},
                lists={"methods": ["iud"]})
    assert read_event(spec, both, TODAY) is None and "methods" in both.errors
    none = _form(date="2026-11-21", no_method="on")
    assert read_event(spec, none, TODAY) == {"type": "contraception", "date": "2026-11-21",
                                             "methods": []}


def test_a_yes_no_question_has_no_silent_default() -> None:
    form = _form(date="2026-11-21")
    assert read_event(EVENT_FORMS[EventType.COMPREHENSION], form, TODAY) is None
    assert set(form.errors) == {"passed"}


def test_a_note_with_control_characters_is_refused_next_to_the_note() -> None:
    form = _form(date="2026-11-21", note="bad\x00note")
    assert read_event(EVENT_FORMS[EventType.COUNSELING], form, TODAY) is None
    assert set(form.errors) == {"note"}


@pytest.mark.parametrize(("error", "field"), [
    (RecordError([Problem("event.items[8]", "expected a whole number")]), "item_9"),
    (RecordError([Problem("event.date", "a clinical event cannot be dated after today")]),
     "date"),
    (InvalidInput("bad", field="date"), "date"),
])
def test_a_service_problem_is_put_next_to_its_field(error: Exception, field: str) -> None:
    form = _form()
    place_errors(EVENT_FORMS[EventType.PHQ9], form, error)  # type: ignore[arg-type]
    assert set(form.errors) == {field} and form.summary is None


def test_a_problem_about_no_field_goes_above_the_form() -> None:
    form = _form()
    place_errors(EVENT_FORMS[EventType.LAB], form, Conflict("the course changed"))
    place_errors(EVENT_FORMS[EventType.LAB], form,
                 RecordError([Problem("event.type", "not allowed")]))
    assert form.errors == {}
    assert form.summary == "the course changed; not allowed"


LIBRARY = load_rule_library()


def _offered(programme: str, can_get_pregnant: bool, on: dt.date = TODAY) -> set[str]:
    packs = [LIBRARY.in_force(programme, on), LIBRARY.in_force("monitoring", on)]
    types = programme_event_types(packs, can_get_pregnant)
    return {f.type.value for f in offered_forms(can_get_pregnant, types)}


def test_an_ipledge_patient_who_can_get_pregnant_is_offered_tests_and_comprehension() -> None:
    offered = _offered("us-ipledge", True)
    assert {"pregnancy_test", "contraception", "comprehension", "enrollment"} <= offered
    assert not {"mental_health_check", "sexual_function_check", "prescription",
                "dispense", "course_end"} & offered


def test_an_ipledge_patient_who_cannot_get_pregnant_is_offered_no_tests() -> None:
    offered = _offered("us-ipledge", False)
    assert "enrollment" in offered
    assert not {"pregnancy_test", "contraception", "comprehension"} & offered


def test_the_uk_programme_asks_for_its_assessments_and_only_while_in_force_a_second_prescriber(
        ) -> None:
    now = _offered("uk-mhra", False)
    assert {"mental_health_check", "sexual_function_check"} <= now
    assert not {"enrollment", "comprehension", "prescriber_agreement"} & now
    assert "prescriber_agreement" in _offered("uk-mhra", False, dt.date(2025, 1, 10))


def test_the_eu_programme_asks_for_none_of_the_other_programmes_steps() -> None:
    offered = _offered("eu-ppp", True)
    assert {"pregnancy_test", "contraception", "lab", "weight", "phq9"} <= offered
    assert not {"enrollment", "comprehension", "mental_health_check"} & offered
