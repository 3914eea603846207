"""Side effects: advice for every kind, review of grade 2 or more, red flags, recency."""

from __future__ import annotations

import pytest

from isocourse.domain.record import SideEffectKind
from isocourse.rules.kinds.side_effects import advice_param
from tests.spec.harness import ev
from tests.unit.rules.monitoring_support import check, findings, rule

START = [ev.dispense("2026-10-03")]


def reported(*reports: tuple[str, str, int], on: str = "2026-11-01") -> dict[str, object]:
    return check(on, [*START, *(ev.side_effect(d, k, g) for d, k, g in reports)])


def test_every_side_effect_kind_has_advice_with_a_source() -> None:
    spec = rule("monitoring.side-effects")
    for kind in SideEffectKind:
        param = spec.params[advice_param(kind)]
        assert str(param.value).strip() and param.source is not None, kind


@pytest.mark.parametrize("kind", list(SideEffectKind))
def test_a_mild_report_of_any_kind_gives_its_advice_as_information(kind: SideEffectKind) -> None:
    out = reported(("2026-10-20", kind.value, 1))
    (_, severity, message), = findings(out, "monitoring.side-effects")
    assert severity == "info"
    assert str(rule("monitoring.side-effects").value(advice_param(kind))) in message
    assert out["dispense_allowed"] is True


def test_the_advice_carries_what_the_reference_and_label_say() -> None:
    spec = rule("monitoring.side-effects")
    assert "7–10 days" in spec.value("advice_initial_flare")
    assert "6 months" in spec.value("advice_dry_skin")
    assert "lip balm" in spec.value("advice_cheilitis")
    assert "sunscreen" in spec.value("advice_photosensitivity")
    assert "eye drops" in spec.value("advice_dry_eyes")


@pytest.mark.parametrize(("grade", "severity"), [(1, "info"), (2, "warning"), (3, "warning")])
def test_grade_2_or_more_is_reviewed(grade: int, severity: str) -> None:
    out = reported(("2026-10-20", "arthralgia", grade))
    assert [f[1] for f in findings(out, "monitoring.side-effects")] == [severity]


@pytest.mark.parametrize(("reported_on", "counts"), [("2026-10-02", True),
                                                     ("2026-10-01", False)])
def test_only_reports_of_the_last_30_days_count(reported_on: str, counts: bool) -> None:
    out = reported((reported_on, "dry-eyes", 2), on="2026-11-01")
    assert bool(findings(out, "monitoring.side-effects")) is counts


def test_the_latest_report_of_a_kind_counts() -> None:
    out = reported(("2026-10-20", "rash", 3), ("2026-10-25", "rash", 1))
    assert [f[1] for f in findings(out, "monitoring.side-effects")] == ["info"]
    assert findings(out, "monitoring.red-flags") == []


@pytest.mark.parametrize(("reports", "flag"), [
    ((("2026-10-20", "headache", 1), ("2026-10-22", "visual-disturbance", 1)),
     "monitoring.red-flags.intracranial-pressure"),
    ((("2026-10-20", "abdominal-pain", 3),), "monitoring.red-flags.pancreatitis"),
    ((("2026-10-20", "rash", 3),), "monitoring.red-flags.severe-rash"),
    ((("2026-10-20", "mood-change", 3),), "monitoring.red-flags.mood"),
])
def test_red_flags_are_urgent_and_stop_dispensing(reports: tuple[tuple[str, str, int], ...],
                                                  flag: str) -> None:
    out = reported(*reports)
    assert [(f[0], f[1]) for f in findings(out, "monitoring.red-flags")] == [(flag, "urgent")]
    assert out["dispense_allowed"] is False


@pytest.mark.parametrize("reports", [
    (("2026-10-20", "headache", 3),),
    (("2026-10-20", "visual-disturbance", 2),),
    (("2026-09-20", "headache", 2), ("2026-10-22", "visual-disturbance", 1)),
    (("2026-10-20", "abdominal-pain", 2),),
    (("2026-10-20", "rash", 2),),
    (("2026-10-20", "mood-change", 2),),
])
def test_no_red_flag_below_its_threshold_or_outside_the_window(
        reports: tuple[tuple[str, str, int], ...]) -> None:
    assert findings(reported(*reports), "monitoring.red-flags") == []
