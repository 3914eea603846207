"""Acne severity scales (clinical.md §8): IGA grades and the GAGS calculator."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isocourse.domain.errors import InvalidInput
from isocourse.domain.severity import (
    GAGS_LESIONS,
    GAGS_MAX,
    GAGS_REGIONS,
    IGA_GRADES,
    GagsBand,
    gags_band,
    gags_score,
    iga_grade,
    named_severe,
)

REGIONS = [r.key for r in GAGS_REGIONS]
grades = st.fixed_dictionaries({key: st.integers(0, 4) for key in REGIONS})


def test_gags_regions_and_factors_are_those_of_doshi_1997() -> None:
    assert [(r.key, r.factor) for r in GAGS_REGIONS] == [
        ("forehead", 2), ("right_cheek", 2), ("left_cheek", 2), ("nose", 1), ("chin", 1),
        ("chest_back", 3)]
    assert [name for _, name in GAGS_LESIONS] == [
        "none", "comedone", "papule", "pustule", "nodule"]


def test_the_gags_maximum_is_44() -> None:
    assert GAGS_MAX == 44
    assert gags_score(dict.fromkeys(REGIONS, 4)).total == 44


@given(grades)
def test_the_gags_total_is_the_sum_of_factor_times_grade(chosen: dict[str, int]) -> None:
    score = gags_score(chosen)
    factors = {r.key: r.factor for r in GAGS_REGIONS}
    assert score.total == sum(factors[k] * g for k, g in chosen.items())
    assert score.local == {k: factors[k] * g for k, g in chosen.items()}
    assert 0 <= score.total <= GAGS_MAX
    assert score.band is gags_band(score.total)


@given(grades, st.sampled_from(REGIONS))
def test_a_worse_lesion_in_one_region_never_lowers_the_total(chosen: dict[str, int],
                                                             region: str) -> None:
    worse = dict(chosen, **{region: min(4, chosen[region] + 1)})
    assert gags_score(worse).total >= gags_score(chosen).total


@pytest.mark.parametrize(("total", "band"), [
    (0, GagsBand.NONE), (1, GagsBand.MILD), (18, GagsBand.MILD), (19, GagsBand.MODERATE),
    (30, GagsBand.MODERATE), (31, GagsBand.SEVERE), (38, GagsBand.SEVERE),
    (39, GagsBand.VERY_SEVERE), (44, GagsBand.VERY_SEVERE)])
def test_gags_bands_change_exactly_at_their_published_edges(total: int, band: GagsBand) -> None:
    assert gags_band(total) is band


@given(st.integers(0, GAGS_MAX), st.integers(0, GAGS_MAX))
def test_gags_bands_never_go_down_as_the_total_goes_up(a: int, b: int) -> None:
    order = list(GagsBand)
    low, high = sorted((a, b))
    assert order.index(gags_band(low)) <= order.index(gags_band(high))


@pytest.mark.parametrize("total", [-1, 45, 100])
def test_a_total_outside_0_to_44_is_refused(total: int) -> None:
    with pytest.raises(InvalidInput):
        gags_band(total)


@given(grades, st.sampled_from(REGIONS))
def test_a_missing_region_is_refused_and_named(chosen: dict[str, int], region: str) -> None:
    del chosen[region]
    with pytest.raises(InvalidInput) as refused:
        gags_score(chosen)
    assert refused.value.field == f"gags_{region}"


@pytest.mark.parametrize("grade", [-1, 5, True])
def test_an_impossible_lesion_grade_is_refused(grade: int) -> None:
    chosen = dict.fromkeys(REGIONS, 0)
    chosen["nose"] = grade
    with pytest.raises(InvalidInput) as refused:
        gags_score(chosen)
    assert refused.value.field == "gags_nose"


def test_iga_grades_run_from_clear_to_severe_with_unconfirmed_wording_marked() -> None:
    assert [(g.grade, g.name) for g in IGA_GRADES] == [
        (0, "clear"), (1, "almost clear"), (2, "mild"), (3, "moderate"), (4, "severe")]
    assert [g.grade for g in IGA_GRADES if g.unconfirmed] == [3, 4]
    assert "no nodules" in iga_grade(2).text


@pytest.mark.parametrize("grade", [-1, 5])
def test_an_iga_grade_outside_0_to_4_is_refused(grade: int) -> None:
    with pytest.raises(InvalidInput):
        iga_grade(grade)


@given(st.one_of(st.none(), st.integers(0, 4)), st.one_of(st.none(), grades))
def test_the_scales_name_acne_severe_only_at_iga_4_or_a_gags_of_31_and_above(
        iga: int | None, chosen: dict[str, int] | None) -> None:
    score = gags_score(chosen) if chosen is not None else None
    expected = iga == 4 or (score is not None and score.total >= 31)
    assert named_severe(iga, score) is expected
