"""Refusing bad course records: every kind of problem, each at its JSON path, all at once.

Each row changes the spec example in one place and names the one problem that must follow,
so the table doubles as the list of the parser's messages.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from isocourse.domain.errors import Problem, RecordError
from isocourse.domain.record import parse_record
from tests.unit.record.record_paths import DELETE, change
from tests.unit.record.record_strategies import example

EVENT_TYPES = (
    'expected one of "enrollment", "risk_acknowledgement", "counseling", "comprehension", '
    '"contraception", "pregnancy_test", "lab", "weight", "prescription", "dispense", "dose", '
    '"phq2", "phq9", "side_effect", "sexual_function_check", "mental_health_check", '
    '"prescriber_agreement", "course_end"'
)
TEXT = "expected a non-empty string"
BOOL = "expected true or false"
DATE = "expected a date YYYY-MM-DD"
MISSING = "missing required field"
WEIGHT = "expected a number from 20 to 250 kg"
MG = "expected a whole number of mg"
JSON_ONLY = ("expected JSON data only (objects with string keys, arrays, strings, finite "
             "numbers, booleans, null; at most 64 levels deep)")

# (where to change, new value, path of the problem, message)
CASES: list[tuple[str, object, str, str]] = [
    ("format", "isocourse-course/2", "format", 'expected "isocourse-course/1"'),
    ("format", DELETE, "format", MISSING),
    ("comments", "x", "", 'unknown field "comments"'),
    ("patient", DELETE, "patient", MISSING),
    ("patient", [], "patient", "expected an object"),
    ("patient.name", "x", "patient", 'unknown field "name"'),
    ("patient.id", "", "patient.id", TEXT),
    ("patient.id", "   ", "patient.id", TEXT),
    ("patient.id", 17, "patient.id", TEXT),
    ("patient.birth_date", "02/04/2008", "patient.birth_date", DATE),
    ("patient.birth_date", "20080402", "patient.birth_date", DATE),
    ("patient.birth_date", "2008-04-02T00:00", "patient.birth_date", DATE),
    ("patient.birth_date", "2007-02-29", "patient.birth_date",
     "expected a real calendar date YYYY-MM-DD"),
    ("patient.can_get_pregnant", "yes", "patient.can_get_pregnant", BOOL),
    ("patient.can_get_pregnant", 1, "patient.can_get_pregnant", BOOL),
    ("patient.weight_kg", True, "patient.weight_kg", "expected a number"),
    ("patient.weight_kg", "58", "patient.weight_kg", "expected a number"),
    ("patient.weight_kg", float("inf"), "patient.weight_kg", "expected a number"),
    ("patient.weight_kg", float("nan"), "patient.weight_kg", "expected a number"),
    ("patient.weight_kg", 19.99, "patient.weight_kg", WEIGHT),
    ("patient.weight_kg", 250.01, "patient.weight_kg", WEIGHT),
    ("patient.weight_kg", DELETE, "patient.weight_kg", MISSING),
    ("course.jurisdiction", "us", "course.jurisdiction",
     'expected one of "us-ipledge", "eu-ppp", "uk-mhra"'),
    ("course.product", "", "course.product", TEXT),
    ("course.start_date", None, "course.start_date", DATE),
    ("course.lab_profile", 3, "course.lab_profile", TEXT),
    ("course.home_tests_allowed", 0, "course.home_tests_allowed", BOOL),
    ("events", {}, "events", "expected an array"),
    ("events", DELETE, "events", MISSING),
    ("events[0]", "enrollment", "events[0]", "expected an object"),
    ("events[0].type", DELETE, "events[0].type", MISSING),
    ("events[0].type", "enrolment", "events[0].type", EVENT_TYPES),
    ("events[0].date", DELETE, "events[0].date", MISSING),
    ("events[0].id", "", "events[0].id", TEXT),
    ("events[2].note", 5, "events[2].note", TEXT),
    ("events[8].resutl", "negative", "events[8]", 'unknown field "resutl"'),
    ("events[8].result", "maybe", "events[8].result", 'expected "negative" or "positive"'),
    ("events[8].result", DELETE, "events[8].result", MISSING),
    ("events[8].setting", "clinic", "events[8].setting",
     'expected one of "lab", "office", "home"'),
    ("events[9].verified_by", False, "events[9].verified_by", TEXT),
    ("events[10].passed", "yes", "events[10].passed", BOOL),
    ("events[3].methods", "iud", "events[3].methods", "expected an array"),
    ("events[3].methods[1]", "coil", "events[3].methods[1]",
     'expected one of "iud", "implant", "injection", "combined-pill", "patch", '
     '"vaginal-ring", "tubal-ligation", "partner-vasectomy", "male-condom", "diaphragm", '
     '"cervical-cap", "sponge", "progestin-only-pill", "abstinence"'),
    ("events[3].methods[1]", "iud", "events[3].methods[1]", "lists the same value twice"),
    ("events[4].analyte", "ggt", "events[4].analyte",
     'expected one of "alt", "ast", "triglycerides", "total-cholesterol", "ldl", "hdl"'),
    ("events[4].unit", "mg/dL", "events[4].unit", 'expected "U/L" for a liver enzyme'),
    ("events[5].unit", "U/L", "events[5].unit", 'expected "mg/dL" or "mmol/L" for a lipid'),
    ("events[4].unit", "IU/L", "events[4].unit", 'expected one of "U/L", "mg/dL", "mmol/L"'),
    ("events[4].value", -1, "events[4].value", "expected a number from 0 to 1000000"),
    ("events[4].value", False, "events[4].value", "expected a number"),
    ("events[4].uln", 0, "events[4].uln", "expected a number from 0.001 to 1000000"),
    ("events[14].kg", 300, "events[14].kg", WEIGHT),
    ("events[11].daily_mg", 40.5, "events[11].daily_mg", MG),
    ("events[11].daily_mg", True, "events[11].daily_mg", MG),
    ("events[11].daily_mg", "40", "events[11].daily_mg", MG),
    ("events[11].daily_mg", 0, "events[11].daily_mg", MG + " from 1 to 1000"),
    ("events[11].days_supply", 0, "events[11].days_supply",
     "expected a whole number of days from 1 to 366"),
    ("events[11].refills", -1, "events[11].refills",
     "expected a whole number of refills from 0 to 12"),
    ("events[12].days_supply", 30.5, "events[12].days_supply", "expected a whole number of days"),
    ("events[13].mg", -1, "events[13].mg", MG + " from 0 to 1000"),
    ("events[13].taken", 1, "events[13].taken", BOOL),
    ("events[6].items", [0, 1, 2], "events[6].items", "expected exactly 2 scores"),
    ("events[7].items", "000000000", "events[7].items", "expected an array of 9 scores"),
    ("events[7].items[3]", 4, "events[7].items[3]", "expected a whole number from 0 to 3"),
    ("events[7].items[8]", 1.5, "events[7].items[8]", "expected a whole number"),
    ("events[15].kind", "acne", "events[15].kind",
     'expected one of "cheilitis", "dry-skin", "dry-eyes", "epistaxis", "arthralgia", '
     '"myalgia", "back-pain", "headache", "visual-disturbance", "photosensitivity", '
     '"hair-thinning", "mood-change", "abdominal-pain", "rash", "initial-flare"'),
    ("events[15].grade", 4, "events[15].grade", "expected a whole-number grade from 1 to 3"),
    ("events[16].concern", None, "events[16].concern", BOOL),
    ("events[17].concern", DELETE, "events[17].concern", MISSING),
    ("events[18].prescriber", " ", "events[18].prescriber", TEXT),
    ("events[19].reason", 1, "events[19].reason", TEXT),
    ("events[9].supersedes", "hcg-1", "events[9].reason", 'required when "supersedes" is set'),
    ("events[19].supersedes", "nope", "events[19].supersedes",
     "expected the id of an earlier event"),
    ("events[0]", {"type": "enrollment", "date": "2026-09-01", "supersedes": "hcg-1",
                   "reason": "r"}, "events[0].supersedes", "expected the id of an earlier event"),
    ("events[9].id", "hcg-1", "events[9].id", "duplicate id: events[8] has the same id"),
    ("events[5].date", "2026-09-01", "events[5].date",
     "events must be in date order: this date is before the date of an earlier event"),
    ("events[19].date", "2026-01-01", "events[19].date",
     "events must be in date order: this date is before the date of an earlier event"),
    ("extensions", [], "extensions", "expected an object"),
    ("extensions", {"x": float("nan")}, "extensions", JSON_ONLY),
    ("events[0].extensions", {"x": {1, 2}}, "events[0].extensions", JSON_ONLY),
    ("events[0].extensions", "x", "events[0].extensions", "expected an object"),
    ("patient.weight_kg", Decimal("58.0000000000000000001"), "patient.weight_kg",
     "expected a number that JSON carries exactly (at most 15 significant digits)"),
]


@pytest.mark.parametrize(("where", "value", "path", "message"), CASES,
                         ids=[f"{c[0]}={c[1]!r}"[:60] for c in CASES])
def test_names_the_path_and_the_expected_form_of_each_kind_of_problem(
    where: str, value: object, path: str, message: str
) -> None:
    doc = change(example(), where, value)
    with pytest.raises(RecordError) as caught:
        parse_record(doc)
    assert caught.value.problems == (Problem(path, message),)


def test_reports_every_problem_with_its_json_path() -> None:
    doc = example()
    for where, value in [
        ("format", "isocourse-course/2"),
        ("patient.birth_date", "02/04/2008"),
        ("course.product", ""),
        ("events[4].unit", "mg/dL"),
        ("events[6].items", [0, 1, 2]),
        ("events[8].resutl", "negative"),
        ("events[8].result", "maybe"),
        ("events[17].concern", DELETE),
        ("events[19].date", "2026-01-01"),
    ]:
        change(doc, where, value)
    with pytest.raises(RecordError) as caught:
        parse_record(doc)
    assert [str(p) for p in caught.value.problems] == [
        'format: expected "isocourse-course/1"',
        "patient.birth_date: expected a date YYYY-MM-DD",
        "course.product: expected a non-empty string",
        'events[4].unit: expected "U/L" for a liver enzyme',
        "events[6].items: expected exactly 2 scores",
        'events[8]: unknown field "resutl"',
        'events[8].result: expected "negative" or "positive"',
        "events[17].concern: missing required field",
        "events[19].date: events must be in date order: this date is before the date of an "
        "earlier event",
    ]


def test_the_message_lists_each_problem_on_its_own_line() -> None:
    doc = change(change(example(), "format", "x"), "events[8].result", "maybe")
    with pytest.raises(RecordError) as caught:
        parse_record(doc)
    assert str(caught.value) == (
        "the course record has 2 problems\n"
        '  format: expected "isocourse-course/1"\n'
        '  events[8].result: expected "negative" or "positive"'
    )
    assert caught.value.code == "invalid-record"
    assert caught.value.exit_code == 2


def test_a_bad_field_does_not_hide_an_ordering_or_id_problem_in_the_same_event() -> None:
    doc = change(example(), "events[19].date", "2026-01-01")
    change(doc, "events[19].reason", 5)
    change(doc, "events[18].id", "enr")
    with pytest.raises(RecordError) as caught:
        parse_record(doc)
    assert [p.path for p in caught.value.problems] == [
        "events[18].id", "events[19].reason", "events[19].date"]


@pytest.mark.parametrize("document", [None, [], "record", 1, True])
def test_refuses_a_document_that_is_not_an_object(document: object) -> None:
    with pytest.raises(RecordError) as caught:
        parse_record(document)
    assert caught.value.problems == (Problem("", "expected a JSON object"),)


def test_refuses_field_names_that_are_not_strings() -> None:
    doc = example()
    doc["patient"][1] = "x"
    with pytest.raises(RecordError) as caught:
        parse_record(doc)
    assert caught.value.problems == (Problem("patient", "field names must be strings"),)


def test_does_not_report_the_members_of_an_event_of_unknown_type_as_unknown() -> None:
    doc = change(example(), "events[8].type", "pregnancy")
    with pytest.raises(RecordError) as caught:
        parse_record(doc)
    assert [p.path for p in caught.value.problems] == ["events[8].type"]


def test_refuses_extensions_nested_deeper_than_sixty_four_levels() -> None:
    deep: object = "bottom"
    for _ in range(100):
        deep = {"x": deep}
    doc = example()
    doc["extensions"] = deep
    with pytest.raises(RecordError) as caught:
        parse_record(doc)
    assert caught.value.problems == (Problem("extensions", JSON_ONLY),)


def test_an_event_is_corrected_at_most_once() -> None:
    doc = example()
    for reason in ("first", "second"):
        doc["events"].insert(9, {"type": "pregnancy_test", "date": "2026-09-02",
                                 "result": "negative", "setting": "lab",
                                 "supersedes": "hcg-1", "reason": reason})
    with pytest.raises(RecordError) as caught:
        parse_record(doc)
    assert caught.value.problems == (
        Problem("events[10].supersedes", "events[9] already supersedes the same event"),)


def test_known_products_restrict_the_course_product_and_prescription_products() -> None:
    doc = change(example(), "events[11].product", "uk-generic")
    with pytest.raises(RecordError) as caught:
        parse_record(doc, known_products={"us-conventional", "us-absorica"})
    assert caught.value.problems == (
        Problem("events[11].product", 'expected "us-absorica" or "us-conventional"'),)
    with pytest.raises(RecordError) as caught:
        parse_record(example(), known_products=["uk-generic"])
    assert caught.value.problems == (
        Problem("course.product", 'expected "uk-generic"'),
        Problem("events[11].product", 'expected "uk-generic"'),
    )


def test_the_problem_table_covers_every_event_type_that_has_members_of_its_own() -> None:
    events = example()["events"]
    covered = {events[int(path[len("events["):path.index("]")])]["type"]
               for _, _, path, _ in CASES if path.startswith("events[")}
    without_members = {"enrollment", "risk_acknowledgement", "counseling", "course_end"}
    assert covered >= {e["type"] for e in events} - without_members
