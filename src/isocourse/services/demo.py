"""The demo clinic: a few dozen realistic courses, made through the real use cases only.

``isocourse serve --demo`` calls :func:`seed_demo_clinic` on an empty database. Every patient,
course, event, prescription, authorization and dispense goes through the service functions
a prescriber and a pharmacist use, so the safety engine checks each step as it would in a
clinic; nothing is written to the database directly, and a step the rules refuse stops the
seeding (that would be a bug here, not in the rules).

Dates are relative to ``clock.today()`` (T): the clinic shows a window open today, one missed
last week, labs overdue ... on whatever day the server starts. A step dated in the past runs
with a :class:`FixedClock` set to that day, so the rules in force that day judge it. The same
seed on the same day gives the same clinic (the ids of courses, events and authorizations are
still made by the services, at random). Patients are ``demo-001``, ``demo-002`` ...

:data:`STATES` names the states shown (a course may be in several); each scenario function
below says what its courses show, and tests/integration/test_demo_clinic.py checks each state
against the safety engine.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any

from isocourse.domain.dates import add_months
from isocourse.domain.errors import Conflict
from isocourse.domain.record import Jurisdiction
from isocourse.services import courses, dispensing, prescriptions
from isocourse.services.access import Role
from isocourse.services.ports import Actor, Clock, FixedClock, Rulebook, UnitOfWorkFactory
from isocourse.services.stored import CourseListFilter

__all__ = ["DEMO_SEED", "STATES", "DemoSummary", "seed_demo_clinic"]

#: The default seed: the same day always gives the same clinic.
DEMO_SEED = 20261121
STATES = ("window_open", "window_missed", "labs_overdue", "high_triglycerides", "raised_alt",
          "phq9_urgent", "phq9_moderate", "finished", "post_course_test_due",
          "awaiting_first_supply", "authorized_not_dispensed", "authorization_reversed",
          "mid_course", "weight_change", "side_effects", "second_course")

US, EU, UK = Jurisdiction.US_IPLEDGE, Jurisdiction.EU_PPP, Jurisdiction.UK_MHRA
_CYCLE_DAYS = 28          # a monthly visit two days before the 30-day supply runs out
_SUPPLY_DAYS = 30
_PHARMACY = "Demo Pharmacy"
#: The demo clinic's pharmacist account (see services.demo_accounts).
DEMO_PHARMACIST_ID = "demo-pharmacist"
_DONE = "course completed: acne clear"
Event = dict[str, Any]


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What was made. ``states`` maps each state name to the ids of the courses in it."""

    patients: int
    courses: int
    events: int
    authorizations: int
    states: Mapping[str, tuple[str, ...]]


@dataclass(slots=True)
class _Course:
    """A demo course being built: its id, who it is for, and its doses."""

    id: str
    patient_id: str
    jurisdiction: Jurisdiction
    can: bool
    teen: bool
    start_mg: int
    full_mg: int
    rx: str | None = None
    fills: list[dt.date] = field(default_factory=list)


def _e(type_: str, day: dt.date, **fields: Any) -> Event:
    """A course-record event object."""
    return {"type": type_, "date": day.isoformat(), **fields}


def _test(day: dt.date, setting: str = "lab") -> Event:
    """A negative pregnancy test, dated by the day of the specimen."""
    return _e("pregnancy_test", day, result="negative", setting=setting)


def _round10(mg: Decimal, low: int, high: int) -> int:
    """A daily dose in whole 10 mg steps (every catalog product can make these up), rounded
    half up, kept within ``low``..``high``."""
    return max(low, min(high, int((mg / 10).to_integral_value(ROUND_HALF_UP)) * 10))


class _Seeder:
    """Makes patients and courses through the services; keeps the counts and states."""

    def __init__(self, *, uows: UnitOfWorkFactory, clock: Clock, actor: Actor,
                 rules: Rulebook, rng: random.Random) -> None:
        self.uows, self.clock, self.actor, self.rules, self.rng = uows, clock, actor, rules, rng
        #: The pharmacy's side is done by the demo pharmacist, as it would be for real.
        self.pharmacist = replace(actor, id=DEMO_PHARMACIST_ID, role=Role.PHARMACIST.value)
        self.today = clock.today()
        self.patients = 0
        self.authorizations = 0
        self.course_ids: list[str] = []
        self.states: dict[str, list[str]] = {name: [] for name in STATES}

    # -- time ------------------------------------------------------------------------------
    def day(self, offset: int) -> dt.date:
        """T + ``offset`` days."""
        return self.today + dt.timedelta(days=offset)

    def at(self, day: dt.date) -> Clock:
        """The clock of a step on ``day`` (today: at the real instant, so a seeding that
        runs past midnight still dates today's steps on the day it started)."""
        return FixedClock(day, self.clock.now() if day == self.today else None)

    def mark(self, c: _Course, *states: str) -> _Course:
        """List the course under each of ``states``."""
        for state in states:
            self.states[state].append(c.id)
        return c

    # -- patients and courses ---------------------------------------------------------------
    def patient(self, *, can: bool, teen: bool, since: dt.date) -> str:
        """Register the next ``demo-NNN`` patient: 13-17 or 19-38 years old today."""
        self.patients += 1
        years = self.rng.randint(13, 17) if teen else self.rng.randint(19, 38)
        birth = add_months(self.today, -12 * years) - dt.timedelta(days=self.rng.randint(30, 300))
        row = courses.register_patient(
            courses.RegisterPatient(external_id=f"demo-{self.patients:03d}", birth_date=birth,
                                    can_get_pregnant=can),
            uows=self.uows, clock=self.at(since), actor=self.actor)
        return row.id

    def course(self, jurisdiction: Jurisdiction, product: str, *, can: bool, teen: bool,
               since: dt.date, start: dt.date | None, patient_id: str | None = None) -> _Course:
        """Start a course planned at 0.75-1 mg/kg/day, 0.5 mg/kg/day the first month."""
        pid = patient_id or self.patient(can=can, teen=teen, since=since)
        low, high = (44, 68) if teen else (52, 78) if can else (62, 94)
        weight = Decimal(self.rng.randint(low, high))
        per_kg = self.rng.choice((Decimal("0.75"), Decimal("1.0")))
        loaded = courses.start_course(courses.StartCourse(
            patient_id=pid, jurisdiction=jurisdiction, product=product, weight_kg=weight,
            mg_per_kg=per_kg, start_date=start, start_mg_per_kg=Decimal("0.5"),
            start_days=_CYCLE_DAYS), uows=self.uows, clock=self.at(since), actor=self.actor,
            rules=self.rules)
        self.course_ids.append(loaded.header.id)
        return _Course(loaded.header.id, pid, jurisdiction, can, teen,
                       _round10(weight / 2, 20, 40), _round10(weight * per_kg, 40, 80))

    # -- the use cases ------------------------------------------------------------------------
    def record(self, c: _Course, *events: Event) -> None:
        """Record events, on the day of the latest of them."""
        day = max(dt.date.fromisoformat(e["date"]) for e in events)
        courses.record_events(c.id, list(events), expected_version=None, uows=self.uows,
                              clock=self.at(day), actor=self.actor, rules=self.rules)

    def prescribe(self, c: _Course, day: dt.date, mg: int) -> None:
        """Write a 30-day prescription without refills, dated ``day``."""
        cmd = prescriptions.WritePrescription(course_id=c.id, daily_mg=mg,
                                              days_supply=_SUPPLY_DAYS, date=day)
        verdict = prescriptions.write_prescription(
            cmd, preview=False, expected_version=None, uows=self.uows, clock=self.at(day),
            actor=self.actor, rules=self.rules)
        if not verdict.saved or verdict.prescription_id is None:
            raise RuntimeError("demo clinic: a prescription was refused by "
                               + ", ".join(f.rule_id for f in verdict.refused))
        c.rx = verdict.prescription_id

    def grant(self, c: _Course, day: dt.date) -> str:
        """Ask for a dispense authorization of the newest prescription; its code."""
        assert c.rx is not None
        ask = dispensing.AuthorizationRequest(course_id=c.id, prescription_id=c.rx,
                                              pharmacy=_PHARMACY)
        row, _ = dispensing.request_authorization(
            ask, uows=self.uows, clock=self.at(day), actor=self.pharmacist, rules=self.rules)
        self.authorizations += 1
        return row.code

    def fill(self, c: _Course, day: dt.date) -> None:
        """The pharmacy's authorization and dispense, on ``day``."""
        dispensing.record_dispense(self.grant(c, day), idempotency_key=None, uows=self.uows,
                                   clock=self.at(day), actor=self.pharmacist,
                                   rules=self.rules)
        c.fills.append(day)

    def reverse(self, code: str, day: dt.date, reason: str) -> None:
        """The pharmacy reverses an authorization that was not used."""
        dispensing.reverse_authorization(code, reason=reason, uows=self.uows,
                                         clock=self.at(day), actor=self.pharmacist)

    def end(self, c: _Course, last_dose: dt.date, reason: str) -> None:
        """Record the course's end: the day of the last dose."""
        courses.end_course(c.id, last_dose=last_dose, reason=reason, expected_version=None,
                           uows=self.uows, clock=self.at(last_dose), actor=self.actor,
                           rules=self.rules)

    # -- clinical building blocks -------------------------------------------------------------
    def labs(self, c: _Course, day: dt.date) -> list[Event]:
        """Normal liver tests and fasting lipids (UK labs report lipids in mmol/L)."""
        r, mmol = self.rng, c.jurisdiction is UK

        def lipid(analyte: str, mg_dl: int, factor: float) -> Event:
            return _e("lab", day, analyte=analyte, value=round(mg_dl * factor, 1) if mmol
                      else mg_dl, unit="mmol/L" if mmol else "mg/dL")

        return [_e("lab", day, analyte="alt", value=r.randint(14, 38), unit="U/L", uln=40),
                _e("lab", day, analyte="ast", value=r.randint(15, 34), unit="U/L", uln=40),
                lipid("triglycerides", r.randint(70, 190), 0.0113),
                lipid("total-cholesterol", r.randint(150, 210), 0.0259)]

    def phq9(self, day: dt.date) -> Event:
        """A PHQ-9 with a minimal total (at most 3) and item 9 answered 'not at all'."""
        items = [0] * 9
        for index in self.rng.sample(range(8), self.rng.randint(0, 3)):
            items[index] = 1
        return _e("phq9", day, items=items)

    def contraception(self, day: dt.date) -> Event:
        """A primary method with condoms (meets iPLEDGE and the PPP alike)."""
        methods = self.rng.choice((["iud", "male-condom"], ["implant", "male-condom"],
                                   ["combined-pill", "male-condom"]))
        return _e("contraception", day, methods=methods)

    def uk_checks(self, day: dt.date, concern: bool = False) -> list[Event]:
        """The UK's mental-health and sexual-function assessments."""
        return [_e("mental_health_check", day, concern=concern),
                _e("sexual_function_check", day, concern=False)]

    def prepare(self, c: _Course, rx: dt.date) -> None:
        """What the programme needs before the first prescription, written on ``rx``."""
        def back(days: int) -> dt.date:
            return rx - dt.timedelta(days=days)

        if c.jurisdiction is US and c.can:    # screening in the office, confirmation in a lab
            self.record(c, self.contraception(back(50)), _e("enrollment", back(20)),
                        _e("risk_acknowledgement", back(20)),
                        _e("counseling", back(20)), _test(back(20), "office"))
            self.record(c, *self.labs(c, back(1)), self.phq9(back(1)))
            self.record(c, _test(rx), _e("comprehension", rx, passed=True))
        elif c.jurisdiction is US:
            self.record(c, _e("enrollment", back(7)), _e("risk_acknowledgement", back(7)),
                        *self.labs(c, back(7)), self.phq9(back(7)))
            self.record(c, _e("counseling", rx))
        else:
            form = back(40 if c.can else 4)
            self.record(c, _e("risk_acknowledgement", form),
                        *([self.contraception(form)] if c.can else []))
            checks = self.uk_checks(back(4)) if c.jurisdiction is UK else []
            if c.jurisdiction is UK and c.teen:
                checks.append(_e("prescriber_agreement", back(4),
                                 prescriber="second consultant dermatologist"))
            self.record(c, *self.labs(c, back(4)), self.phq9(back(4)), *checks)
            if c.can:
                self.record(c, _test(back(1), "office" if c.jurisdiction is UK else "lab"))

    def visit(self, c: _Course, day: dt.date, *, labs: bool = True) -> None:
        """A monthly visit: the programme's steps, a mood screen and (when due) labs."""
        events = [self.phq9(day)]
        if c.jurisdiction is US:
            events.append(_e("counseling", day))
            if c.can:
                events += [_test(day), _e("comprehension", day, passed=True)]
        elif c.can:
            events.append(_test(day))
        if c.jurisdiction is UK:
            events += self.uk_checks(day)
        self.record(c, *events, *(self.labs(c, day) if labs else []))

    def standard(self, jurisdiction: Jurisdiction, product: str, *, can: bool, teen: bool,
                 months: int, last_fill_ago: int, labs: bool = True,
                 visit_ago: int | None = None, patient_id: str | None = None,
                 states: tuple[str, ...] = ()) -> _Course:
        """A course on its ``months``-th monthly supply, the last one dispensed
        ``last_fill_ago`` days ago; each month a visit, a prescription and a pick-up. With
        ``visit_ago``, the next month's visit and prescription then, not (yet) dispensed."""
        last = self.day(-last_fill_ago)
        fills = [last - dt.timedelta(days=_CYCLE_DAYS * (months - 1 - k)) for k in range(months)]
        rxs = [fill - dt.timedelta(days=self.rng.randint(0, 1)) for fill in fills]
        lead = {(US, True): 20, (US, False): 7}.get((jurisdiction, can), 40 if can else 4)
        c = self.course(jurisdiction, product, can=can, teen=teen, start=fills[0],
                        since=rxs[0] - dt.timedelta(days=lead), patient_id=patient_id)
        for k, (rx, fill) in enumerate(zip(rxs, fills, strict=True)):
            if k == 0:
                self.prepare(c, rx)
            else:   # US labs monthly; EU/UK (SmPC) a month after the start, then 3-monthly
                self.visit(c, rx, labs=labs and (jurisdiction is US or k in (1, 4)))
            self.prescribe(c, rx, c.start_mg if k == 0 else c.full_mg)
            self.fill(c, fill)
        if visit_ago is not None:
            self.visit(c, self.day(-visit_ago))
            self.prescribe(c, self.day(-visit_ago), c.full_mg)
        return self.mark(c, *states)

    def first(self, jurisdiction: Jurisdiction, product: str, *, can: bool, rx_ago: int,
              states: tuple[str, ...]) -> _Course:
        """An adult's new course, prepared and prescribed ``rx_ago`` days ago, not yet
        dispensed."""
        rx = self.day(-rx_ago)
        c = self.course(jurisdiction, product, can=can, teen=False, start=None,
                        since=rx - dt.timedelta(days=20 if jurisdiction is US else 40))
        self.prepare(c, rx)
        self.prescribe(c, rx, c.start_mg)
        return self.mark(c, *states)


_MID = ("mid_course",)


def _windows(s: _Seeder) -> None:
    """Pick-up windows open today, missed ones, and authorizations."""
    s.first(US, "us-absorica", can=True, rx_ago=1, states=("window_open",))
    s.standard(US, "us-conventional", can=True, teen=True, months=2, last_fill_ago=27,
               visit_ago=0, states=("window_open", *_MID))
    s.standard(EU, "uk-generic", can=True, teen=False, months=1, last_fill_ago=27, visit_ago=1,
               states=("window_open",))
    s.first(UK, "uk-roaccutane", can=True, rx_ago=0, states=("window_open",))
    s.standard(US, "us-conventional", can=True, teen=False, months=1, last_fill_ago=40,
               visit_ago=12, states=("window_missed",))
    s.standard(EU, "uk-generic", can=True, teen=True, months=2, last_fill_ago=36, visit_ago=10,
               states=("window_missed",))
    s.first(UK, "uk-generic", can=True, rx_ago=9, states=("window_missed",))
    c = s.standard(US, "us-absorica", can=True, teen=False, months=1, last_fill_ago=28,
                   visit_ago=1, states=("authorized_not_dispensed", "window_open"))
    s.grant(c, s.today)
    c = s.standard(UK, "uk-generic", can=False, teen=False, months=1, last_fill_ago=27,
                   visit_ago=2, states=("authorized_not_dispensed",))
    s.grant(c, s.today)
    c = s.standard(US, "us-conventional", can=True, teen=True, months=2, last_fill_ago=38,
                   visit_ago=10, states=("authorization_reversed", "window_missed"))
    s.reverse(s.grant(c, s.day(-9)), s.day(-3), "not picked up within the 7-day window")


def _monitoring(s: _Seeder) -> None:
    """Labs overdue or out of range, and mood flags."""
    s.standard(US, "us-conventional", can=False, teen=False, months=3, last_fill_ago=10,
               labs=False, states=("labs_overdue",))
    s.standard(EU, "uk-generic", can=False, teen=False, months=2, last_fill_ago=8, labs=False,
               states=("labs_overdue",))
    c = s.standard(UK, "uk-generic", can=True, teen=False, months=3, last_fill_ago=6,
                   states=("high_triglycerides", *_MID))
    s.record(c, _e("lab", s.day(-4), analyte="triglycerides", value=6.1, unit="mmol/L"))
    c = s.standard(US, "us-absorica", can=False, teen=True, months=2, last_fill_ago=12,
                   states=("high_triglycerides",))
    s.record(c, _e("lab", s.day(-3), analyte="triglycerides", value=880, unit="mg/dL"),
             _e("lab", s.day(-3), analyte="total-cholesterol", value=262, unit="mg/dL"))
    c = s.standard(EU, "uk-generic", can=True, teen=False, months=2, last_fill_ago=9,
                   states=("raised_alt", *_MID))
    s.record(c, _e("lab", s.day(-2), analyte="alt", value=150, unit="U/L", uln=40),
             _e("lab", s.day(-2), analyte="ast", value=70, unit="U/L", uln=40))
    c = s.standard(UK, "uk-roaccutane", can=False, teen=True, months=2, last_fill_ago=14,
                   states=("phq9_urgent",))
    s.record(c, _e("phq9", s.day(-1), items=[2, 2, 1, 1, 1, 1, 1, 0, 1]),
             *s.uk_checks(s.day(-1), concern=True))
    c = s.standard(US, "us-conventional", can=True, teen=False, months=3, last_fill_ago=15,
                   states=("phq9_moderate", *_MID))
    s.record(c, _e("phq9", s.day(-5), items=[2, 2, 2, 1, 2, 1, 1, 1, 0]))


def _finished(s: _Seeder) -> None:
    """Courses that ended, with post-course pregnancy tests to come; a second course."""
    done, due = ("finished",), ("finished", "post_course_test_due")
    c = s.standard(US, "us-conventional", can=True, teen=False, months=6, last_fill_ago=50,
                   states=due)
    s.end(c, s.day(-21), _DONE)
    s.record(c, _test(s.day(-21)))           # the end-of-course test; one month later: due
    c = s.standard(EU, "uk-generic", can=True, teen=False, months=4, last_fill_ago=65,
                   states=due)
    s.end(c, s.day(-36), "stopped early at the patient's request (dry skin and lips)")
    c = s.standard(UK, "uk-generic", can=True, teen=True, months=3, last_fill_ago=38, states=due)
    s.end(c, s.day(-9), "acne clear; stopped early after discussion")
    c = s.standard(US, "us-absorica", can=False, teen=False, months=5, last_fill_ago=60,
                   states=done)
    s.end(c, s.day(-31), _DONE)
    c = s.standard(EU, "uk-generic", can=False, teen=False, months=5, last_fill_ago=250,
                   states=done)
    s.end(c, s.day(-221), _DONE)
    s.standard(EU, "uk-generic", can=False, teen=False, months=3, last_fill_ago=5,
               patient_id=c.patient_id, states=("second_course", *_MID))


def _awaiting(s: _Seeder) -> None:
    """Enrolled, with the tests before the first supply still pending."""
    c = s.mark(s.course(US, "us-conventional", can=True, teen=True, since=s.day(-6), start=None),
               "awaiting_first_supply")
    s.record(c, s.contraception(s.day(-45)), _e("enrollment", s.day(-6)),
             _e("risk_acknowledgement", s.day(-6)), _e("counseling", s.day(-6)),
             _test(s.day(-6), "office"), *s.labs(c, s.day(-6)), s.phq9(s.day(-6)))
    c = s.mark(s.course(EU, "uk-generic", can=True, teen=False, since=s.day(-12), start=None),
               "awaiting_first_supply")
    s.record(c, _e("risk_acknowledgement", s.day(-12)), s.contraception(s.day(-12)))
    s.record(c, *s.labs(c, s.day(-5)), s.phq9(s.day(-5)))
    c = s.mark(s.course(UK, "uk-roaccutane", can=False, teen=False, since=s.day(-3), start=None),
               "awaiting_first_supply")
    s.record(c, _e("risk_acknowledgement", s.day(-3)), *s.uk_checks(s.day(-3)),
             s.phq9(s.day(-3)))


def _mid_course(s: _Seeder) -> None:
    """Courses in their second to fourth month, one supply a month; side effects and
    weight changes."""
    s.standard(US, "us-absorica", can=True, teen=False, months=2, last_fill_ago=3, states=_MID)
    c = s.standard(US, "us-conventional", can=False, teen=False, months=4, last_fill_ago=20,
                   states=("weight_change", *_MID))
    s.record(c, _e("weight", c.fills[-1], kg=float(s.rng.randint(72, 88)) + 0.5))
    c = s.standard(US, "us-conventional", can=True, teen=True, months=3, last_fill_ago=8,
                   states=("side_effects", *_MID))
    s.record(c, _e("side_effect", s.day(-6), kind="cheilitis", grade=1))
    s.standard(EU, "uk-generic", can=True, teen=False, months=3, last_fill_ago=12, states=_MID)
    c = s.standard(EU, "uk-generic", can=False, teen=True, months=2, last_fill_ago=18,
                   states=("side_effects", *_MID))
    s.record(c, _e("side_effect", s.day(-4), kind="arthralgia", grade=2),
             _e("side_effect", s.day(-4), kind="dry-skin", grade=1))
    c = s.standard(UK, "uk-roaccutane", can=True, teen=False, months=4, last_fill_ago=2,
                   states=("weight_change", *_MID))
    s.record(c, _e("weight", c.fills[-2], kg=float(s.rng.randint(48, 60)) + 0.8))
    s.standard(UK, "uk-generic", can=False, teen=False, months=3, last_fill_ago=22, states=_MID)
    s.standard(UK, "uk-generic", can=True, teen=True, months=2, last_fill_ago=5, states=_MID)
    s.standard(US, "us-conventional", can=False, teen=True, months=2, last_fill_ago=24,
               states=_MID)
    s.standard(EU, "uk-generic", can=True, teen=False, months=4, last_fill_ago=16, states=_MID)


def seed_demo_clinic(*, uows: UnitOfWorkFactory, clock: Clock, actor: Actor, rules: Rulebook,
                     seed: int = DEMO_SEED) -> DemoSummary:
    """Fill an empty clinic with the demo patients and courses (module docstring); ``seed``
    chooses ages, weights, doses and normal results.

    Raises :class:`Conflict` when the actor's clinic already has a course: the demo only
    fills an empty database. Not one transaction: a failure part-way leaves what was made."""
    if courses.list_courses(CourseListFilter(), offset=0, limit=1, uows=uows, actor=actor).total:
        raise Conflict("the clinic already has courses; the demo clinic is only made in an "
                       "empty database")
    seeder = _Seeder(uows=uows, clock=clock, actor=actor, rules=rules, rng=random.Random(seed))
    for scenario in (_windows, _monitoring, _finished, _awaiting, _mid_course):
        scenario(seeder)
    events = sum(len(courses.get_course(cid, uows=uows, actor=actor, rules=rules).events)
                 for cid in seeder.course_ids)
    return DemoSummary(
        patients=seeder.patients, courses=len(seeder.course_ids), events=events,
        authorizations=seeder.authorizations,
        states=MappingProxyType({k: tuple(v) for k, v in seeder.states.items()}))
