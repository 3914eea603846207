"""The prescriber's event forms, described as data: each event type's fields, and how the
typed values become the course-record event object (shared/spec/course-record.md).

One table (:data:`EVENT_FORMS`) says, for each event type recorded from a form, which fields
the form has, their kind (date, number, choice, yes/no ...), their labels and options (the
closed vocabularies of ``domain/record/vocabulary.py``, with words a person reads) and the
JSON member each fills. :func:`read_event` reads a submitted :class:`Form` against that
table and gives the event body, or notes a plain-words error next to each field and gives
None; it never raises on what a person typed. :func:`place_errors` puts the service's own
problems (``event.value: ...``) next to the same fields.

Which forms a course offers (:func:`offered_forms`) is derived from the course: pregnancy
tests and contraception for a patient who can get pregnant, and the programme steps that the
rules in force for this patient read (enrollment and the comprehension questions under
iPLEDGE, the UK's mental-health and sexual-function assessments ...). Prescriptions,
dispenses and the course's end have pages of their own and are not here.

PHQ-9 wording: the standard items and answer labels (Kroenke, Spitzer, Williams 2001;
reference/clinical.md §7.2); PHQ-2 is its first two items.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from isocourse.adapters.web.forms import Form
from isocourse.domain.dates import FIRST_DATE, supported
from isocourse.domain.errors import InvalidInput, IsocourseError, RecordError
from isocourse.domain.record import MAX_DAILY_MG, MAX_LAB_VALUE, MIN_ULN
from isocourse.domain.record.vocabulary import (
    ContraceptionMethod,
    EventType,
    LabAnalyte,
    LabUnit,
    MethodCategory,
    PregnancyTestResult,
    PregnancyTestSetting,
    SideEffectKind,
)
from isocourse.domain.units import MAX_WEIGHT_KG, MIN_WEIGHT_KG
from isocourse.rules.model import RulePack

__all__ = ["EVENT_FORMS", "Audience", "EventForm", "FieldSpec", "Kind", "default_values",
           "offered_forms", "place_errors", "programme_event_types", "read_event",
           "read_text"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PATH = re.compile(r"^(?:event|events\[[0-9]+\])\.([a-z_]+)(?:\[([0-9]+)\])?")
NOTE_MAX = 1000


class Kind(StrEnum):
    DATE = "date"
    TEXT = "text"
    NOTE = "note"
    DECIMAL = "decimal"
    WHOLE = "whole"
    SELECT = "select"          # one of the options, as a drop-down list
    RADIOS = "radios"          # one of the options, all shown
    YES_NO = "yes_no"          # a boolean, as two radios (never a silent unticked box)
    METHODS = "methods"        # contraception methods: grouped check boxes, or "none"
    SCORE = "score"            # one questionnaire item, 0-3, part of the ``items`` list


class Audience(StrEnum):
    EVERY_COURSE = "every course"
    CAN_GET_PREGNANT = "patients who can get pregnant"
    PROGRAMME = "where the programme's rules ask for it"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    label: str
    kind: Kind
    member: str | None = None          # the JSON member it fills (default: ``name``)
    required: bool = True
    hint: str = ""
    options: tuple[tuple[str, str], ...] = ()
    groups: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()   # METHODS
    low: Decimal = Decimal(0)
    high: Decimal = Decimal(0)
    places: int = 0
    unit: str = ""
    whole: bool = False                # a choice whose codes are whole numbers (grade)

    @property
    def json_member(self) -> str:
        return self.member or self.name


@dataclass(frozen=True, slots=True)
class EventForm:
    type: EventType
    title: str
    description: str
    audience: Audience
    group: str
    fields: tuple[FieldSpec, ...]

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)


def _opts(pairs: Mapping[Any, str]) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), v) for k, v in pairs.items())


METHOD_LABELS = {
    ContraceptionMethod.IUD: "Intrauterine device or system (IUD / IUS)",
    ContraceptionMethod.IMPLANT: "Contraceptive implant",
    ContraceptionMethod.INJECTION: "Contraceptive injection",
    ContraceptionMethod.COMBINED_PILL: "Combined oral contraceptive pill",
    ContraceptionMethod.PATCH: "Contraceptive patch",
    ContraceptionMethod.VAGINAL_RING: "Vaginal ring",
    ContraceptionMethod.TUBAL_LIGATION: "Tubal ligation (sterilisation)",
    ContraceptionMethod.PARTNER_VASECTOMY: "Partner's vasectomy",
    ContraceptionMethod.MALE_CONDOM: "Male condom",
    ContraceptionMethod.DIAPHRAGM: "Diaphragm",
    ContraceptionMethod.CERVICAL_CAP: "Cervical cap",
    ContraceptionMethod.SPONGE: "Contraceptive sponge",
    ContraceptionMethod.PROGESTIN_ONLY_PILL: "Progestin-only pill (not an eligible iPLEDGE "
                                             "method)",
    ContraceptionMethod.ABSTINENCE: "Continuous abstinence (a commitment)",
}
_GROUP_TITLES = {MethodCategory.PRIMARY: "Primary methods",
                 MethodCategory.SECONDARY: "Secondary methods",
                 MethodCategory.OTHER: "Other (recorded, counted as neither primary nor "
                                       "secondary)"}
ANALYTE_LABELS = {
    LabAnalyte.ALT: "ALT (alanine aminotransferase)",
    LabAnalyte.AST: "AST (aspartate aminotransferase)",
    LabAnalyte.TRIGLYCERIDES: "Triglycerides",
    LabAnalyte.TOTAL_CHOLESTEROL: "Total cholesterol",
    LabAnalyte.LDL: "LDL cholesterol",
    LabAnalyte.HDL: "HDL cholesterol",
}
UNIT_LABELS = {LabUnit.U_PER_L: "U/L (liver enzymes: ALT, AST)",
               LabUnit.MG_PER_DL: "mg/dL (lipids)", LabUnit.MMOL_PER_L: "mmol/L (lipids)"}
SIDE_EFFECT_LABELS = {
    SideEffectKind.CHEILITIS: "Dry, cracked lips (cheilitis)",
    SideEffectKind.DRY_SKIN: "Dry skin",
    SideEffectKind.DRY_EYES: "Dry eyes",
    SideEffectKind.EPISTAXIS: "Nosebleeds (epistaxis)",
    SideEffectKind.ARTHRALGIA: "Joint pain (arthralgia)",
    SideEffectKind.MYALGIA: "Muscle pain (myalgia)",
    SideEffectKind.BACK_PAIN: "Back pain",
    SideEffectKind.HEADACHE: "Headache",
    SideEffectKind.VISUAL_DISTURBANCE: "Changes in vision",
    SideEffectKind.PHOTOSENSITIVITY: "Sensitivity to sunlight",
    SideEffectKind.HAIR_THINNING: "Hair thinning",
    SideEffectKind.MOOD_CHANGE: "Mood change",
    SideEffectKind.ABDOMINAL_PAIN: "Abdominal pain",
    SideEffectKind.RASH: "Rash",
    SideEffectKind.INITIAL_FLARE: "Acne flare at the start of treatment",
}
GRADES = {1: "1 — mild", 2: "2 — moderate", 3: "3 — severe"}
PHQ_ANSWERS = {0: "Not at all (0)", 1: "Several days (1)", 2: "More than half the days (2)",
               3: "Nearly every day (3)"}
PHQ9_ITEMS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your "
    "family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed; or the opposite — "
    "being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead, or of hurting yourself in some way",
)

_DATE_HINT = "Year-month-day. Not after today."
_NOTE = FieldSpec("note", "Note", Kind.NOTE, required=False,
                  hint="Clinical context only; never the patient's name.")


def _yes_no(name: str, legend: str, yes: str, no: str) -> FieldSpec:
    return FieldSpec(name, legend, Kind.YES_NO, options=(("yes", yes), ("no", no)))


def _scores(count: int) -> tuple[FieldSpec, ...]:
    return tuple(FieldSpec(f"item_{i + 1}", f"{i + 1}. {PHQ9_ITEMS[i]}", Kind.SCORE,
                           member="items", options=_opts(PHQ_ANSWERS)) for i in range(count))


_PROGRAMME, _MONITORING = "Programme steps", "Monitoring"


def _form(type_: EventType, title: str, description: str, audience: Audience, group: str,
          *fields: FieldSpec) -> EventForm:
    date_label = "Date the specimen was collected" if type_ is EventType.PREGNANCY_TEST \
        else "Date"
    date = FieldSpec("date", date_label, Kind.DATE, hint=_DATE_HINT)
    return EventForm(type_, title, description, audience, group, (date, *fields, _NOTE))


EVENT_FORMS: dict[EventType, EventForm] = {f.type: f for f in (
    _form(EventType.ENROLLMENT, "Enrollment", "The patient was enrolled in the programme.",
          Audience.PROGRAMME, _PROGRAMME),
    _form(EventType.RISK_ACKNOWLEDGEMENT, "Risk acknowledgement",
          "The signed acknowledgement or informed-consent form is on file.",
          Audience.EVERY_COURSE, _PROGRAMME),
    _form(EventType.COUNSELING, "Counselling", "A documented counselling visit.",
          Audience.EVERY_COURSE, _PROGRAMME),
    _form(EventType.COMPREHENSION, "Comprehension questions",
          "The monthly comprehension questions, passed or not.", Audience.PROGRAMME,
          _PROGRAMME, _yes_no("passed", "Result", "Passed", "Not passed")),
    _form(EventType.CONTRACEPTION, "Contraception",
          "The methods in use from this date on (replaces the earlier list).",
          Audience.CAN_GET_PREGNANT, _PROGRAMME,
          FieldSpec("methods", "Methods in use", Kind.METHODS, required=False,
                    hint="Tick every method in use, or 'No method in use'.",
                    groups=tuple((_GROUP_TITLES[cat], tuple(
                        (m.value, METHOD_LABELS[m]) for m in ContraceptionMethod
                        if m.category is cat)) for cat in MethodCategory))),
    _form(EventType.PREGNANCY_TEST, "Pregnancy test",
          "A pregnancy test, dated by the day the specimen was collected.",
          Audience.CAN_GET_PREGNANT, _PROGRAMME,
          FieldSpec("result", "Result", Kind.RADIOS, options=(
              (PregnancyTestResult.NEGATIVE.value, "Negative"),
              (PregnancyTestResult.POSITIVE.value, "Positive"))),
          FieldSpec("setting", "Where it was tested", Kind.RADIOS, options=(
              (PregnancyTestSetting.LAB.value, "Laboratory"),
              (PregnancyTestSetting.OFFICE.value, "Prescriber's office"),
              (PregnancyTestSetting.HOME.value, "Home test")),
              hint="A home test counts only where the course allows home tests."),
          FieldSpec("verified_by", "Verified by", Kind.TEXT, required=False,
                    hint="Who checked the result (for a home test).")),
    _form(EventType.PRESCRIBER_AGREEMENT, "Second prescriber's agreement",
          "A second, independent prescriber agreed to the course.", Audience.PROGRAMME,
          _PROGRAMME, FieldSpec("prescriber", "Second prescriber", Kind.TEXT,
                                hint="Their name or role, as in the clinical notes.")),
    _form(EventType.MENTAL_HEALTH_CHECK, "Mental-health assessment",
          "Mental health was assessed.", Audience.PROGRAMME, _PROGRAMME,
          _yes_no("concern", "Outcome", "A concern was found", "No concern")),
    _form(EventType.SEXUAL_FUNCTION_CHECK, "Sexual-function assessment",
          "Sexual function was asked about.", Audience.PROGRAMME, _PROGRAMME,
          _yes_no("concern", "Outcome", "A concern was found", "No concern")),
    _form(EventType.LAB, "Lab result", "One result: a liver enzyme or a fasting lipid.",
          Audience.EVERY_COURSE, _MONITORING,
          FieldSpec("analyte", "Test", Kind.SELECT, options=_opts(ANALYTE_LABELS)),
          FieldSpec("value", "Value", Kind.DECIMAL, low=Decimal(0), high=MAX_LAB_VALUE,
                    places=3, hint="In the unit chosen below."),
          FieldSpec("unit", "Unit", Kind.RADIOS, options=_opts(UNIT_LABELS),
                    hint="U/L for ALT and AST; mg/dL or mmol/L for lipids."),
          FieldSpec("uln", "Upper limit of normal", Kind.DECIMAL, required=False,
                    low=MIN_ULN, high=MAX_LAB_VALUE, places=3,
                    hint="ALT and AST only, in U/L, as the lab reports it. Left empty, the "
                         "rules use their documented default.")),
    _form(EventType.WEIGHT, "Weight", "A new body weight.", Audience.EVERY_COURSE,
          _MONITORING, FieldSpec("kg", "Weight in kg", Kind.DECIMAL, low=MIN_WEIGHT_KG,
                                 high=MAX_WEIGHT_KG, places=1, unit=" kg")),
    _form(EventType.PHQ2, "PHQ-2", "The two-question depression screen.",
          Audience.EVERY_COURSE, _MONITORING, *_scores(2)),
    _form(EventType.PHQ9, "PHQ-9", "The nine-question depression questionnaire; item 9 "
          "asks about thoughts of self-harm.", Audience.EVERY_COURSE, _MONITORING,
          *_scores(9)),
    _form(EventType.SIDE_EFFECT, "Side effect", "A reported adverse effect and its grade.",
          Audience.EVERY_COURSE, _MONITORING,
          FieldSpec("kind", "Side effect", Kind.SELECT, options=_opts(SIDE_EFFECT_LABELS)),
          FieldSpec("grade", "Grade", Kind.RADIOS, options=_opts(GRADES), whole=True)),
    _form(EventType.DOSE, "Dose diary entry", "One day's dose, taken or missed.",
          Audience.EVERY_COURSE, _MONITORING,
          FieldSpec("mg", "Dose in mg", Kind.WHOLE, low=Decimal(0), high=Decimal(MAX_DAILY_MG),
                    hint="The whole day's dose, in mg."),
          _yes_no("taken", "Taken?", "Taken", "Missed")),
)}

#: Rule kinds that read an event type without naming it in an ``event`` parameter.
_KIND_EVENTS = {"contraception-in-use": EventType.CONTRACEPTION,
                "ppp-acknowledgement-of-risk": EventType.RISK_ACKNOWLEDGEMENT,
                "ppp-second-prescriber": EventType.PRESCRIBER_AGREEMENT}


def programme_event_types(packs: Iterable[RulePack], can_get_pregnant: bool
                          ) -> frozenset[EventType]:
    """The event types the rules of ``packs`` read for this patient's risk category."""
    found: set[EventType] = set()
    for pack in packs:
        for spec in pack.rules:
            if not spec.applies_to.applies(can_get_pregnant):
                continue
            if spec.kind in _KIND_EVENTS:
                found.add(_KIND_EVENTS[spec.kind])
            named = spec.params.get("event")
            if named is not None and str(named.value) in EventType.__members__.values():
                found.add(EventType(str(named.value)))
    return frozenset(found)


def offered_forms(can_get_pregnant: bool, programme_types: frozenset[EventType]
                  ) -> tuple[EventForm, ...]:
    """The forms that make sense for this course, in the table's order."""
    def offered(form: EventForm) -> bool:
        if form.audience is Audience.CAN_GET_PREGNANT:
            return can_get_pregnant
        if form.audience is Audience.PROGRAMME:
            return form.type in programme_types
        return True
    return tuple(f for f in EVENT_FORMS.values() if offered(f))


def default_values(today: dt.date) -> dict[str, str]:
    return {"date": today.isoformat()}


def read_text(form: Form, name: str, *, required: bool, max_length: int) -> str | None:
    """A text field that the record format accepts (no control characters but line breaks
    and tabs)."""
    value = form.text(name, required=required, max_length=max_length)
    if value is not None and _CONTROL.search(value):
        form.error(name, "Remove the control characters from this text.")
        return None
    return value


def _text(form: Form, spec: FieldSpec, max_length: int) -> str | None:
    return read_text(form, spec.name, required=spec.required, max_length=max_length)


def _choose(spec: FieldSpec) -> str:
    """The error of a choice left empty, naming the question (the error list at the top of
    the form shows it without the field around it)."""
    if spec.kind is Kind.SCORE:
        return f"Question {spec.name.removeprefix('item_')}: choose an answer."
    return f"{spec.label}: choose one of the options."


def _read_field(form: Form, spec: FieldSpec, today: dt.date) -> Any:
    name = spec.name
    if spec.kind is Kind.DATE:
        day = form.date(name, not_after=today)
        if day is not None and not supported(day):
            form.error(name, f"Enter a date from {FIRST_DATE.year} on.")
            return None
        return None if day is None else day.isoformat()
    if spec.kind is Kind.TEXT:
        return _text(form, spec, 200)
    if spec.kind is Kind.NOTE:
        return _text(form, spec, NOTE_MAX)
    if spec.kind is Kind.DECIMAL:
        number = form.decimal(name, low=spec.low, high=spec.high, places=spec.places,
                              required=spec.required, unit=spec.unit)
        return None if number is None else number + Decimal(0)   # -0 becomes 0
    if spec.kind is Kind.WHOLE:
        return form.integer(name, low=int(spec.low), high=int(spec.high))
    if spec.kind in (Kind.SELECT, Kind.RADIOS, Kind.SCORE):
        chosen = form.choice(name, [v for v, _ in spec.options], message=_choose(spec))
        if chosen is not None and (spec.kind is Kind.SCORE or spec.whole):
            return int(chosen)
        return chosen
    if spec.kind is Kind.YES_NO:
        answer = form.choice(name, ("yes", "no"), message=_choose(spec))
        return None if answer is None else answer == "yes"
    return _read_methods(form, spec)


def _read_methods(form: Form, spec: FieldSpec) -> list[str] | None:
    allowed = [v for _, options in spec.groups for v, _ in options]
    picked = list(dict.fromkeys(form.choices(spec.name, allowed)))
    if spec.name in form.errors:
        return None
    none = form.checkbox("no_method")
    if picked and none:
        form.error(spec.name, "Tick the methods in use or 'No method in use', not both.")
        return None
    if not picked and not none:
        form.error(spec.name, "Tick the methods in use, or 'No method in use'.")
        return None
    return picked


def read_event(event_form: EventForm, form: Form, today: dt.date) -> dict[str, Any] | None:
    """The event object the form describes, or None with an error next to each bad field."""
    body: dict[str, Any] = {"type": event_form.type.value}
    items: list[int | None] = []
    for spec in event_form.fields:
        value = _read_field(form, spec, today)
        if spec.kind is Kind.SCORE:
            items.append(value)
        elif value is not None:
            body[spec.json_member] = value
    if items:
        body["items"] = items
    _cross_checks(event_form, form, body)
    return body if form.ok else None


def _cross_checks(event_form: EventForm, form: Form, body: dict[str, Any]) -> None:
    if event_form.type is not EventType.LAB or "analyte" not in body:
        return
    analyte = LabAnalyte(body["analyte"])
    unit = body.get("unit")
    if unit is not None and LabUnit(unit) not in analyte.units:
        units = " or ".join(u.value for u in analyte.units)
        form.error("unit", f"{ANALYTE_LABELS[analyte]} is reported in {units}.")
    if "uln" in body and not analyte.is_enzyme:
        form.error("uln", "An upper limit of normal is used for ALT and AST only; leave it "
                          "empty for a lipid.")


def field_for_path(event_form: EventForm, path: str | None) -> str | None:
    """The form field a service problem's JSON path (``event.items[8]``) is about."""
    match = _PATH.match(path or "")
    if match is None:
        return None
    member, position = match.group(1), match.group(2)
    if member == "items" and position is not None:
        name = f"item_{int(position) + 1}"
        return name if event_form.field(name) is not None else None
    for spec in event_form.fields:
        if spec.json_member == member and spec.kind is not Kind.SCORE:
            return spec.name
    return None


def place_errors(event_form: EventForm, form: Form, error: IsocourseError) -> None:
    """Put a service's InvalidInput / RecordError next to the fields it is about; anything
    else goes above the form."""
    problems: list[tuple[str | None, str]]
    if isinstance(error, RecordError):
        problems = [(p.path, p.message) for p in error.problems]
    elif isinstance(error, InvalidInput):
        field = error.field
        problems = [(field if field is None or "." in field else f"event.{field}",
                     error.message)]
    else:
        problems = [(None, error.message)]
    for path, message in problems:
        name = field_for_path(event_form, path)
        if name is not None:
            form.error(name, message[:1].upper() + message[1:] + ("" if message.endswith(".")
                                                                  else "."))
        elif form.summary is None:
            form.summary = message
        else:
            form.summary += "; " + message

