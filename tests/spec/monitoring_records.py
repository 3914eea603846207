"""Record builders for the monitoring spec table (tests/spec/test_monitoring.py).

Patients who cannot get pregnant, so the programme's own rules add nothing that stops
dispensing. The course starts on 2026-10-03; baseline labs are from 2026-09-20.
"""

from __future__ import annotations

from typing import Any

from tests.spec.harness import Scenario, course, ev

__all__ = ["BASELINE", "START", "baseline", "effect_row", "eu", "lab_row", "phq9_items",
           "started", "uk", "us"]

START = "2026-10-03"
BASELINE = "2026-09-20"
Event = dict[str, Any]


def baseline(date: str = BASELINE, *analytes: str) -> list[Event]:
    """Normal results for ``analytes`` (default: ALT, AST, TG, total cholesterol)."""
    normal = {"alt": (30, "U/L"), "ast": (30, "U/L"), "triglycerides": (150, "mg/dL"),
              "total-cholesterol": (180, "mg/dL")}
    return [ev.lab(date, a, *normal[a]) for a in analytes or normal]


def eu(*events: Event, profile: str = "default", start: str = START) -> dict[str, Any]:
    return course(jurisdiction="eu-ppp", can_get_pregnant=False, start_date=start,
                  lab_profile=profile, events=events)


def started(*events: Event, profile: str = "default") -> dict[str, Any]:
    """An EU course with normal baseline labs and its first dispense on the start date."""
    return eu(*baseline(), ev.dispense(START), *events, profile=profile)


def uk(*events: Event) -> dict[str, Any]:
    """A UK course (patient who cannot get pregnant) starting on the usual date."""
    return course(jurisdiction="uk-mhra", can_get_pregnant=False, start_date=START,
                  events=events)


def us(*events: Event) -> dict[str, Any]:
    """An iPLEDGE course with what the programme needs before the first fill."""
    return course(jurisdiction="us-ipledge", can_get_pregnant=False, start_date=START,
                  events=[ev.enrollment(BASELINE), ev.consent(BASELINE),
                          ev.counseling("2026-10-01"), ev.prescription("2026-10-01"), *events])


def lab_row(name: str, event: Event, rule: str, severity: str | None, doc: str,
            on: str = "2026-10-20", due: dict[str, str] | None = None) -> Scenario:
    """One event during the course (a lab result or a questionnaire, dated 2026-10-15 in
    the table), assessed on ``on``: ``severity`` of ``rule``, or silence when None."""
    expect = {} if severity is None else {rule: severity}
    return Scenario(name, started(event), on, severity not in ("block", "urgent"),
                    expect=expect, absent=[rule] if severity is None else [],
                    due=due or {}, doc=doc)


def phq9_items(total: int, item9: int = 0) -> list[int]:
    """Nine PHQ-9 answers (0–3) with this total and this answer to item 9."""
    answers, rest = [], total - item9
    for _ in range(8):
        answers.append(min(3, rest))
        rest -= answers[-1]
    return [*answers, item9]


def effect_row(name: str, reports: list[tuple[str, str, int]], expect: dict[str, str],
               doc: str, absent: tuple[str, ...] = ()) -> Scenario:
    """Side-effect reports ``(date, kind, grade)`` during the course, assessed 2026-11-01."""
    events = [ev.side_effect(d, k, g) for d, k, g in reports]
    return Scenario(name, started(*events), "2026-11-01",
                    not any(s in ("block", "urgent") for s in expect.values()),
                    expect=expect, absent=list(absent), doc=doc)
