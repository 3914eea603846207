"""Any input gives a course record or a RecordError, never another error; and no problem
echoes a value, wherever the value is put (values are patient data)."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from isocourse.adapters.fhir.mapping import bundle_to_course, course_to_bundle
from isocourse.domain.errors import RecordError
from isocourse.domain.record import CourseRecord, parse_record
from tests.unit.record.record_paths import DELETE, change, paths
from tests.unit.record.record_strategies import example

MARKERS = ("SECRET", "987654", "31337", "4711")

scalars = (
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12) | st.decimals()
)
json_like: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=16,
)
#: Values that look like FHIR values, so mutations get past the first gates.
near_misses: st.SearchStrategy[Any] = st.one_of(
    json_like,
    st.sampled_from(
        [
            "",
            "final",
            "entered-in-error",
            "completed",
            "not-taken",
            "plan",
            "order",
            "POST",
            "Observation",
            "Patient",
            "MedicationRequest",
            "QuestionnaireResponse",
            "Bundle",
            "collection",
            "transaction",
            "2026-10-01",
            "2026-02-30",
            "2026-10-01T10:00:00Z",
            "http://loinc.org",
            "http://unitsofmeasure.org",
            "1742-6",
            "U/L",
            "mg/dL",
            "ukat/L",
            "[lb_av]",
            "kg",
            "d",
            "mg",
            "urn:uuid:0",
            "1",
            "9",
            "https://isocourse.dev/fhir/StructureDefinition/supersedes",
            "https://isocourse.dev/fhir/CodeSystem/event-type",
            "{}",
            "[]",
            '{"a": 1}',
        ]
    ),
    st.integers(-3, 400),
    st.floats(-3, 400),
    st.just(DELETE),
)
#: Values marked so that an echo in a message is seen.
secrets: st.SearchStrategy[Any] = st.sampled_from(
    [
        "SECRET",
        "Jane SECRET Doe",
        "2026-13-31 SECRET",
        "SECRET-p-0001",
        987654.321,
        9876543,
        -31337,
        4711.5,
        31337.0,
        ["SECRET", 987654],
        {"k": 4711},
        {"k": "SECRET"},
        Decimal("4711.31337"),
        '{"SECRET": 4711}',
    ]
)


def _marked_bundle() -> dict[str, Any]:
    doc = example()
    doc["patient"]["id"] = "p-SECRET-4711"
    doc["events"][2]["note"] = "patient SECRET said 987654"
    doc["events"][9]["verified_by"] = "nurse SECRET"
    doc["events"][18]["prescriber"] = "dr SECRET"
    doc["events"][4]["value"] = 31337
    return course_to_bundle(parse_record(doc))


_BUNDLE = _marked_bundle()


def _import_or_record_error(bundle: object) -> None:
    try:
        assert isinstance(bundle_to_course(bundle), CourseRecord)
    except RecordError as error:
        assert error.problems
        for problem in error.problems:
            assert isinstance(problem.message, str) and problem.message
            for marker in MARKERS:
                assert marker not in str(problem), str(problem)


def _mutate(data: st.DataObject, bundle: Any, values: st.SearchStrategy[Any]) -> None:
    for _ in range(data.draw(st.integers(1, 4))):
        targets = paths(bundle)
        if not targets:
            return
        target = data.draw(st.sampled_from(targets))
        try:
            value = data.draw(values)
            # A sampled list or dict is one shared object: copy it, or a later change inside
            # it would alter the strategy itself.
            change(bundle, target, value if value is DELETE else copy.deepcopy(value))
        except (KeyError, IndexError, TypeError):
            return  # an earlier change removed the target's parent


@given(json_like)
def test_arbitrary_json_values_give_only_record_errors(value: object) -> None:
    _import_or_record_error(value)


@given(st.lists(json_like, max_size=4), st.sampled_from(["collection", "transaction", "x"]))
def test_a_bundle_of_arbitrary_entries_gives_only_record_errors(
    entries: list[Any],
    kind: str,
) -> None:
    _import_or_record_error({"resourceType": "Bundle", "type": kind, "entry": entries})


@given(st.data())
def test_a_valid_bundle_damaged_anywhere_gives_a_record_or_only_record_errors(
    data: st.DataObject,
) -> None:
    bundle = _marked_bundle_copy()
    _mutate(data, bundle, near_misses)
    _import_or_record_error(bundle)


@given(st.data())
def test_no_problem_echoes_a_value_wherever_it_is_put(data: st.DataObject) -> None:
    bundle = _marked_bundle_copy()
    _mutate(data, bundle, secrets)
    _import_or_record_error(bundle)


@given(st.data())
def test_entries_dropped_repeated_or_reordered_give_a_record_or_only_record_errors(
    data: st.DataObject,
) -> None:
    bundle = _marked_bundle_copy()
    entries = bundle["entry"]
    picked = data.draw(st.lists(st.sampled_from(range(len(entries))), max_size=len(entries) + 3))
    bundle["entry"] = [entries[i] for i in picked]
    _import_or_record_error(bundle)


def _marked_bundle_copy() -> dict[str, Any]:
    return copy.deepcopy(_BUNDLE)
