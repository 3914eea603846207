"""Acne severity scales used for eligibility: the IGA (0-4) and the GAGS (Doshi 1997).

Pure data and arithmetic (clinical.md §8); nothing here decides eligibility. The new-course
page shows these scales next to the eligibility checklist and records what the prescriber
chose.

* **IGA** (Investigator's Global Assessment, FDA-style, 0-4): the text of each grade is that
  of the FDA guidance "Acne Vulgaris: Establishing Effectiveness of Drugs Intended for
  Treatment" (May 2018) as quoted by secondary sources; the grade 3 and grade 4 wording is
  **unconfirmed** verbatim (clinical.md §8), and :attr:`IgaGrade.unconfirmed` says so.
* **GAGS** (Global Acne Grading System, Doshi, Zaheer and Stiller 1997, as reproduced by
  Adityan et al., Indian J Dermatol Venereol Leprol 2009;75:323-6): six regions, each with a
  factor; the most severe lesion in a region grades it (none 0, comedone 1, papule 2,
  pustule 3, nodule 4); the local score is factor x grade and the global score is their
  sum, at most 44 (11 x 4). Bands: 1-18 mild, 19-30 moderate, 31-38 severe, 39 and above
  very severe. A total of 0 (no lesions) falls in no published band: isocourse calls it
  "none" (a design choice).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from isocourse.domain.errors import InvalidInput

__all__ = [
    "GAGS_LESIONS",
    "GAGS_MAX",
    "GAGS_REGIONS",
    "GAGS_SOURCE",
    "IGA_GRADES",
    "IGA_SOURCE",
    "GagsBand",
    "GagsRegion",
    "GagsScore",
    "IgaGrade",
    "gags_band",
    "gags_score",
    "iga_grade",
    "named_severe",
]

IGA_SOURCE = ("FDA guidance 'Acne Vulgaris: Establishing Effectiveness of Drugs Intended for "
              "Treatment' (May 2018); grade text via BMJ Best Practice (clinical.md §8)")
GAGS_SOURCE = ("Doshi A, Zaheer A, Stiller MJ, Global Acne Grading System (1997), as reproduced "
               "by Adityan et al., Indian J Dermatol Venereol Leprol 2009;75:323-6 "
               "(clinical.md §8)")


@dataclass(frozen=True, slots=True)
class IgaGrade:
    grade: int
    name: str
    text: str
    #: The wording could not be checked verbatim against the FDA guidance.
    unconfirmed: bool = False


IGA_GRADES: tuple[IgaGrade, ...] = (
    IgaGrade(0, "clear", "no inflammatory or non-inflammatory lesions"),
    IgaGrade(1, "almost clear", "rare non-inflammatory lesions, no more than one small "
             "inflammatory lesion"),
    IgaGrade(2, "mild", "some non-inflammatory lesions, no more than a few inflammatory "
             "lesions (papules/pustules only, no nodules)"),
    IgaGrade(3, "moderate", "many non-inflammatory lesions, may have some inflammatory "
             "lesions, no more than one small nodule", unconfirmed=True),
    IgaGrade(4, "severe", "up to many non-inflammatory and inflammatory lesions, but no more "
             "than a few nodules", unconfirmed=True),
)


def iga_grade(grade: int) -> IgaGrade:
    """The IGA grade ``grade`` (0-4), or :class:`InvalidInput`."""
    if isinstance(grade, bool) or not 0 <= grade < len(IGA_GRADES):
        raise InvalidInput("the IGA grade must be 0, 1, 2, 3 or 4", field="iga")
    return IGA_GRADES[grade]


@dataclass(frozen=True, slots=True)
class GagsRegion:
    key: str
    label: str
    factor: int


GAGS_REGIONS: tuple[GagsRegion, ...] = (
    GagsRegion("forehead", "Forehead", 2),
    GagsRegion("right_cheek", "Right cheek", 2),
    GagsRegion("left_cheek", "Left cheek", 2),
    GagsRegion("nose", "Nose", 1),
    GagsRegion("chin", "Chin", 1),
    GagsRegion("chest_back", "Chest and upper back", 3),
)

#: The most severe lesion in a region, and its grade.
GAGS_LESIONS: tuple[tuple[int, str], ...] = (
    (0, "none"), (1, "comedone"), (2, "papule"), (3, "pustule"), (4, "nodule"))

GAGS_MAX = sum(r.factor for r in GAGS_REGIONS) * GAGS_LESIONS[-1][0]


class GagsBand(StrEnum):
    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"
    VERY_SEVERE = "very severe"


def gags_band(total: int) -> GagsBand:
    """The published band of a global score: 1-18 mild, 19-30 moderate, 31-38 severe,
    39 and above very severe (0: none, an isocourse design choice)."""
    if isinstance(total, bool) or not 0 <= total <= GAGS_MAX:
        raise InvalidInput(f"a GAGS total is 0 to {GAGS_MAX}", field="gags")
    if total == 0:
        return GagsBand.NONE
    if total <= 18:
        return GagsBand.MILD
    if total <= 30:
        return GagsBand.MODERATE
    if total <= 38:
        return GagsBand.SEVERE
    return GagsBand.VERY_SEVERE


@dataclass(frozen=True, slots=True)
class GagsScore:
    #: The lesion grade (0-4) of each region, by region key.
    grades: Mapping[str, int]
    #: factor x grade, by region key.
    local: Mapping[str, int]
    total: int
    band: GagsBand


def gags_score(grades: Mapping[str, int]) -> GagsScore:
    """The GAGS of the six regions' lesion grades. Every region needs a grade (0 when it
    has no lesions); a missing or impossible one is an :class:`InvalidInput` naming the
    region (``field`` is ``gags_<region>``)."""
    known = {r.key for r in GAGS_REGIONS}
    unknown = sorted(set(grades) - known)
    if unknown:
        raise InvalidInput(f"unknown GAGS region {unknown[0]!r}", field="gags")
    lesion_grades = {g for g, _ in GAGS_LESIONS}
    local: dict[str, int] = {}
    for region in GAGS_REGIONS:
        grade = grades.get(region.key)
        if grade is None:
            raise InvalidInput(f"choose the most severe lesion on the {region.label.lower()} "
                               "(none if there is no lesion)", field=f"gags_{region.key}")
        if isinstance(grade, bool) or grade not in lesion_grades:
            raise InvalidInput(f"a lesion grade is 0 to {GAGS_LESIONS[-1][0]}",
                               field=f"gags_{region.key}")
        local[region.key] = region.factor * grade
    total = sum(local.values())
    return GagsScore(
        grades=MappingProxyType({r.key: grades[r.key] for r in GAGS_REGIONS}),
        local=MappingProxyType(local), total=total, band=gags_band(total))


def named_severe(iga: int | None, gags: GagsScore | None) -> bool:
    """Whether either scale itself names the acne severe: IGA grade 4 ("severe"), or a GAGS
    band of severe or very severe. This reads the scales' own names; whether the acne
    warrants isotretinoin stays the prescriber's judgement."""
    by_iga = iga is not None and iga_grade(iga).name == "severe"
    by_gags = gags is not None and gags.band in (GagsBand.SEVERE, GagsBand.VERY_SEVERE)
    return by_iga or by_gags
