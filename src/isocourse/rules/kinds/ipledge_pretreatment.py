"""US iPLEDGE REMS, patients who can get pregnant: the two tests before the first
prescription, and the tests at the end of the course and one month after it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from isocourse.domain.dates import add_months
from isocourse.domain.record import (
    Contraception,
    ContraceptionMethod,
    MethodCategory,
    PregnancyTest,
)
from isocourse.rules.facts import CourseFacts, Phase
from isocourse.rules.kinds.ipledge import (
    SETTING_POLICY_PARAMS,
    SettingPolicy,
    describe_settings,
    iso,
    setting_words,
    settings_param,
)
from isocourse.rules.model import RuleSpec
from isocourse.rules.registry import ResultBuilder, rule_kind

__all__: list[str] = []


def _meets(spec: RuleSpec, methods: Sequence[ContraceptionMethod]) -> bool:
    """The contraception requirement, as ``contraception-in-use`` counts it."""
    if spec.value("abstinence_counts") and ContraceptionMethod.ABSTINENCE in methods:
        return True
    eligible = {m for m in methods if m.category is not MethodCategory.OTHER}
    primary = {m for m in eligible if m.category is MethodCategory.PRIMARY}
    return len(eligible) >= spec.days("min_methods") and len(primary) >= spec.days(
        "min_primary")


def _ready(facts: CourseFacts, spec: RuleSpec, day: dt.date) -> dt.date | None:
    """The day on which contraception meeting the programme, unbroken up to ``day``, had
    been in use for ``contraception_months``; None if it is not in use on ``day``."""
    since: dt.date | None = None
    for event in facts.of(Contraception):
        if event.date > day:
            break
        since = (since or event.date) if _meets(spec, event.methods) else None
    return None if since is None else add_months(since, spec.days("contraception_months"))


@rule_kind("ipledge-pretreatment-tests", params={
    "screening_settings": list, "settings_before": list, "min_days_between": int,
    "contraception_months": int, "min_methods": int, "min_primary": int,
    "abstinence_counts": bool})
def pretreatment_tests(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """Before the first prescription two negative pregnancy tests are needed: a screening
    test (in ``screening_settings``) and a confirmation test at least ``min_days_between``
    days later, done in ``settings_before`` after ``contraception_months`` month(s) of
    contraception that meets the programme (``min_methods`` methods, ``min_primary`` of them
    primary, or abstinence where ``abstinence_counts``). Until both are on file dispensing
    is blocked and the next test is due on the first day it could count (no date while the
    contraception on record does not meet the programme). The timing within
    the menstrual cycle (first 5 days of the period when cycles are regular) is not in the
    record and is not checked."""
    if facts.phase is not Phase.BEFORE or facts.dispenses:
        return
    screening_ok = settings_param(spec, "screening_settings")
    confirm_ok = settings_param(spec, "settings_before")
    gap, months = spec.days("min_days_between"), spec.days("contraception_months")
    tests = facts.negative_tests
    screens = [t for t in tests if t.setting in screening_ok]

    def confirms(screen: PregnancyTest, test: PregnancyTest) -> bool:
        ready = _ready(facts, spec, test.date)
        return (test.setting in confirm_ok and test.date >= screen.date + dt.timedelta(gap)
                and ready is not None and test.date >= ready)

    pair = next(((s, t) for t in tests for s in screens if confirms(s, t)), None)
    if pair is not None:
        out.info(f"pre-treatment tests on file: screening test of {iso(pair[0].date)}, "
                 f"confirmation test of {iso(pair[1].date)}")
        return
    needed = (f"a confirmation test in {describe_settings(confirm_ok)} at least {gap} days "
              f"after it and after {months} month(s) of contraception")
    if not screens:
        out.block(f"no negative screening pregnancy test (done in "
                  f"{describe_settings(screening_ok)}) is on file; two negative tests are "
                  f"needed before the first prescription: the screening test, then {needed}")
        out.needs("pregnancy_test", facts.on, "the screening test")
        return
    screen = screens[0]
    ready_now = _ready(facts, spec, facts.on)
    due = max(facts.on, screen.date + dt.timedelta(gap), ready_now or facts.on)
    problem = ""
    later = [t for t in tests if t.date > screen.date]
    if later:
        test = later[-1]
        ready = _ready(facts, spec, test.date)
        reasons = []
        if test.setting not in confirm_ok:
            reasons.append(f"it was done {setting_words(test.setting)}")
        if test.date < screen.date + dt.timedelta(gap):
            reasons.append(f"it was {(test.date - screen.date).days} days after the "
                           "screening test")
        if ready is None or test.date < ready:
            reasons.append(f"contraception had not been in use for {months} month(s)")
        problem = (f"; the test of {iso(test.date)} cannot be the confirmation test: "
                   + " and ".join(reasons))
    when = f"on or after {iso(due)}" if ready_now is not None else (
        "once contraception meeting the programme has been in use for "
        f"{months} month(s)")
    out.block(f"the screening test of {iso(screen.date)} is on file but no confirmation "
              f"test{problem}; {needed} is needed, {when}")
    if ready_now is not None:
        out.needs("pregnancy_test", due, "the confirmation test")


@rule_kind("ipledge-post-course-tests", params={**SETTING_POLICY_PARAMS, "months_after": int})
def post_course_tests(facts: CourseFacts, spec: RuleSpec, out: ResultBuilder) -> None:
    """After the last dose two more negative tests are needed: one at the end of the course
    (dated on or after the last dose and before the second is due) and one ``months_after``
    month(s) after the last dose, each in a setting the version accepts after treatment.
    Each is a due item; a test whose day has passed without a result on file is a warning,
    and one not yet due is an info finding."""
    end = facts.last_dose_date
    if facts.phase is not Phase.AFTER or end is None:
        return
    months = spec.days("months_after")
    later = add_months(end, months)
    tests = [t.date for t in SettingPolicy.of(spec).accepted_negatives(facts)]
    if not any(end <= day < later for day in tests):
        out.warning(f"no negative pregnancy test from the end of the course (last dose "
                    f"{iso(end)}) is on file; iPLEDGE requires one")
        out.needs("pregnancy_test", end, "the test at the end of the course")
    if any(day >= later for day in tests):
        return
    if facts.on < later:
        out.info(f"a pregnancy test is due on {iso(later)}, {months} month(s) after the last "
                 "dose")
    else:
        out.warning(f"the pregnancy test due on {iso(later)}, {months} month(s) after the last "
                    "dose, is not on file")
    out.needs("pregnancy_test", later, f"the test {months} month(s) after the last dose")
