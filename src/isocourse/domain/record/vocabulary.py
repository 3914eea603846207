"""The closed vocabularies of the course-record format (shared/spec/course-record.md).

Each code list is a :class:`~enum.StrEnum` whose values are the exact strings of the spec, so a
member *is* its JSON spelling. The lists are closed on purpose: an unknown code in a clinical
record is far more often a typo than a new concept, and a typo must not pass unnoticed.
Adding a code is a spec change (the spec fixes only the minimum; additions are allowed).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ContraceptionMethod",
    "EventType",
    "LabAnalyte",
    "LabUnit",
    "MethodCategory",
    "PregnancyTestResult",
    "PregnancyTestSetting",
    "SideEffectKind",
]


class EventType(StrEnum):
    """The ``type`` of an event: one per row of the spec's event table."""

    ENROLLMENT = "enrollment"
    RISK_ACKNOWLEDGEMENT = "risk_acknowledgement"
    COUNSELING = "counseling"
    COMPREHENSION = "comprehension"
    CONTRACEPTION = "contraception"
    PREGNANCY_TEST = "pregnancy_test"
    LAB = "lab"
    WEIGHT = "weight"
    PRESCRIPTION = "prescription"
    DISPENSE = "dispense"
    DOSE = "dose"
    PHQ2 = "phq2"
    PHQ9 = "phq9"
    SIDE_EFFECT = "side_effect"
    SEXUAL_FUNCTION_CHECK = "sexual_function_check"
    MENTAL_HEALTH_CHECK = "mental_health_check"
    PRESCRIBER_AGREEMENT = "prescriber_agreement"
    COURSE_END = "course_end"


class MethodCategory(StrEnum):
    """How the programmes count a contraception method.

    ``other`` methods are recorded but count as neither primary nor secondary: the
    progestin-only pill is not an eligible iPLEDGE method, and abstinence is a commitment
    the rules treat on its own terms.
    """

    PRIMARY = "primary"
    SECONDARY = "secondary"
    OTHER = "other"


class ContraceptionMethod(StrEnum):
    """Contraception method ids, grouped exactly as the spec lists them."""

    IUD = "iud"
    IMPLANT = "implant"
    INJECTION = "injection"
    COMBINED_PILL = "combined-pill"
    PATCH = "patch"
    VAGINAL_RING = "vaginal-ring"
    TUBAL_LIGATION = "tubal-ligation"
    PARTNER_VASECTOMY = "partner-vasectomy"
    MALE_CONDOM = "male-condom"
    DIAPHRAGM = "diaphragm"
    CERVICAL_CAP = "cervical-cap"
    SPONGE = "sponge"
    PROGESTIN_ONLY_PILL = "progestin-only-pill"
    ABSTINENCE = "abstinence"

    @property
    def category(self) -> MethodCategory:
        """Primary, secondary or other, as the spec groups this method."""
        return _METHOD_CATEGORY[self]


_METHOD_CATEGORY: dict[ContraceptionMethod, MethodCategory] = {
    **dict.fromkeys(
        (
            ContraceptionMethod.IUD,
            ContraceptionMethod.IMPLANT,
            ContraceptionMethod.INJECTION,
            ContraceptionMethod.COMBINED_PILL,
            ContraceptionMethod.PATCH,
            ContraceptionMethod.VAGINAL_RING,
            ContraceptionMethod.TUBAL_LIGATION,
            ContraceptionMethod.PARTNER_VASECTOMY,
        ),
        MethodCategory.PRIMARY,
    ),
    **dict.fromkeys(
        (
            ContraceptionMethod.MALE_CONDOM,
            ContraceptionMethod.DIAPHRAGM,
            ContraceptionMethod.CERVICAL_CAP,
            ContraceptionMethod.SPONGE,
        ),
        MethodCategory.SECONDARY,
    ),
    **dict.fromkeys(
        (ContraceptionMethod.PROGESTIN_ONLY_PILL, ContraceptionMethod.ABSTINENCE),
        MethodCategory.OTHER,
    ),
}


class PregnancyTestResult(StrEnum):
    NEGATIVE = "negative"
    POSITIVE = "positive"


class PregnancyTestSetting(StrEnum):
    """Where the specimen was tested. ``home`` counts only when the course allows home tests."""

    LAB = "lab"
    OFFICE = "office"
    HOME = "home"


class LabUnit(StrEnum):
    U_PER_L = "U/L"
    MG_PER_DL = "mg/dL"
    MMOL_PER_L = "mmol/L"


class LabAnalyte(StrEnum):
    """Monitored analytes: the liver enzymes and the fasting lipids."""

    ALT = "alt"
    AST = "ast"
    TRIGLYCERIDES = "triglycerides"
    TOTAL_CHOLESTEROL = "total-cholesterol"
    LDL = "ldl"
    HDL = "hdl"

    @property
    def is_enzyme(self) -> bool:
        """Enzymes are judged against an upper limit of normal (``uln``); lipids are not."""
        return self in (LabAnalyte.ALT, LabAnalyte.AST)

    @property
    def units(self) -> tuple[LabUnit, ...]:
        """The units a result for this analyte may be given in.

        Enzyme activity is only ever reported in U/L; lipids in mg/dL (US) or mmol/L
        (UK/EU). A unit outside this set would make a threshold silently wrong.
        """
        if self.is_enzyme:
            return (LabUnit.U_PER_L,)
        return (LabUnit.MG_PER_DL, LabUnit.MMOL_PER_L)


class SideEffectKind(StrEnum):
    """Reported adverse effects (the spec's minimum list)."""

    CHEILITIS = "cheilitis"
    DRY_SKIN = "dry-skin"
    DRY_EYES = "dry-eyes"
    EPISTAXIS = "epistaxis"
    ARTHRALGIA = "arthralgia"
    MYALGIA = "myalgia"
    BACK_PAIN = "back-pain"
    HEADACHE = "headache"
    VISUAL_DISTURBANCE = "visual-disturbance"
    PHOTOSENSITIVITY = "photosensitivity"
    HAIR_THINNING = "hair-thinning"
    MOOD_CHANGE = "mood-change"
    ABDOMINAL_PAIN = "abdominal-pain"
    RASH = "rash"
    INITIAL_FLARE = "initial-flare"
