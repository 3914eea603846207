"""Mood: PHQ-9 bands, item 9, PHQ-2 screening and the periodic PHQ-9."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isocourse.rules.kinds.mood import PHQ9_BANDS, phq9_band
from tests.spec.harness import ev
from tests.unit.rules.monitoring_support import check, due, findings, library, rule

CUTS = [5, 10, 15, 20]
START = [ev.dispense("2026-10-03")]


def items(total: int, item9: int = 0) -> list[int]:
    """Nine PHQ-9 answers with the given total and item 9."""
    rest, answers = total - item9, []
    for _ in range(8):
        answers.append(min(3, rest))
        rest -= answers[-1]
    assert rest == 0
    return [*answers, item9]


@pytest.mark.parametrize(("total", "band"), [
    (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"),
    (14, "moderate"), (15, "moderately severe"), (19, "moderately severe"), (20, "severe"),
    (27, "severe"),
])
def test_phq9_bands_follow_kroenke_at_both_edges(total: int, band: str) -> None:
    assert phq9_band(total, CUTS) == band


@given(st.integers(0, 27), st.integers(0, 27))
def test_the_band_never_falls_as_the_total_rises(a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert PHQ9_BANDS.index(phq9_band(low, CUTS)) <= PHQ9_BANDS.index(phq9_band(high, CUTS))


def test_the_packaged_cut_points_are_kroenkes() -> None:
    assert rule("monitoring.phq9").value("bands") == CUTS
    assert rule("monitoring.phq2").value("positive_at") == 3


def test_bad_cut_points_are_refused() -> None:
    with pytest.raises(ValueError, match="four ascending"):
        phq9_band(3, [10, 5, 15, 20])


@pytest.mark.parametrize(("total", "severity"), [
    (4, None), (5, "info"), (9, "info"), (10, "warning"), (24, "warning")])
def test_phq9_totals_raise_the_right_severity(total: int, severity: str | None) -> None:
    out = check("2026-10-20", [*START, ev.phq9("2026-10-15", *items(total))])
    assert [f[1] for f in findings(out, "monitoring.phq9")] == (
        [] if severity is None else [severity])


def test_any_answer_to_item_9_is_urgent_whatever_the_total() -> None:
    out = check("2026-10-20", [*START, ev.phq9("2026-10-15", *items(1, item9=1))])
    assert [f[1] for f in findings(out, "monitoring.self-harm")] == ["urgent"]
    assert out["dispense_allowed"] is False
    assert "p-spec" not in findings(out, "monitoring.self-harm")[0][2]


def test_a_later_phq9_clears_item_9_but_a_later_phq2_does_not() -> None:
    events = [*START, ev.phq9("2026-10-15", *items(3, item9=1))]
    later_phq2 = check("2026-10-25", [*events, ev.phq2("2026-10-20", 0, 0)])
    assert findings(later_phq2, "monitoring.self-harm")
    later_phq9 = check("2026-10-25", [*events, ev.phq9("2026-10-20", *items(0))])
    assert findings(later_phq9, "monitoring.self-harm") == []
    assert later_phq9["dispense_allowed"] is True


@pytest.mark.parametrize(("answers", "positive"), [((1, 1), False), ((2, 1), True),
                                                    ((3, 3), True)])
def test_a_positive_phq2_asks_for_a_phq9(answers: tuple[int, int], positive: bool) -> None:
    out = check("2026-10-20", [*START, ev.phq2("2026-10-15", *answers)])
    assert bool(findings(out, "monitoring.phq2")) is positive
    assert (("phq9", "2026-10-15", ()) in due(out, "monitoring.phq2")) is positive


def test_a_phq9_on_or_after_a_positive_phq2_answers_it() -> None:
    events = [*START, ev.phq2("2026-10-15", 2, 2), ev.phq9("2026-10-15", *items(4))]
    assert findings(check("2026-10-20", events), "monitoring.phq2") == []


def test_the_more_sensitive_phq2_cut_off_is_a_setting() -> None:
    lib = library('[[overrides]]\nrule = "monitoring.phq2"\nparams.positive_at = 2\n')
    out = check("2026-10-20", [*START, ev.phq2("2026-10-15", 1, 1)], lib=lib)
    assert [f[1] for f in findings(out, "monitoring.phq2")] == ["warning"]


def test_a_phq9_is_due_before_the_first_dose_then_monthly_then_not_after_the_end() -> None:
    before = check("2026-09-20", [], start_date="2026-10-03")
    assert due(before, "monitoring.phq9") == [("phq9", "2026-10-03", ())]
    started = check("2026-10-20", START, start_date="2026-10-03")
    assert due(started, "monitoring.phq9") == [("phq9", "2026-10-03", ())]
    screened = check("2026-10-20", [*START, ev.phq9("2026-10-15", *items(0))])
    assert due(screened, "monitoring.phq9") == [("phq9", "2026-11-15", ())]
    ended = check("2027-05-01", [*START, ev.phq9("2026-10-15", *items(0)),
                                 ev.end("2027-03-01")])
    assert due(ended, "monitoring.phq9") == []
