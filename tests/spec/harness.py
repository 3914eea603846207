"""Spec tables: scenarios of a course record on a date → the engine's expected decision.

Each ``tests/spec/test_*.py`` module defines ``SCENARIOS: list[Scenario]`` and runs them with
``run_scenario``. The same scenarios generate the rule reference (tools/gen_docs.py) and,
with the clinic server, run through the API on both databases.

Records are written as course-record JSON (``course(...)`` and the ``ev`` helpers) and read
by the real parser, so every scenario is also a valid record.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from isocourse.catalog import load_catalog, load_rule_library
from isocourse.domain.record import parse_record
from isocourse.rules.engine import assess
from isocourse.rules.model import Assessment
from isocourse.rules.output import assessment_to_json

__all__ = ["Scenario", "course", "ev", "run_scenario", "scenario_id"]


def course(
    *,
    jurisdiction: str = "us-ipledge",
    can_get_pregnant: bool = True,
    birth_date: str = "2000-04-02",
    weight_kg: float = 60.0,
    product: str = "us-conventional",
    start_date: str | None = None,
    home_tests_allowed: bool = False,
    lab_profile: str = "default",
    events: Sequence[Mapping[str, Any]] = (),
    course_extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A course-record document (JSON-ready) with sensible defaults."""
    body: dict[str, Any] = {"jurisdiction": jurisdiction, "product": product,
                            "lab_profile": lab_profile, "home_tests_allowed": home_tests_allowed}
    if start_date is not None:
        body["start_date"] = start_date
    body.update(course_extra or {})
    return {
        "format": "isocourse-course/1",
        "patient": {"id": "p-spec", "birth_date": birth_date,
                    "can_get_pregnant": can_get_pregnant, "weight_kg": weight_kg},
        "course": body,
        "events": sorted((dict(e) for e in events), key=lambda e: e["date"]),
    }


class ev:
    """Event builders: ``ev.test("2026-10-03")`` is a negative lab pregnancy test."""

    @staticmethod
    def of(type_: str, date: str, **fields: Any) -> dict[str, Any]:
        return {"type": type_, "date": date, **fields}

    @staticmethod
    def enrollment(date: str) -> dict[str, Any]:
        return ev.of("enrollment", date)

    @staticmethod
    def consent(date: str) -> dict[str, Any]:
        return ev.of("risk_acknowledgement", date)

    @staticmethod
    def counseling(date: str) -> dict[str, Any]:
        return ev.of("counseling", date)

    @staticmethod
    def comprehension(date: str, passed: bool = True) -> dict[str, Any]:
        return ev.of("comprehension", date, passed=passed)

    @staticmethod
    def contraception(date: str, *methods: str) -> dict[str, Any]:
        return ev.of("contraception", date, methods=list(methods))

    @staticmethod
    def test(date: str, result: str = "negative", setting: str = "lab",
             **extra: Any) -> dict[str, Any]:
        return ev.of("pregnancy_test", date, result=result, setting=setting, **extra)

    @staticmethod
    def prescription(date: str, daily_mg: int = 60, days_supply: int = 30,
                     refills: int = 0) -> dict[str, Any]:
        return ev.of("prescription", date, daily_mg=daily_mg, days_supply=days_supply,
                     refills=refills)

    @staticmethod
    def dispense(date: str, daily_mg: int = 60, days_supply: int = 30) -> dict[str, Any]:
        return ev.of("dispense", date, daily_mg=daily_mg, days_supply=days_supply)

    @staticmethod
    def lab(date: str, analyte: str, value: float, unit: str,
            uln: float | None = None) -> dict[str, Any]:
        extra = {} if uln is None else {"uln": uln}
        return ev.of("lab", date, analyte=analyte, value=value, unit=unit, **extra)

    @staticmethod
    def phq9(date: str, *items: int) -> dict[str, Any]:
        return ev.of("phq9", date, items=list(items))

    @staticmethod
    def phq2(date: str, *items: int) -> dict[str, Any]:
        return ev.of("phq2", date, items=list(items))

    @staticmethod
    def side_effect(date: str, kind: str, grade: int) -> dict[str, Any]:
        return ev.of("side_effect", date, kind=kind, grade=grade)

    @staticmethod
    def end(date: str) -> dict[str, Any]:
        return ev.of("course_end", date)


@dataclass(frozen=True)
class Scenario:
    """One row of a spec table.

    ``expect`` maps rule ids to the severity each must have (at least one finding of that
    rule with that severity); ``absent`` lists rule ids that must raise no finding;
    ``due`` maps due items to their expected date (a subset of the due list); ``window`` is
    ``(start, end)``, ``None`` for "no window", or left out to not check it.
    """

    name: str
    record: Mapping[str, Any]
    on: str
    dispense_allowed: bool
    expect: Mapping[str, str] = field(default_factory=dict)
    absent: Sequence[str] = ()
    due: Mapping[str, str] = field(default_factory=dict)
    window: tuple[str, str] | str | None = "unchecked"
    rule_set: str | None = None
    effective_dates: Mapping[str, str] = field(default_factory=dict)
    doc: str = ""


def scenario_id(scenario: Scenario) -> str:
    return scenario.name.replace(" ", "_")


def evaluate(scenario: Scenario) -> Assessment:
    dates = {k: dt.date.fromisoformat(v) for k, v in scenario.effective_dates.items()}
    library = load_rule_library(effective_dates=dates or None)
    catalog = load_catalog()
    record = parse_record(json.loads(json.dumps(scenario.record)),
                          known_products=catalog.products)
    return assess(record, on=dt.date.fromisoformat(scenario.on), library=library,
                  catalog=catalog)


def check(scenario: Scenario, output: Mapping[str, Any]) -> None:
    """Compare an assessment (as spec JSON, from any path: engine or server) with a row."""
    shown = json.dumps(output, indent=1)
    assert output["dispense_allowed"] is scenario.dispense_allowed, shown
    severities: dict[str, set[str]] = {}
    for finding in output["findings"]:
        severities.setdefault(finding["rule_id"], set()).add(finding["severity"])
    for rule_id, severity in scenario.expect.items():
        assert severity in severities.get(rule_id, set()), f"{rule_id} {severity}?\n{shown}"
    for rule_id in scenario.absent:
        assert rule_id not in severities, f"{rule_id} should be silent\n{shown}"
    due = {(d["item"], d["due_date"]) for d in output["due"]}
    for item, date in scenario.due.items():
        assert (item, date) in due, f"due {item} {date}?\n{shown}"
    if scenario.window != "unchecked":
        window = output["window"]
        got = None if window is None else (window["start"], window["end"])
        assert got == scenario.window, f"window {got} != {scenario.window}\n{shown}"
    if scenario.rule_set is not None:
        assert output["rule_set"] == scenario.rule_set, shown
    if any(f["severity"] in ("block", "urgent") for f in output["findings"]):
        assert output["dispense_allowed"] is False


def run_scenario(scenario: Scenario) -> None:
    check(scenario, assessment_to_json(evaluate(scenario)))
