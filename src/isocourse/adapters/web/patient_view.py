"""What a patient's pages show, worked out from the course record, the assessment and the plan.

* **Today's dose** (:func:`regimen_on`): the daily dose of the latest supply picked up (a
  ``dispense``), else of the latest prescription, else of the plan, split into morning and
  evening capsules by the product's capsule table
  (:func:`~isocourse.domain.dosing.table_for`), with the product's food instruction from
  the catalog.
* **Progress** (:func:`progress_of`): the cumulative dose in mg/kg, counted as the engine
  counts it, against the plan's target, with the expected end date: the plan's end before
  the first dose, else the engine ledger's projection at the current daily dose.
* **What is due** (:func:`due_lines`) and **the pick-up window** (:func:`pick_up`), in plain
  words, from the assessment.
* **What the clinic's safety check says** that the patient must know (:func:`alerts`):
  urgent findings, and the reasons a pick-up that is open now is on hold.
* The **dose diary** (:func:`diary_days`, :func:`diary_entry`): one standing ``dose`` event
  per day, replaced (``supersedes``) when the patient adds the other dose of that day.
* Plain names for **side effects**, the **advice** and **red flags** of the rule packs
  (:func:`advice_for`, :func:`red_flags`), and the **PHQ-9** items and score bands.

Pure: no I/O and no clock (the day is passed in). The clinical content (doses, food, advice,
red flags, cut-points) comes from the catalog, the rule packs and the engine; this module
only chooses plain words for it. Sources are listed in docs/guides/patient.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from isocourse.adapters.reports.charts.goal import goal_of
from isocourse.domain.capsules import DailyDose
from isocourse.domain.cumulative import CumulativeBasis
from isocourse.domain.dosing import table_for
from isocourse.domain.errors import InvalidInput
from isocourse.domain.products import Catalog, Food, Product
from isocourse.domain.record import (
    CourseEnd,
    CourseRecord,
    Dispense,
    Dose,
    Event,
    Prescription,
    SideEffectKind,
)
from isocourse.rules.facts import CourseFacts
from isocourse.rules.kinds.mood import PHQ9_BANDS, phq9_band
from isocourse.rules.kinds.side_effects import advice_param
from isocourse.rules.library import RuleLibrary
from isocourse.rules.model import Assessment, Finding, RulePack, RuleSpec, Severity

__all__ = [
    "DIARY_DAYS",
    "DIARY_EXTENSION",
    "GRADES",
    "PHQ9_ANSWERS",
    "PHQ9_QUESTIONS",
    "PHQ9_STEM",
    "SIDE_EFFECT_NAMES",
    "SLOT_NAMES",
    "Advice",
    "Alerts",
    "Capsules",
    "DailyRegimen",
    "DiaryDay",
    "DoseSource",
    "DoseTime",
    "DueLine",
    "Phq9Result",
    "PickUp",
    "Progress",
    "advice_for",
    "alerts",
    "diary_days",
    "diary_entry",
    "due_lines",
    "ended_on",
    "food_instruction",
    "packs_of",
    "phq9_bands",
    "phq9_result",
    "pick_up",
    "product_of",
    "progress_of",
    "red_flags",
    "regimen_on",
    "review_grade",
]

_E = TypeVar("_E", bound=Event)

# -- today's dose ------------------------------------------------------------------------

SLOT_NAMES = {"am": "Morning", "pm": "Evening", "once": "Once a day"}


@dataclass(frozen=True, slots=True)
class Capsules:
    strength_mg: int
    count: int

    @property
    def text(self) -> str:
        return f"{self.count} × {self.strength_mg} mg capsule{'' if self.count == 1 else 's'}"


@dataclass(frozen=True, slots=True)
class DoseTime:
    """One dose of the day: ``slot`` is ``am``, ``pm`` or ``once`` (a once-daily dose)."""

    slot: str
    mg: int
    capsules: tuple[Capsules, ...]

    @property
    def label(self) -> str:
        return SLOT_NAMES[self.slot]

    @property
    def capsules_text(self) -> str:
        return " and ".join(c.text for c in self.capsules)


class DoseSource(StrEnum):
    SUPPLY = "supply"              # the latest capsules picked up (a dispense)
    PRESCRIPTION = "prescription"  # prescribed, not picked up yet
    PLAN = "plan"                  # the course plan, before any prescription


@dataclass(frozen=True, slots=True)
class DailyRegimen:
    """The daily dose on a day and where it comes from. ``times`` is empty when the product's
    capsules cannot make up ``daily_mg`` (or the product is not in the catalog)."""

    daily_mg: int
    times: tuple[DoseTime, ...]
    source: DoseSource
    since: dt.date | None
    product: Product | None

    @property
    def food(self) -> str | None:
        return food_instruction(self.product)

    def time(self, slot: str) -> DoseTime | None:
        return next((t for t in self.times if t.slot == slot), None)


def food_instruction(product: Product | None) -> str | None:
    """The catalog's food instruction for the product, in plain words."""
    if product is None:
        return None
    if product.food is Food.WITH_FOOD:
        return "Take your capsules with food (with a meal or a snack)."
    return "You can take your capsules with or without food."


def product_of(catalog: Catalog, product_id: str) -> Product | None:
    try:
        return catalog.get(product_id)
    except InvalidInput:
        return None


def _last(events: Iterable[_E], day: dt.date) -> _E | None:
    found = None
    for event in events:
        if event.date <= day:
            found = event
    return found


def ended_on(record: CourseRecord) -> dt.date | None:
    """The day of the last dose, when the course has ended."""
    ends = record.events_of(CourseEnd)
    return ends[-1].date if ends else None


def _times(dose: DailyDose | None) -> tuple[DoseTime, ...]:
    if dose is None:
        return ()

    def caps(counts: Sequence[Any]) -> tuple[Capsules, ...]:
        return tuple(Capsules(c.strength_mg, c.count) for c in counts)

    if dose.once_daily:
        return (DoseTime("once", dose.total_mg, caps(dose.am or dose.pm)),)
    return (DoseTime("am", dose.am_mg, caps(dose.am)), DoseTime("pm", dose.pm_mg, caps(dose.pm)))


def _regimen(daily_mg: int, product: Product | None, source: DoseSource,
             since: dt.date | None) -> DailyRegimen:
    dose = table_for(product).dose(daily_mg) if product is not None and daily_mg > 0 else None
    return DailyRegimen(daily_mg, _times(dose), source, since, product)


def regimen_on(record: CourseRecord, plan: Mapping[str, Any] | None, day: dt.date,
               catalog: Catalog) -> DailyRegimen | None:
    """The daily dose on ``day``: the latest supply picked up on or before it, else the
    latest prescription, else the plan's phase for that day (its first phase before the
    plan starts); None after the course's last dose, or with nothing to go by."""
    last_dose = ended_on(record)
    if last_dose is not None and day > last_dose:
        return None
    rx = _last(record.events_of(Prescription), day)
    product = product_of(catalog, rx.product if rx is not None and rx.product
                         else record.course.product)
    supply = _last(record.events_of(Dispense), day)
    if supply is not None:
        return _regimen(supply.daily_mg, product, DoseSource.SUPPLY, supply.date)
    if rx is not None:
        return _regimen(rx.daily_mg, product, DoseSource.PRESCRIPTION, rx.date)
    return _planned(plan, day, product)


def _planned(plan: Mapping[str, Any] | None, day: dt.date,
             product: Product | None) -> DailyRegimen | None:
    if not plan:
        return None
    try:
        start = dt.date.fromisoformat(str(plan["start_date"]))
        phases = [(int(p["start_day"]), int(p["days"]), int(p["daily_mg"]))
                  for p in plan["phases"]]
    except (KeyError, TypeError, ValueError):
        return None
    if not phases:
        return None
    index = (day - start).days + 1
    chosen = phases[0] if index < 1 else next(
        (p for p in phases if p[0] <= index < p[0] + p[1]), None)
    if chosen is None:
        return None
    return _regimen(chosen[2], product, DoseSource.PLAN, None)


# -- progress ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Progress:
    """The cumulative dose so far against the target. ``expected_end`` comes from the plan
    (``expected_from`` = "plan") before the first dose, else from the engine ledger's
    projection at ``daily_mg`` a day ("current dose"); None once ended or reached."""

    mg: Decimal
    mg_per_kg: Decimal
    target_mg_per_kg: Decimal
    from_plan: bool
    equivalent: bool
    started: bool
    ended: dt.date | None
    expected_end: dt.date | None = None
    expected_from: str = ""
    daily_mg: int | None = None

    @property
    def reached(self) -> bool:
        return self.mg_per_kg >= self.target_mg_per_kg

    @property
    def percent(self) -> int:
        """Whole percent of the target, rounded down (100 only once reached)."""
        if self.target_mg_per_kg <= 0:
            return 0
        return min(100, int(self.mg_per_kg * 100 / self.target_mg_per_kg))

    @property
    def remaining_mg_per_kg(self) -> Decimal:
        return max(self.target_mg_per_kg - self.mg_per_kg, Decimal(0))


def progress_of(record: CourseRecord, plan: Mapping[str, Any] | None, on: dt.date,
                catalog: Catalog, daily_mg: int | None) -> Progress:
    """Progress to the target on ``on`` (see :class:`Progress`). ``daily_mg`` is the dose the
    patient takes now (from :func:`regimen_on`), used for the projection."""
    product = product_of(catalog, record.course.product)
    goal = goal_of(plan, product)
    facts = CourseFacts(record, on, product, goal.basis)
    totals = facts.cumulative
    per_kg = Decimal(totals.mg_per_kg.numerator) / Decimal(totals.mg_per_kg.denominator)
    progress = Progress(
        mg=totals.mg, mg_per_kg=per_kg, target_mg_per_kg=goal.target_mg_per_kg,
        from_plan=goal.from_plan, equivalent=goal.basis is CumulativeBasis.EQUIVALENT,
        started=totals.days > 0, ended=facts.last_dose_date)
    if progress.ended is not None or progress.reached:
        return progress
    if totals.days == 0:
        if goal.start_date is not None and goal.end_date is not None \
                and goal.start_date >= on:
            return _with(progress, goal.end_date, "plan", None)
        return progress
    if daily_mg is None or daily_mg <= 0:
        return progress
    ahead = facts.ledger.project(on, target_mg_per_kg=goal.target_mg_per_kg,
                                 weight_kg=facts.weight_kg, daily_mg=Decimal(daily_mg))
    return _with(progress, ahead.end_date, "current dose", daily_mg)


def _with(progress: Progress, end: dt.date, source: str, daily_mg: int | None) -> Progress:
    return Progress(progress.mg, progress.mg_per_kg, progress.target_mg_per_kg,
                    progress.from_plan, progress.equivalent, progress.started,
                    progress.ended, end, source, daily_mg)


# -- what is due, the window, what the safety check says ----------------------------------

_DUE_NAMES = {
    "pregnancy_test": "Pregnancy test",
    "lab": "Blood test",
    "phq9": "Mood check (PHQ-9 questionnaire)",
    "comprehension": "Questions about the risks of your medicine",
    "counseling": "Talk with your prescriber about the risks (counselling)",
    "visit": "Clinic visit",
    "mental_health_check": "Mental health check with your clinic",
    "sexual_function_check": "Check on sexual side effects with your clinic",
    "risk_acknowledgement": "Sign the risk form with your prescriber",
}

_ANALYTES = {
    "alt": "liver (ALT)", "ast": "liver (AST)", "triglycerides": "blood fats (triglycerides)",
    "total-cholesterol": "cholesterol", "ldl": "LDL cholesterol", "hdl": "HDL cholesterol",
}

#: Due items the patient can do on these pages, and where.
_DUE_LINKS = {"phq9": "/me/phq9", "comprehension": "/me/comprehension"}


@dataclass(frozen=True, slots=True)
class DueLine:
    item: str
    what: str
    detail: str
    due: dt.date
    days: int          # days from today (negative: overdue)
    reason: str
    link: str | None

    @property
    def status(self) -> str:
        if self.days < 0:
            return "overdue"
        return "today" if self.days == 0 else "later"


def due_lines(assessment: Assessment, today: dt.date) -> list[DueLine]:
    """The assessment's due items, soonest first, in plain words."""
    lines = []
    for item in assessment.due:
        detail = ""
        if item.analytes:
            detail = "Checks: " + ", ".join(_ANALYTES.get(a, a) for a in item.analytes)
        lines.append(DueLine(
            item.item, _DUE_NAMES.get(item.item, item.item.replace("_", " ").capitalize()),
            detail, item.due_date, (item.due_date - today).days, item.reason,
            _DUE_LINKS.get(item.item)))
    lines.sort(key=lambda line: (line.due, line.what))
    return lines


@dataclass(frozen=True, slots=True)
class PickUp:
    """The current pick-up window (both days inclusive)."""

    start: dt.date
    end: dt.date
    today: dt.date

    @property
    def open_now(self) -> bool:
        return self.start <= self.today <= self.end

    @property
    def days_left(self) -> int:
        """Days left after today (0: today is the last day)."""
        return (self.end - self.today).days


def pick_up(assessment: Assessment, today: dt.date) -> PickUp | None:
    window = assessment.window
    return None if window is None else PickUp(window.start, window.end, today)


@dataclass(frozen=True, slots=True)
class Alerts:
    """``urgent``: findings that need a clinician now. ``on_hold``: why the pharmacy may not
    give out capsules while a pick-up window is open."""

    urgent: tuple[Finding, ...]
    on_hold: tuple[Finding, ...]


def alerts(assessment: Assessment, *, ended: bool, today: dt.date) -> Alerts:
    urgent = tuple(f for f in assessment.findings if f.severity is Severity.URGENT)
    window = pick_up(assessment, today)
    on_hold: tuple[Finding, ...] = ()
    if not ended and window is not None and window.open_now \
            and not assessment.dispense_allowed:
        on_hold = tuple(f for f in assessment.findings if f.severity is Severity.BLOCK)
    return Alerts(urgent, on_hold)


# -- rule packs: advice, red flags, PHQ-9 bands --------------------------------------------


def packs_of(assessment: Assessment, library: RuleLibrary) -> tuple[RulePack, ...]:
    """The packs the assessment applied (the programme's and the monitoring pack)."""
    names = set(assessment.rule_sets)
    return tuple(p for p in library.packs if p.name in names)


def _specs(packs: Iterable[RulePack], kind: str) -> list[RuleSpec]:
    return [spec for pack in packs for spec in pack.rules if spec.kind == kind]


@dataclass(frozen=True, slots=True)
class Advice:
    text: str
    source: str
    unconfirmed: bool


def advice_for(packs: Sequence[RulePack], kind: SideEffectKind) -> Advice | None:
    """The ``side-effect-advice`` rule's ``advice_<kind>`` text, with its source."""
    name = advice_param(kind)
    for spec in _specs(packs, "side-effect-advice"):
        param = spec.params.get(name)
        if param is not None:
            source = param.source.cite() if param.source is not None else spec.citation
            return Advice(str(param.value), source, param.unconfirmed)
    return None


def review_grade(packs: Sequence[RulePack]) -> int | None:
    """The grade from which the prescriber reviews a side effect (``review_grade``)."""
    for spec in _specs(packs, "side-effect-advice"):
        return spec.days("review_grade")
    return None


def red_flags(assessment: Assessment, packs: Sequence[RulePack]) -> tuple[Finding, ...]:
    """The assessment's urgent findings raised by ``red-flag`` rules."""
    ids = {spec.id for spec in _specs(packs, "red-flag")}
    return tuple(f for f in assessment.findings
                 if f.severity is Severity.URGENT and f.rule_id in ids)


# -- side effects --------------------------------------------------------------------------

#: Plain names for the side-effect kinds (course-record.md), in the order the form lists them.
SIDE_EFFECT_NAMES: dict[SideEffectKind, str] = {
    SideEffectKind.CHEILITIS: "Dry or cracked lips",
    SideEffectKind.DRY_SKIN: "Dry skin",
    SideEffectKind.DRY_EYES: "Dry eyes",
    SideEffectKind.EPISTAXIS: "Nosebleeds",
    SideEffectKind.INITIAL_FLARE: "Acne getting worse at the start",
    SideEffectKind.RASH: "Rash",
    SideEffectKind.PHOTOSENSITIVITY: "Skin burns easily in the sun",
    SideEffectKind.HAIR_THINNING: "Hair thinning",
    SideEffectKind.ARTHRALGIA: "Joint pain",
    SideEffectKind.MYALGIA: "Muscle aches",
    SideEffectKind.BACK_PAIN: "Back pain",
    SideEffectKind.HEADACHE: "Headache",
    SideEffectKind.VISUAL_DISTURBANCE: "Changes in your eyesight (for example blurred vision)",
    SideEffectKind.ABDOMINAL_PAIN: "Stomach (belly) pain",
    SideEffectKind.MOOD_CHANGE: "Mood changes (for example feeling low, anxious or irritable)",
}

#: Grades 1-3 of a side effect (the record's grade: 1 mild to 3 severe) in plain words.
GRADES: dict[int, tuple[str, str]] = {
    1: ("Mild", "I notice it, but it does not stop me doing everyday things."),
    2: ("Moderate", "It gets in the way of some everyday things."),
    3: ("Severe", "It stops me doing everyday things, or it is very bad."),
}


# -- PHQ-9 ---------------------------------------------------------------------------------

#: The PHQ-9 (Kroenke, Spitzer and Williams 2001; developed with a grant from Pfizer, free to
#: use): the question stem, the nine items in order (item 9: thoughts of self-harm) and the
#: four answers scored 0-3. Standard published wording (see docs/guides/patient.md).
PHQ9_STEM = ("Over the last 2 weeks, how often have you been bothered by any of the "
             "following problems?")
PHQ9_QUESTIONS: tuple[str, ...] = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your "
    "family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
    "being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)
PHQ9_ANSWERS: tuple[tuple[int, str], ...] = (
    (0, "Not at all"), (1, "Several days"), (2, "More than half the days"),
    (3, "Nearly every day"),
)


def phq9_bands(packs: Sequence[RulePack]) -> list[int] | None:
    """The pack's PHQ-9 cut-points (5/10/15/20 in the packaged monitoring pack)."""
    for spec in _specs(packs, "phq9"):
        return [int(c) for c in spec.value("bands")]
    return None


@dataclass(frozen=True, slots=True)
class Phq9Result:
    items: tuple[int, ...]
    band: str | None
    #: (low, high, band name) of each band, for the explanation.
    bands: tuple[tuple[int, int, str], ...] = field(default=())

    @property
    def total(self) -> int:
        return sum(self.items)

    @property
    def self_harm(self) -> bool:
        return self.items[8] > 0


def phq9_result(items: Sequence[int], cut_points: Sequence[int] | None) -> Phq9Result:
    """The total and band of a PHQ-9 (bands named as in Kroenke 2001)."""
    if not cut_points:
        return Phq9Result(tuple(items), None)
    band = phq9_band(sum(items), cut_points)
    lows = [0, *cut_points]
    highs = [c - 1 for c in cut_points] + [27]
    ranges = tuple((low, high, name) for low, high, name in zip(lows, highs, PHQ9_BANDS,
                                                                  strict=True))
    return Phq9Result(tuple(items), band, ranges)


# -- the dose diary ------------------------------------------------------------------------

#: How far back the diary lists and accepts days.
DIARY_DAYS = 30
#: The key under an event's ``extensions`` that holds the diary's morning/evening detail.
DIARY_EXTENSION = "isocourse_diary"
_MARKS = ("taken", "missed")


@dataclass(frozen=True, slots=True)
class DiaryDay:
    """The standing diary entry of one day. ``slots`` maps ``am``/``pm``/``once`` to
    ``taken`` or ``missed`` (a slot not recorded is absent)."""

    date: dt.date
    event_id: str | None
    mg: int
    taken: bool
    slots: Mapping[str, str]
    slot_mg: Mapping[str, int]
    note: str | None

    def mark(self, slot: str) -> str | None:
        return self.slots.get(slot)


def _diary_day(event: Dose) -> DiaryDay:
    ext = (event.extensions or {}).get(DIARY_EXTENSION)
    slots: dict[str, str] = {}
    slot_mg: dict[str, int] = {}
    if isinstance(ext, Mapping):
        for slot in SLOT_NAMES:
            mark = ext.get(slot)
            if mark in _MARKS:
                slots[slot] = str(mark)
            mg = ext.get(f"{slot}_mg")
            if isinstance(mg, int) and not isinstance(mg, bool):
                slot_mg[slot] = mg
    return DiaryDay(event.date, event.id, event.mg, event.taken, slots, slot_mg, event.note)


def diary_days(record: CourseRecord, since: dt.date) -> dict[dt.date, DiaryDay]:
    """The standing diary entry of each day on or after ``since`` (the last one of a day,
    if a day has several)."""
    days: dict[dt.date, DiaryDay] = {}
    for event in record.events_of(Dose):
        if event.date >= since:
            days[event.date] = _diary_day(event)
    return days


def _whole_day(entry: DiaryDay, regimen: DailyRegimen) -> dict[str, str]:
    """The slots of an entry recorded without the diary's detail (by another program):
    the whole day taken, or the whole day missed."""
    mark = "taken" if entry.taken else "missed"
    return {t.slot: mark for t in regimen.times} or {"once": mark}


def diary_entry(day: dt.date, slot: str, mark: str, regimen: DailyRegimen,
                existing: DiaryDay | None) -> dict[str, Any] | None:
    """The ``dose`` event that records ``slot`` of ``day`` as ``mark`` (taken/missed),
    merged with the day's standing entry (which it then supersedes); None when nothing
    changes. ``mg`` is what was taken that day when any dose was, else the day's dose due
    (with ``taken`` false), so that the engine counts exactly what was taken."""
    if mark not in _MARKS:
        raise ValueError(f"unknown diary mark {mark!r}")
    dose_time = regimen.time(slot)
    if dose_time is None and regimen.times:
        raise ValueError(f"no {slot} dose on this day")
    slot_mg = {t.slot: t.mg for t in regimen.times} or {slot: regimen.daily_mg}
    slots: dict[str, str] = {}
    if existing is not None:
        slots = dict(existing.slots) if existing.slots else _whole_day(existing, regimen)
        slot_mg = {**dict(existing.slot_mg), **slot_mg} if existing.slots else slot_mg
        slots = {s: m for s, m in slots.items() if s in slot_mg}
        if slots.get(slot) == mark:
            return None
    slots[slot] = mark
    taken_mg = sum(slot_mg[s] for s, m in slots.items() if m == "taken")
    taken = taken_mg > 0
    words = "; ".join(f"{SLOT_NAMES[s].lower()} dose ({slot_mg[s]} mg) {slots[s]}"
                      for s in SLOT_NAMES if s in slots)
    event: dict[str, Any] = {
        "type": "dose", "date": day.isoformat(),
        "mg": taken_mg if taken else sum(slot_mg.values()), "taken": taken,
        "note": f"Dose diary (recorded by the patient): {words}.",
        "extensions": {DIARY_EXTENSION: {
            **dict(slots.items()),
            **{f"{s}_mg": mg for s, mg in slot_mg.items()}}},
    }
    if existing is not None and existing.event_id is not None:
        event["supersedes"] = existing.event_id
        event["reason"] = "the patient updated the dose diary for this day"
    return event
