"""Spec table: the EU Pregnancy Prevention Programme (2018) for oral isotretinoin.

The first supply of the model course is written on 6 February 2026 (``RX``); contraception
and the acknowledgement form date from 40 days before, the negative lab test from the day
before (see ``ppp_records``). Every window is tested on its last allowed day and the day
after.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.spec.harness import Scenario, ev, run_scenario, scenario_id
from tests.spec.ppp_records import Event, day, ended, first_supply, labs, record, second_month

EU = "eu-ppp"
RX = "2026-02-06"
NEXT = "2026-03-06"
LAST_DOSE = "2026-03-07"
PACK = "eu-ppp@2018-06-21"
BLOCKERS = ("eu-ppp.acknowledgement", "eu-ppp.contraception", "eu-ppp.initial-pregnancy-test",
            "eu-ppp.monthly-pregnancy-test", "eu-ppp.prescription-limits")


def eu(events: list[Event], **kwargs: Any) -> dict[str, Any]:
    return record(EU, events, **kwargs)


def not_pregnant(events: list[Event]) -> dict[str, Any]:
    return record(EU, events, can_get_pregnant=False)


NO_PPP: dict[str, Any] = {"contraception_from": None, "form": None, "test": None}

SCENARIOS: list[Scenario] = [
    # --- the first supply -------------------------------------------------------------
    Scenario("eu first supply on the prescription day", eu(first_supply(RX)), RX, True,
             expect={"eu-ppp.dispensing-window": "info",
                     "eu-ppp.second-course-interval": "info"},
             absent=BLOCKERS, window=(RX, "2026-02-12"), rule_set=PACK,
             doc="A patient of childbearing potential with the form, a month of "
                 "contraception and a negative supervised test the day before may have the "
                 "first supply on the prescription day; the window runs to Day 7."),
    Scenario("eu dispensing on day 7 of the prescription", eu(first_supply(RX)),
             "2026-02-12", True, expect={"eu-ppp.dispensing-window": "info"},
             window=(RX, "2026-02-12"),
             doc="Day 1 is the prescription date, so Day 7 (the date + 6) is the last day "
                 "a pharmacist may dispense."),
    Scenario("eu dispensing on day 8 of the prescription", eu(first_supply(RX)),
             "2026-02-13", False, expect={"eu-ppp.dispensing-window": "block"}, window=None,
             doc="On Day 8 the prescription has expired: a new prescription is needed."),
    Scenario("eu no prescription on file", eu(first_supply(RX, prescription=False)), RX,
             False, expect={"eu-ppp.dispensing-window": "block"}, window=None,
             doc="Without a prescription written in the last 7 days nothing may be "
                 "dispensed."),
    Scenario("eu prescription already dispensed", eu([*first_supply(RX), ev.dispense(RX)]),
             day(RX, 3), False, expect={"eu-ppp.dispensing-window": "block"}, window=None,
             doc="A prescription is dispensed once; the next supply needs a new "
                 "prescription (no refills)."),
    Scenario("eu acknowledgement form missing", eu(first_supply(RX, form=None)), RX, False,
             expect={"eu-ppp.acknowledgement": "block"}, due={"risk_acknowledgement": RX},
             doc="The acknowledgement form signed by patient and prescriber must be on file "
                 "before dispensing."),
    # --- contraception ---------------------------------------------------------------
    Scenario("eu contraception for exactly one month", eu(first_supply(
        RX, contraception_from="2026-01-06", test=0)), RX, True,
             absent=("eu-ppp.contraception", "eu-ppp.initial-pregnancy-test"),
             doc="Contraception started on 6 January has been in use for one month on "
                 "6 February: a test that day and the first supply are allowed."),
    Scenario("eu contraception one day short of a month", eu(first_supply(
        RX, contraception_from="2026-01-07", test=0)), RX, False,
             expect={"eu-ppp.contraception": "block",
                     "eu-ppp.initial-pregnancy-test": "block"},
             due={"pregnancy_test": "2026-02-07"},
             doc="Contraception started on 7 January has not yet been in use for a month on "
                 "6 February: both the first supply and the test must wait until 7 February."),
    Scenario("eu barrier method alone", eu(first_supply(RX, methods=("male-condom",))), RX,
             False, expect={"eu-ppp.contraception": "block"},
             doc="By default one primary method is required: a condom alone is not enough "
                 "(the 2018 wording is unconfirmed; the parameters say so)."),
    Scenario("eu two barrier methods", eu(first_supply(
        RX, methods=("male-condom", "diaphragm"))), RX, False,
             expect={"eu-ppp.contraception": "block"},
             doc="Two barrier methods without a primary one are refused by the default, "
                 "which is stricter than the unconfirmed 2018 'two complementary methods'."),
    Scenario("eu intrauterine device alone", eu(first_supply(RX, methods=("iud",))), RX,
             True, absent=("eu-ppp.contraception",),
             doc="One primary (highly effective) method meets the programme."),
    Scenario("eu abstinence is not counted", eu(first_supply(RX, methods=("abstinence",))),
             RX, False, expect={"eu-ppp.contraception": "block"},
             doc="The PPP applies to patients who are not sexually active; abstinence does "
                 "not replace contraception by default."),
    Scenario("eu contraception stopped within the month after", eu(ended(
        RX, LAST_DOSE, extra=[ev.contraception("2026-03-20")])), "2026-04-07", False,
             expect={"eu-ppp.contraception": "warning"},
             doc="Contraception must continue for one month after the last dose (to 7 April "
                 "here); stopping earlier is a warning up to that day."),
    Scenario("eu contraception may stop a month after", eu(ended(
        RX, LAST_DOSE, extra=[ev.contraception("2026-04-08")])), "2026-04-08", False,
             absent=("eu-ppp.contraception",),
             doc="From the day after the month following the last dose, contraception is no "
                 "longer required by the programme."),
    # --- the pregnancy test before starting -------------------------------------------
    Scenario("eu first test 3 days before the prescription", eu(first_supply(RX, test=-3)),
             RX, True, absent=("eu-ppp.initial-pregnancy-test",),
             doc="'Shortly before the first prescription' defaults to the prescription day "
                 "or the 3 days before it (an unconfirmed, configurable default)."),
    Scenario("eu first test 4 days before the prescription", eu(first_supply(RX, test=-4)),
             RX, False, expect={"eu-ppp.initial-pregnancy-test": "block"},
             due={"pregnancy_test": RX},
             doc="A test 4 days before the first prescription is too early: a new test is "
                 "due."),
    Scenario("eu first test in a clinic", eu(first_supply(RX, setting="office")), RX, True,
             absent=("eu-ppp.initial-pregnancy-test",),
             doc="A test done in a clinic is medically supervised."),
    Scenario("eu first test at home", eu(first_supply(RX, setting="home"),
                                         home_tests_allowed=True), RX, False,
             expect={"eu-ppp.initial-pregnancy-test": "block"},
             doc="A home test does not count before starting: the test must be medically "
                 "supervised."),
    Scenario("eu no test yet and contraception too recent", eu(first_supply(
        RX, contraception_from="2026-01-20", test=None, prescription=False)), RX, False,
             expect={"eu-ppp.initial-pregnancy-test": "block"},
             due={"pregnancy_test": "2026-02-20"},
             doc="Without a test, the test falls due once contraception has been in use for "
                 "a month."),
    Scenario("eu positive pregnancy test", eu(first_supply(
        RX, extra=[ev.test(RX, "positive")])), RX, False,
             expect={"eu-ppp.positive-pregnancy-test": "urgent"},
             doc="A positive test is urgent: stop, refer, and report through the national "
                 "pharmacovigilance system."),
    # --- prescriptions --------------------------------------------------------------
    Scenario("eu prescription for 30 days", eu(first_supply(RX, days_supply=30)), RX, True,
             absent=("eu-ppp.prescription-limits",),
             doc="A prescription may cover up to 30 days of treatment."),
    Scenario("eu prescription for 31 days", eu(first_supply(RX, days_supply=31)), RX, False,
             expect={"eu-ppp.prescription-limits": "block"},
             doc="A prescription for more than 30 days must be rewritten."),
    Scenario("eu prescription with a refill", eu(first_supply(RX, refills=1)), RX, False,
             expect={"eu-ppp.prescription-limits": "block"},
             doc="Continuing treatment needs a new prescription; refills are refused."),
    # --- during treatment -------------------------------------------------------------
    Scenario("eu second supply with a test the same day", eu(second_month(RX, NEXT)), NEXT,
             True, absent=("eu-ppp.monthly-pregnancy-test",), window=(NEXT, "2026-03-12"),
             due={"pregnancy_test": "2026-04-06"},
             doc="Before each further prescription a supervised test (monthly, by local "
                 "practice) is needed; the next is due a month later."),
    Scenario("eu second supply with a test 3 days before", eu(second_month(RX, NEXT, test=-3)),
             NEXT, True, absent=("eu-ppp.monthly-pregnancy-test",),
             doc="A test up to 3 days before the prescription counts."),
    Scenario("eu second supply with a test 4 days before", eu(second_month(RX, NEXT, test=-4)),
             NEXT, False, expect={"eu-ppp.monthly-pregnancy-test": "block"},
             due={"pregnancy_test": NEXT},
             doc="A test 4 days before the prescription is too early."),
    Scenario("eu second supply with a home test", eu(second_month(
        RX, NEXT, setting="home", verified_by="nurse"), home_tests_allowed=True), NEXT,
             False, expect={"eu-ppp.monthly-pregnancy-test": "block"},
             doc="The EU pack counts only laboratory or clinic tests; home testing is left "
                 "to national practice."),
    Scenario("eu no blood donation during treatment", eu([*first_supply(RX), ev.dispense(RX)]),
             day(RX, 10), False, expect={"eu-ppp.no-blood-donation": "info"},
             doc="Patients must not give blood during treatment."),
    # --- after treatment --------------------------------------------------------------
    Scenario("eu final test due on the day", eu(ended(RX, LAST_DOSE)), "2026-04-07", False,
             expect={"eu-ppp.test-after-stopping": "info", "eu-ppp.no-blood-donation": "info"},
             due={"pregnancy_test": "2026-04-07"},
             doc="The final test falls due one month after the last dose (unconfirmed: 5 "
                 "weeks before 2018); blood donation stays barred until that day."),
    Scenario("eu final test overdue", eu(ended(RX, LAST_DOSE)), "2026-04-08", False,
             expect={"eu-ppp.test-after-stopping": "warning"},
             absent=("eu-ppp.no-blood-donation",),
             doc="The day after, a missing final test is a warning; blood may be given."),
    Scenario("eu final test done", eu(ended(RX, LAST_DOSE, extra=[ev.test("2026-04-07")])),
             "2026-04-08", False, absent=("eu-ppp.test-after-stopping",),
             doc="A negative supervised test on or after the due day settles it."),
    Scenario("eu final test taken a day early", eu(ended(
        RX, LAST_DOSE, extra=[ev.test("2026-04-06")])), "2026-04-08", False,
             expect={"eu-ppp.test-after-stopping": "warning"},
             doc="A test before the due day does not count as the final test."),
    # --- patients who cannot get pregnant ---------------------------------------------
    Scenario("eu not of childbearing potential", not_pregnant(first_supply(
        RX, days_supply=60, **NO_PPP)), RX, True,
             expect={"eu-ppp.second-course-interval": "info"},
             absent=(*BLOCKERS, "eu-ppp.dispensing-window"), window=None,
             doc="For other patients the PPP conditions (form, contraception, tests, 7-day "
                 "window and 30-day limit) do not apply; the reference states the limits "
                 "for patients of childbearing potential."),
    Scenario("eu not of childbearing potential after treatment", not_pregnant(
        [*labs(day(RX, -4)), ev.prescription(RX), ev.dispense(RX), ev.end(LAST_DOSE)]),
             "2026-04-07", False, expect={"eu-ppp.no-blood-donation": "info",
                                          "eu-ppp.course-ended": "block"},
             absent=("eu-ppp.test-after-stopping", "eu-ppp.contraception"),
             doc="No blood donation for one month after the last dose applies to every "
                 "patient; nothing more is dispensed on an ended course."),
    Scenario("eu rules in force from 21 June 2018", eu(first_supply("2018-06-21")),
             "2018-06-21", True, rule_set=PACK, absent=BLOCKERS,
             expect={"eu-ppp.dispensing-window": "info"},
             doc="The 2018 programme applies from the Commission decision of 21 June 2018."),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=scenario_id)
def test_eu_ppp(scenario: Scenario) -> None:
    run_scenario(scenario)
