"""US iPLEDGE REMS: the shared vocabulary of the iPLEDGE kinds, and the rules on every fill.

Terms as the programme writes them (reference/regulatory.md §1):

* A **test setting** is where a pregnancy test was done: ``lab`` (read as a CLIA-certified
  laboratory where a version requires one), ``office`` (the prescriber's office or clinic) or
  ``home``. A version says which settings count *before the first dose* (the screening and
  confirmation tests, and any repeat test before treatment) and which count *during and after
  treatment*; ``home_needs_prescriber`` adds that a home test counts only when the prescriber
  permits tests outside a medical setting (``course.home_tests_allowed``). A test dated on or
  before the first dose is a pre-treatment test.
* A **fill** is a dispense. Each fill *uses* the newest test, counselling or prescription dated
  on or before it: "one dispense per window" and "no refills" both mean the next fill needs a
  new one dated after the last dispense.

The kinds here and in ``ipledge_tests``, ``ipledge_pretreatment`` and ``ipledge_visits`` are
registered under names starting ``ipledge-``; the packs ``us-ipledge-*.toml`` choose them and
set their numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from isocourse.domain.errors import RuleDataError
from isocourse.domain.record import Dispense, Event, PregnancyTest, PregnancyTestSetting
from isocourse.rules.facts import CourseFacts, Phase
from isocourse.rules.model import RuleSpec
from isocourse.rules.registry import ResultBuilder, rule_kind

__all__ = [
    "SETTING_POLICY_PARAMS",
    "SettingPolicy",
    "describe_settings",
    "iso",
    "next_fill_date",
    "setting_words",
    "settings_param",
    "supply_last_day",
    "used_by",
]

#: The parameters every kind that judges a test's setting declares (kept equal across the
#: rules of one pack; a unit test checks that they are).
SETTING_POLICY_PARAMS: dict[str, type] = {
    "settings_before": list, "settings_during": list, "home_needs_prescriber": bool}

_SETTING_WORDS = {
    PregnancyTestSetting.LAB: "in a lab",
    PregnancyTestSetting.OFFICE: "in the prescriber's office",
    PregnancyTestSetting.HOME: "at home",
}


def iso(day: dt.date) -> str:
    return day.isoformat()


def settings_param(spec: RuleSpec, name: str) -> frozenset[PregnancyTestSetting]:
    """A list parameter of test settings (``["lab", "office"]``), checked."""
    raw = spec.value(name)
    if not isinstance(raw, list) or not raw:
        raise RuleDataError(f"rule {spec.id}: parameter {name!r} must list test settings")
    try:
        return frozenset(PregnancyTestSetting(str(value)) for value in raw)
    except ValueError:
        raise RuleDataError(f"rule {spec.id}: parameter {name!r}: test settings are lab, "
                            "office and home") from None


def describe_settings(settings: Iterable[PregnancyTestSetting]) -> str:
    """Where tests may be done, in words a pharmacist reads."""
    chosen = set(settings)
    if chosen == {PregnancyTestSetting.LAB}:
        return "a CLIA-certified lab"
    if chosen == {PregnancyTestSetting.LAB, PregnancyTestSetting.OFFICE}:
        return "a medical setting (a lab or the prescriber's office)"
    words = [_SETTING_WORDS[s] for s in PregnancyTestSetting if s in chosen]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def setting_words(setting: PregnancyTestSetting) -> str:
    return _SETTING_WORDS[setting]


@dataclass(frozen=True, slots=True)
class SettingPolicy:
    """Which test settings a version accepts (see the module docstring)."""

    before: frozenset[PregnancyTestSetting]
    during: frozenset[PregnancyTestSetting]
    home_needs_prescriber: bool

    @classmethod
    def of(cls, spec: RuleSpec) -> SettingPolicy:
        return cls(settings_param(spec, "settings_before"),
                   settings_param(spec, "settings_during"),
                   bool(spec.value("home_needs_prescriber")))

    @staticmethod
    def is_pretreatment(facts: CourseFacts, test: PregnancyTest) -> bool:
        first = facts.first_dose_date
        return first is None or test.date <= first

    def refusal(self, facts: CourseFacts, test: PregnancyTest) -> str | None:
        """Why ``test`` does not count under this version, as a clause; None if it counts."""
        if self.is_pretreatment(facts, test):
            if test.setting in self.before:
                return None
            return (f"before the first dose a test must be done in "
                    f"{describe_settings(self.before)}")
        if test.setting not in self.during:
            return (f"during and after treatment a test must be done in "
                    f"{describe_settings(self.during)}")
        if (test.setting is PregnancyTestSetting.HOME and self.home_needs_prescriber
                and not facts.course.home_tests_allowed):
            return ("a home test counts only when the prescriber permits tests outside a "
                    "medical setting for this course (course.home_tests_allowed)")
        return None

    def accepts(self, facts: CourseFacts, test: PregnancyTest) -> bool:
        return self.refusal(facts, test) is None

    def accepted_negatives(self, facts: CourseFacts) -> tuple[PregnancyTest, ...]:
        return tuple(t for t in facts.negative_tests if self.accepts(facts, t))


def used_by(facts: CourseFacts, event: Event) -> Dispense | None:
    """The first dispense on or after ``event``'s date: the fill that used it."""
    return next((d for d in facts.dispenses if d.date >= event.date), None)


def supply_last_day(facts: CourseFacts) -> dt.date | None:
    """The last day covered by the capsules dispensed so far, each supply starting when the
    previous one runs out (as the cumulative ledger counts them); None before any fill."""
    next_free: dt.date | None = None
    for dispense in facts.dispenses:
        start = max(dispense.date, next_free) if next_free else dispense.date
        next_free = start + dt.timedelta(days=dispense.days_supply)
    return None if next_free is None else next_free - dt.timedelta(days=1)


def next_fill_date(facts: CourseFacts) -> dt.date:
    """When the next fill's requirements are due: the last day of the current supply (today
    before the first fill, or once the supply has run out)."""
    last = supply_last_day(facts)
    return facts.on if last is None else max(facts.on, last)


@rule_kind("ipledge-authorization", params={"reverse_unclaimed": bool})
def authorization(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """Every fill needs a Risk Management Authorization (RMA) obtained from iPLEDGE online or
    by phone, whose "Do Not Dispense To Patient After" date the pharmacist records; the
    course record does not carry the RMA, so this is a reminder (info) while the course
    runs. Where ``reverse_unclaimed`` (the 2026 modification), a prescription that is not
    picked up needs its authorization reversed promptly and the product returned to stock."""
    if facts.phase is Phase.AFTER:
        return
    message = ("obtain the iPLEDGE Risk Management Authorization (RMA) before this fill and "
               "record its 'Do Not Dispense To Patient After' date")
    if spec.value("reverse_unclaimed"):
        message += ("; if the prescription is not picked up, reverse the authorization "
                    "promptly and return the product to stock")
    out.info(message)


@rule_kind("ipledge-new-prescription", params={})
def new_prescription(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """No refills: every fill needs its own prescription, written on or before the day of
    the fill and after the previous fill. A prescription already used by a dispense, or none
    at all, blocks dispensing (the prescription's own days and refills are checked by
    ``prescription-limits``)."""
    if facts.phase is Phase.AFTER:
        return
    latest = facts.prescriptions[-1] if facts.prescriptions else None
    if latest is None:
        out.block("no prescription is on file; each fill needs a new prescription")
        return
    fill = used_by(facts, latest)
    if fill is not None:
        out.block(f"the prescription of {iso(latest.date)} was filled on {iso(fill.date)}; "
                  "iPLEDGE allows no refills, so the next fill needs a new prescription")
