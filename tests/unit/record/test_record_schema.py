"""The JSON Schema says what the parser does.

The schema is checked against the parser four ways: every valid record validates; every
structural problem of the error table is refused by both; for records damaged at random,
the parser refuses whatever the schema refuses and accepts nothing the schema refuses, and
any difference is one of the rules a schema cannot state; and the schema's code lists and
members are the parser's.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from isocourse.domain.errors import Problem, RecordError
from isocourse.domain.record import (
    ContraceptionMethod,
    CourseRecord,
    EventType,
    Jurisdiction,
    LabAnalyte,
    LabUnit,
    SideEffectKind,
    course_schema,
    parse_record,
    record_to_json,
)
from isocourse.domain.record._parse_events import COMMON_FIELDS, EVENT_FIELDS
from tests.unit.record.record_paths import change, paths
from tests.unit.record.record_strategies import example, json_values, records
from tests.unit.record.test_record_errors import CASES

SCHEMA = course_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

#: What the parser checks and a schema cannot say (listed in the schema's description).
PARSER_ONLY_MESSAGES = (
    "expected a real calendar date",
    "expected the id of an earlier event",
    "already supersedes the same event",
    "duplicate id",
    "events must be in date order",
    "JSON carries exactly",
    "expected JSON data only",
)


def _parser_only(problem: Problem) -> bool:
    return any(text in problem.message for text in PARSER_ONLY_MESSAGES)


def _problems(doc: Any) -> tuple[Problem, ...]:
    try:
        parse_record(doc)
    except RecordError as error:
        return error.problems
    return ()


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_course_schema_returns_a_fresh_copy_each_time() -> None:
    course_schema()["title"] = "changed"
    assert course_schema()["title"] == SCHEMA["title"]


def test_the_spec_example_validates() -> None:
    VALIDATOR.validate(example())


@given(records())
def test_every_valid_record_validates_against_the_schema(record: CourseRecord) -> None:
    VALIDATOR.validate(record_to_json(record))


STRUCTURAL = [case for case in CASES
              if not any(text in case[3] for text in PARSER_ONLY_MESSAGES)
              and case[1] == case[1]]  # NaN is not JSON; its row is below


@pytest.mark.parametrize(("where", "value", "path", "message"), STRUCTURAL,
                         ids=[f"{c[0]}={c[1]!r}"[:60] for c in STRUCTURAL])
def test_the_schema_refuses_every_structural_problem_the_parser_refuses(
    where: str, value: object, path: str, message: str
) -> None:
    doc = change(example(), where, value)
    assert _problems(doc) == (Problem(path, message),)
    assert not VALIDATOR.is_valid(doc)


@pytest.mark.parametrize(
    ("where", "value"),
    [("events[5].date", "2026-09-01"), ("events[9].id", "hcg-1"),
     ("events[19].supersedes", "nope"), ("patient.birth_date", "2007-02-29")],
)
def test_rules_across_members_are_left_to_the_parser(where: str, value: object) -> None:
    doc = change(example(), where, value)
    assert _problems(doc)
    assert all(_parser_only(p) for p in _problems(doc))
    assert VALIDATOR.is_valid(doc)


def test_a_validator_that_asserts_formats_also_refuses_impossible_dates() -> None:
    strict = jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert not strict.is_valid(change(example(), "patient.birth_date", "2007-02-29"))
    assert strict.is_valid(example())


junk: st.SearchStrategy[Any] = st.one_of(
    json_values,
    st.sampled_from(["", " ", "lab", "negative", "U/L", "mmol/L", "alt", "iud", "2026-10-01",
                     "2026-02-30", "20261001", "x", "us-ipledge", "hcg-1", 20, 250, 3, 9]),
    st.integers(-3, 400), st.floats(-3, 400),
)


@st.composite
def damaged(draw: st.DrawFn) -> Any:
    """A valid record with a few members replaced, removed or added."""
    doc = record_to_json(draw(records(max_events=4)))
    for _ in range(draw(st.integers(1, 3))):
        *parent_path, step = draw(st.sampled_from(paths(doc)))
        parent: Any = doc
        for parent_step in parent_path:
            parent = parent[parent_step]
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "remove" and isinstance(parent, dict):
            del parent[step]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["resutl", "kg", "items", "uln", "extensions"]))] = (
                draw(junk))
        else:
            parent[step] = draw(junk)
    return doc


@given(damaged())
def test_the_parser_and_the_schema_agree_on_damaged_records(doc: Any) -> None:
    problems = _problems(doc)
    if VALIDATOR.is_valid(doc):
        assert all(_parser_only(p) for p in problems), problems
    else:
        assert problems, sorted(e.message for e in VALIDATOR.iter_errors(doc))


def _enum(name: str) -> list[str]:
    return list(SCHEMA["$defs"][name]["enum"])


def test_the_schema_code_lists_are_the_parsers() -> None:
    assert _enum("contraception_method") == [m.value for m in ContraceptionMethod]
    assert _enum("lab_analyte") == [a.value for a in LabAnalyte]
    assert _enum("side_effect_kind") == [k.value for k in SideEffectKind]
    assert SCHEMA["$defs"]["event"]["properties"]["type"]["enum"] == [t.value for t in EventType]
    course = SCHEMA["$defs"]["course"]["properties"]
    assert course["jurisdiction"]["enum"] == [j.value for j in Jurisdiction]
    lab = SCHEMA["$defs"]["event_lab"]["properties"]
    assert lab["unit"]["enum"] == [u.value for u in LabUnit]


@pytest.mark.parametrize("kind", list(EventType))
def test_each_event_type_has_the_parsers_members_and_required_members(kind: EventType) -> None:
    definition = SCHEMA["$defs"][f"event_{kind.value}"]
    members = [*COMMON_FIELDS, *EVENT_FIELDS[kind]]
    assert definition["additionalProperties"] is False
    assert set(definition["properties"]) == {"type", "extensions", *(f.name for f in members)}
    assert set(definition["required"]) == {"type", *(f.name for f in members if f.required)}
    assert definition["properties"]["type"] == {"const": kind.value}
