"""Spec table: the UK MHRA isotretinoin programme in its versions.

- ``uk-mhra@2018-06-21``: the EU PPP as applied in the UK;
- ``uk-mhra@2023-10-31``: + Acknowledgement of Risk Form for every patient, mental-health and
  sexual-function assessment, two prescribers for under-18s;
- ``uk-mhra@2025-10-27``: + remote supervised pregnancy tests, first appointment in person;
- ``uk-mhra@2026-01-22``: second prescriber removed, revised Acknowledgement of Risk Form.

Each version boundary is tested on its last and first day; timelines are built relative to
the first prescription (see ``ppp_records``).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.spec.harness import Scenario, ev, run_scenario, scenario_id
from tests.spec.ppp_records import Event, day, ended, first_supply, record, second_month

UK = "uk-mhra"
V2018, V2023, V2025, V2026 = (f"uk-mhra@{v}" for v in (
    "2018-06-21", "2023-10-31", "2025-10-27", "2026-01-22"))
RX18 = "2022-03-07"
RX23 = "2024-01-14"
PPP = ("uk-mhra.acknowledgement", "uk-mhra.contraception", "uk-mhra.initial-pregnancy-test",
       "uk-mhra.monthly-pregnancy-test", "uk-mhra.prescription-limits")
UK_MEASURES = ("uk-mhra.risk-form", "uk-mhra.mental-health", "uk-mhra.sexual-function",
               "uk-mhra.second-prescriber")
NO_PPP: dict[str, Any] = {"contraception_from": None, "form": None, "test": None}
NURSE = "practice nurse (video)"


def uk(events: list[Event], **kwargs: Any) -> dict[str, Any]:
    return record(UK, events, **kwargs)


def other(events: list[Event], **kwargs: Any) -> dict[str, Any]:
    """A patient who cannot get pregnant."""
    return record(UK, events, can_get_pregnant=False, **kwargs)


def agreement(date: str) -> Event:
    return ev.of("prescriber_agreement", date, prescriber="second dermatologist")


SCENARIOS_2018: list[Scenario] = [
    Scenario("uk 2018 first supply", uk(first_supply(RX18)), RX18, True,
             expect={"uk-mhra.dispensing-window": "info",
                     "uk-mhra.second-course-interval": "info"},
             absent=(*PPP, *UK_MEASURES), window=(RX18, "2022-03-13"), rule_set=V2018,
             doc="Before October 2023 the UK applied the EU PPP alone: form, a month of "
                 "contraception and a supervised negative test allow the first supply."),
    Scenario("uk 2018 dispensing on day 7", uk(first_supply(RX18)), "2022-03-13", True,
             window=(RX18, "2022-03-13"), expect={"uk-mhra.dispensing-window": "info"},
             doc="Dispensing is allowed up to Day 7, counting the prescription date as "
                 "Day 1."),
    Scenario("uk 2018 dispensing on day 8", uk(first_supply(RX18)), "2022-03-14", False,
             expect={"uk-mhra.dispensing-window": "block"}, window=None,
             doc="Do not dispense more than 7 days after the prescription was issued."),
    Scenario("uk 2018 acknowledgement form missing", uk(first_supply(RX18, form=None)), RX18,
             False, expect={"uk-mhra.acknowledgement": "block"}, absent=("uk-mhra.risk-form",),
             due={"risk_acknowledgement": RX18},
             doc="Patients of childbearing potential sign the PPP acknowledgement form."),
    Scenario("uk 2018 no form for a patient who cannot get pregnant",
             other(first_supply(RX18, **NO_PPP)), RX18, True, window=None,
             absent=(*PPP, *UK_MEASURES, "uk-mhra.dispensing-window"),
             doc="Before October 2023 no form was required of patients who cannot get "
                 "pregnant, and the PPP limits did not apply to them."),
    Scenario("uk 2018 barrier method alone", uk(first_supply(RX18, methods=("male-condom",))),
             RX18, False, expect={"uk-mhra.contraception": "block"},
             doc="'One, or preferably two' methods: by default the one must be primary."),
    Scenario("uk 2018 first test 3 days before", uk(first_supply(RX18, test=-3)), RX18, True,
             absent=("uk-mhra.initial-pregnancy-test",),
             doc="A supervised test up to 3 days before the first prescription counts "
                 "(unconfirmed default)."),
    Scenario("uk 2018 first test 4 days before", uk(first_supply(RX18, test=-4)), RX18, False,
             expect={"uk-mhra.initial-pregnancy-test": "block"}, due={"pregnancy_test": RX18},
             doc="A test 4 days before the first prescription is too early."),
    Scenario("uk 2018 repeat prescription test 4 days before",
             uk(second_month(RX18, "2022-04-04", test=-4)), "2022-04-04", False,
             expect={"uk-mhra.monthly-pregnancy-test": "block"},
             doc="Pregnancy is excluded before each repeat prescription."),
    Scenario("uk 2018 repeat prescription test 3 days before",
             uk(second_month(RX18, "2022-04-04", test=-3)), "2022-04-04", True,
             absent=("uk-mhra.monthly-pregnancy-test",), due={"pregnancy_test": "2022-05-01"},
             doc="A test 3 days before the repeat prescription counts; the next is due a "
                 "month after it."),
    Scenario("uk 2018 prescription for 31 days", uk(first_supply(RX18, days_supply=31)),
             RX18, False, expect={"uk-mhra.prescription-limits": "block"},
             doc="Prescriptions are limited to 30 days' supply."),
    Scenario("uk 2018 prescription with a refill", uk(first_supply(RX18, refills=1)), RX18,
             False, expect={"uk-mhra.prescription-limits": "block"},
             doc="Each supply needs a new prescription."),
    Scenario("uk 2018 positive pregnancy test", uk(second_month(
        RX18, "2022-04-04", extra=[ev.test("2022-04-04", "positive")])), "2022-04-04", False,
             expect={"uk-mhra.positive-pregnancy-test": "urgent"},
             doc="A positive test is urgent: stop, refer, and report through the Yellow Card "
                 "scheme."),
    Scenario("uk 2018 final test due", uk(ended(RX18, "2022-04-05")), "2022-05-05", False,
             expect={"uk-mhra.test-after-stopping": "info", "uk-mhra.no-blood-donation": "info"},
             due={"pregnancy_test": "2022-05-05"},
             doc="The final test falls due a month after the last dose; no blood donation "
                 "until then."),
    Scenario("uk 2018 final test overdue", uk(ended(RX18, "2022-04-05")), "2022-05-06", False,
             expect={"uk-mhra.test-after-stopping": "warning"},
             absent=("uk-mhra.no-blood-donation",),
             doc="The day after, a missing final test is a warning."),
    Scenario("uk 2018 contraception stopped early", uk(ended(
        RX18, "2022-04-05", extra=[ev.contraception("2022-04-20")])), "2022-04-25", False,
             expect={"uk-mhra.contraception": "warning"},
             doc="Contraception continues for a month after the last dose."),
]

SCENARIOS_2023: list[Scenario] = [
    Scenario("uk last day before the 2023 measures", other(first_supply(
        "2023-10-30", **NO_PPP)), "2023-10-30", True, rule_set=V2018, absent=UK_MEASURES,
             doc="On 30 October 2023 a patient who cannot get pregnant needs no form and no "
                 "assessments."),
    Scenario("uk first day of the 2023 measures", other(first_supply(
        "2023-10-31", **NO_PPP)), "2023-10-31", False, rule_set=V2023,
             expect={"uk-mhra.risk-form": "block", "uk-mhra.mental-health": "block",
                     "uk-mhra.sexual-function": "block",
                     "uk-mhra.first-appointment-in-person": "info"},
             due={"risk_acknowledgement": "2023-10-31", "mental_health_check": "2023-10-31",
                  "sexual_function_check": "2023-10-31"},
             doc="From 31 October 2023 every patient signs the Acknowledgement of Risk Form "
                 "and has mental health and sexual function assessed, in person, before "
                 "starting."),
    Scenario("uk 2023 complete first supply", uk(first_supply(RX23, checks=True)), RX23, True,
             absent=(*PPP, *UK_MEASURES), window=(RX23, "2024-01-20"), rule_set=V2023,
             doc="With the form, the assessments and the PPP conditions met, the first "
                 "supply is allowed."),
    Scenario("uk 2023 patient who cannot get pregnant, complete", other(first_supply(
        RX23, checks=True, contraception_from=None, test=None)), RX23, True, window=None,
             absent=(*PPP, *UK_MEASURES, "uk-mhra.dispensing-window"),
             doc="A patient who cannot get pregnant needs the form and the assessments, not "
                 "the PPP."),
    Scenario("uk 2023 no forms for a patient of childbearing potential", uk(first_supply(
        RX23, checks=True, form=None)), RX23, False,
             expect={"uk-mhra.acknowledgement": "block", "uk-mhra.risk-form": "block"},
             doc="Without a signed form, both the PPP acknowledgement and the Acknowledgement "
                 "of Risk Form are missing."),
    Scenario("uk 2023 concern at the mental-health assessment", uk(first_supply(
        RX23, extra=[ev.of("mental_health_check", day(RX23, -1), concern=True),
                     ev.of("sexual_function_check", day(RX23, -1), concern=False)])), RX23,
             True, expect={"uk-mhra.mental-health": "warning"},
             doc="A concern raised at an assessment is a warning for the prescriber to "
                 "review; it does not itself block dispensing."),
    Scenario("uk 2023 assessments due on the monthly follow-up day", uk(second_month(
        RX23, "2024-02-10", checks=True)), "2024-02-10", True,
             absent=("uk-mhra.mental-health", "uk-mhra.sexual-function"),
             due={"mental_health_check": "2024-02-10", "sexual_function_check": "2024-02-10"},
             doc="Assessed on 10 January, mental health and sexual function are due again "
                 "at the monthly follow-up (unconfirmed interval): 10 February."),
    Scenario("uk 2023 assessments overdue", uk(second_month(
        RX23, "2024-02-11", checks=True)), "2024-02-11", True,
             expect={"uk-mhra.mental-health": "warning", "uk-mhra.sexual-function": "warning"},
             doc="A day later they are overdue: a warning, not a block."),
    Scenario("uk 2023 course started before the measures", uk(second_month(
        "2023-10-09", "2023-11-06")), "2023-11-06", True,
             expect={"uk-mhra.mental-health": "warning", "uk-mhra.sexual-function": "warning"},
             due={"mental_health_check": "2023-11-06"},
             doc="A course already running on 31 October 2023 is not stopped: the missing "
                 "assessments are warnings, due at the next follow-up."),
    Scenario("uk 2023 under 18 without a second prescriber", uk(first_supply(
        "2024-03-14", checks=True), birth_date="2006-03-15"), "2024-03-14", False,
             expect={"uk-mhra.second-prescriber": "block"},
             due={"prescriber_agreement": "2024-03-14"},
             doc="The day before their 18th birthday a patient needs a second, independent "
                 "prescriber's agreement before the first supply."),
    Scenario("uk 2023 under 18 with a second prescriber", uk(first_supply(
        "2024-03-14", checks=True, extra=[agreement("2024-03-12")]),
        birth_date="2006-03-15"), "2024-03-14", True,
             absent=("uk-mhra.second-prescriber",),
             doc="With the second prescriber's agreement on file, the first supply is "
                 "allowed."),
    Scenario("uk 2023 on the 18th birthday", uk(first_supply(
        "2024-03-15", checks=True), birth_date="2006-03-15"), "2024-03-15", True,
             absent=("uk-mhra.second-prescriber",),
             doc="On the 18th birthday one prescriber is enough."),
    Scenario("uk 2023 turning 18 on the planned start date", uk(first_supply(
        "2024-03-12", checks=True), birth_date="2006-03-15", start_date="2024-03-15"),
             "2024-03-12", True, absent=("uk-mhra.second-prescriber",),
             doc="Age is taken on the course's start date: a patient who is 18 on the "
                 "planned first day needs no second prescriber."),
    Scenario("uk 2023 under 18 on the planned start date", uk(first_supply(
        "2024-03-12", checks=True), birth_date="2006-03-15", start_date="2024-03-14"),
             "2024-03-12", False, expect={"uk-mhra.second-prescriber": "block"},
             doc="A patient who is still 17 on the planned first day needs a second "
                 "prescriber."),
]

SCENARIOS_2025: list[Scenario] = [
    Scenario("uk last day before remote tests", uk(second_month(
        "2025-09-26", "2025-10-26", setting="home", verified_by=NURSE, checks=True,
        next_checks=True), home_tests_allowed=True), "2025-10-26", False, rule_set=V2023,
             expect={"uk-mhra.monthly-pregnancy-test": "block"},
             doc="On 26 October 2025 a remotely supervised home test does not yet count."),
    Scenario("uk first day of remote tests", uk(second_month(
        "2025-09-27", "2025-10-27", setting="home", verified_by=NURSE, checks=True,
        next_checks=True), home_tests_allowed=True), "2025-10-27", True, rule_set=V2025,
             absent=("uk-mhra.monthly-pregnancy-test",),
             doc="From 27 October 2025 a home test counts when the prescriber allows home "
                 "tests for the course and the record names who supervised it."),
    Scenario("uk 2025 home test without a supervisor", uk(second_month(
        "2025-10-27", "2025-11-24", setting="home", checks=True, next_checks=True),
        home_tests_allowed=True), "2025-11-24", False,
             expect={"uk-mhra.monthly-pregnancy-test": "block"},
             doc="A home test with no one named as supervising it does not count."),
    Scenario("uk 2025 home test not allowed for the course", uk(second_month(
        "2025-10-27", "2025-11-24", setting="home", verified_by=NURSE, checks=True,
        next_checks=True)), "2025-11-24", False,
             expect={"uk-mhra.monthly-pregnancy-test": "block"},
             doc="A home test counts only if the prescriber has allowed home tests."),
    Scenario("uk 2025 first test must be in a clinic", uk(first_supply(
        "2025-11-24", checks=True, setting="home"), home_tests_allowed=True), "2025-11-24",
             False, expect={"uk-mhra.initial-pregnancy-test": "block",
                            "uk-mhra.first-appointment-in-person": "info"},
             doc="The test before starting stays in a laboratory or clinic, and the first "
                 "appointment is in person (the record cannot show it, so it is a reminder)."),
    Scenario("uk 2025 final test at home", uk(ended(
        "2025-11-03", "2025-12-02", checks=True,
        extra=[ev.test("2026-01-02", setting="home", verified_by=NURSE)]),
        home_tests_allowed=True), "2026-01-05", False,
             absent=("uk-mhra.test-after-stopping",),
             doc="The final test after stopping may be a remotely supervised home test."),
    Scenario("uk 2025 sexual function not asked at follow-up", uk(second_month(
        "2025-11-03", "2025-12-05", checks=True,
        extra=[ev.of("mental_health_check", "2025-12-05", concern=False)])), "2025-12-05",
             True, expect={"uk-mhra.sexual-function": "warning"},
             absent=("uk-mhra.mental-health",), due={"sexual_function_check": "2025-11-30"},
             doc="Sexual function is asked about at follow-up appointments; overdue is a "
                 "warning."),
]

SCENARIOS_2026: list[Scenario] = [
    Scenario("uk last day of the second-prescriber rule", uk(first_supply(
        "2026-01-21", checks=True), birth_date="2010-05-01"), "2026-01-21", False,
             rule_set=V2025, expect={"uk-mhra.second-prescriber": "block"},
             doc="On 21 January 2026 a 15-year-old still needs a second prescriber."),
    Scenario("uk second-prescriber rule removed", uk(first_supply(
        "2026-01-22", checks=True), birth_date="2010-05-01"), "2026-01-22", True,
             rule_set=V2026, absent=("uk-mhra.second-prescriber",),
             expect={"uk-mhra.risk-form": "info"},
             doc="From 22 January 2026 one prescriber is enough at any age; a form signed "
                 "before the revision is accepted, with a reminder to use the revised form."),
    Scenario("uk 2026 revised form on file", uk(first_supply(
        "2026-03-10", checks=True, form="2026-02-01")), "2026-03-10", True,
             absent=(*PPP, *UK_MEASURES), window=("2026-03-10", "2026-03-16"),
             doc="With the revised Acknowledgement of Risk Form, nothing is flagged."),
    Scenario("uk 2026 dispensing on day 8", uk(first_supply(
        "2026-03-10", checks=True, form="2026-02-01")), "2026-03-17", False,
             expect={"uk-mhra.dispensing-window": "block"}, window=None,
             doc="The 7-day dispensing limit is unchanged in 2026."),
    Scenario("uk 2026 form missing for a patient who cannot get pregnant", other(first_supply(
        "2026-03-10", checks=True, **NO_PPP)), "2026-03-10", False,
             expect={"uk-mhra.risk-form": "block"}, absent=PPP,
             doc="The Acknowledgement of Risk Form is still needed for every patient."),
    Scenario("uk 2026 blood donation after treatment", other(ended(
        "2026-03-10", "2026-04-08", checks=True)), "2026-05-08", False,
             expect={"uk-mhra.no-blood-donation": "info", "uk-mhra.course-ended": "block"},
             absent=("uk-mhra.test-after-stopping", "uk-mhra.mental-health"),
             doc="No blood donation for a month after the last dose, for every patient; "
                 "nothing more is dispensed on an ended course, and the follow-up "
                 "assessments stop with it."),
]

SCENARIOS = [*SCENARIOS_2018, *SCENARIOS_2023, *SCENARIOS_2025, *SCENARIOS_2026]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=scenario_id)
def test_uk_mhra(scenario: Scenario) -> None:
    run_scenario(scenario)
