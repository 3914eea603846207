"""US iPLEDGE spec rows, patients who can get pregnant, rule set A (2021-12-13, assessed in
2022) and the October 2023 overlay (assessed in 2023 and 2024).

The 2022 model course: screening test in the office on 1 September, confirmation test in a
lab on 20 September (19 days later; contraception since 1 August), first fill on
22 September (a 30-day supply, to 21 October), second visit on 18 October.
"""

from __future__ import annotations

from tests.spec.harness import Scenario, ev
from tests.spec.us_ipledge_records import can, month, prep, without

A = "us-ipledge@2021-12-13"
OVERLAY = "us-ipledge@2023-10"

SCREEN, CONFIRM, FILL, NEXT = "2022-09-01", "2022-09-20", "2022-09-22", "2022-10-18"
PREP = prep(SCREEN, CONFIRM)
TREATED = [*PREP, ev.dispense(FILL)]
MONTH2 = [*TREATED, *month(NEXT)]
END = "2022-12-20"
ENDED = [*MONTH2, ev.dispense("2022-10-20"), *month("2022-11-17"), ev.dispense("2022-11-19"),
         ev.end(END)]
ENDED_TESTED = [*ENDED, ev.test(END)]
# Rules that say nothing when their requirement is met (window and pre-treatment tests
# give an info finding then, so they are not listed).
BLOCKERS = ("us-ipledge.enrollment", "us-ipledge.consent", "us-ipledge.contraception",
            "us-ipledge.lockout", "us-ipledge.monthly-test", "us-ipledge.counseling",
            "us-ipledge.comprehension", "us-ipledge.prescription-limits",
            "us-ipledge.new-prescription")

# Overlay course, 2024: the same shape six months' dates later.
S24, C24, FILL24, NEXT24 = "2024-03-01", "2024-03-20", "2024-03-22", "2024-04-18"
PREP24 = prep(S24, C24)
# A course running across the overlay's first day, with a home test on 28 September 2023.
ACROSS = [*prep("2023-08-01", "2023-08-20"), ev.dispense("2023-08-22"),
          *month("2023-09-28", "home")]

SCENARIOS: list[Scenario] = [
    # --- the first fill: tests, window, lockout ---------------------------------------
    Scenario("us 2021 first fill on day 1 of the window", can(PREP), CONFIRM, True,
             expect={"us-ipledge.window": "info", "us-ipledge.pretreatment-tests": "info",
                     "us-ipledge.second-course": "info", "us-ipledge.authorization": "info"},
             absent=BLOCKERS, window=(CONFIRM, "2022-09-26"), rule_set=A,
             due={"pregnancy_test": "2022-09-27"},
             doc="With a screening test, a CLIA-lab confirmation test 19 days later, a month "
                 "of two methods, consent, counselling and comprehension, the first fill may "
                 "be picked up on the confirmation test's specimen date (Day 1)."),
    Scenario("us 2021 first fill on day 7 of the window", can(PREP), "2022-09-26", True,
             expect={"us-ipledge.window": "info"}, absent=BLOCKERS,
             window=(CONFIRM, "2022-09-26"), rule_set=A,
             doc="Day 7 (the specimen date + 6) is the last day of the pick-up window."),
    Scenario("us 2021 first window missed on day 8", can(PREP), "2022-09-27", False,
             expect={"us-ipledge.window": "block", "us-ipledge.lockout": "block"},
             window=None, due={"pregnancy_test": "2022-10-09"}, rule_set=A,
             doc="On Day 8 the first window has closed unused: the 19-day lockout means the "
                 "next confirmation test must be at least 19 days after the missed one."),
    Scenario("us 2021 lockout test on day 18 is too early",
             can([*PREP, ev.test("2022-10-08")]), "2022-10-08", False,
             expect={"us-ipledge.lockout": "block", "us-ipledge.window": "block"},
             window=None, due={"pregnancy_test": "2022-10-09"},
             doc="A test 18 days after the test of the missed first window opens nothing."),
    Scenario("us 2021 lockout test on day 19 opens a window",
             can([*PREP, ev.test("2022-10-09")]), "2022-10-09", True,
             expect={"us-ipledge.window": "info"}, absent=("us-ipledge.lockout",),
             window=("2022-10-09", "2022-10-15"),
             doc="A lab test 19 days after the test of the missed first window opens a new "
                 "7-day window."),
    Scenario("us 2021 lockout over but no new test", can(PREP), "2022-10-09", False,
             expect={"us-ipledge.lockout": "info", "us-ipledge.window": "block"},
             window=None, due={"pregnancy_test": "2022-10-09"},
             doc="Once the 19 days have passed a new confirmation test may be done; until "
                 "it is, nothing may be dispensed."),
    Scenario("us 2021 no pregnancy test on file", can(without(PREP, "pregnancy_test")),
             CONFIRM, False, expect={"us-ipledge.pretreatment-tests": "block"},
             absent=("us-ipledge.window",), window=None, due={"pregnancy_test": CONFIRM},
             doc="Without a screening test, the two pre-treatment tests are still to do."),
    Scenario("us 2021 confirmation test 18 days after screening",
             can(prep(SCREEN, "2022-09-19")), "2022-09-19", False,
             expect={"us-ipledge.pretreatment-tests": "block"}, window=None,
             due={"pregnancy_test": CONFIRM},
             doc="A second test only 18 days after the screening test cannot confirm it and "
                 "opens no window; the confirmation test is due on day 19."),
    Scenario("us 2021 confirmation test in the office is refused",
             can(prep(SCREEN, CONFIRM, confirm_setting="office")), CONFIRM, False,
             expect={"us-ipledge.pretreatment-tests": "block",
                     "us-ipledge.home-tests": "warning"}, window=None,
             doc="Under the 2021 rules the confirmation test must be done in a CLIA lab."),
    Scenario("us 2021 confirmation before a month of contraception",
             can(prep(SCREEN, CONFIRM, contraception="2022-08-21")), "2022-09-21", False,
             expect={"us-ipledge.pretreatment-tests": "block"},
             absent=("us-ipledge.contraception",),
             doc="Contraception from 21 August: the 20 September test came before a full "
                 "month of it, so it cannot be the confirmation test."),
    Scenario("us 2021 first dose sooner than a month of contraception",
             can(prep(SCREEN, CONFIRM, contraception="2022-08-21")), CONFIRM, False,
             expect={"us-ipledge.contraception": "block"},
             doc="Contraception from 21 August: on 20 September it has not yet been in use "
                 "for a month, so nothing may be dispensed (from 21 September it has)."),
    Scenario("us 2021 confirmation after exactly a month of contraception",
             can(prep(SCREEN, CONFIRM, contraception="2022-08-20")), CONFIRM, True,
             expect={"us-ipledge.pretreatment-tests": "info"},
             absent=("us-ipledge.contraception",),
             doc="Contraception from 20 August: one month later, 20 September, the "
                 "confirmation test counts."),
    Scenario("us 2021 a single contraception method",
             can(prep(SCREEN, CONFIRM, methods=("male-condom",))), CONFIRM, False,
             expect={"us-ipledge.contraception": "block"},
             doc="One method is not enough: two, at least one primary, or abstinence."),
    Scenario("us 2021 progestin-only pill with condom",
             can(prep(SCREEN, CONFIRM, methods=("progestin-only-pill", "male-condom"))),
             CONFIRM, False, expect={"us-ipledge.contraception": "block"},
             doc="The progestin-only pill is not an eligible iPLEDGE method."),
    Scenario("us 2021 abstinence", can(prep(SCREEN, CONFIRM, methods=("abstinence",))),
             CONFIRM, True, expect={"us-ipledge.window": "info"},
             absent=("us-ipledge.contraception",),
             doc="A commitment to continuous abstinence meets the contraception rule."),
    Scenario("us 2021 second course a day before 8 weeks",
             can(PREP, course_extra={"previous_course_end": "2022-07-28"}), "2022-09-21", False,
             expect={"us-ipledge.second-course": "block"},
             doc="A previous course ended on 28 July: a new one may not start before "
                 "22 September, 8 weeks later."),
    Scenario("us 2021 second course 8 weeks after the first",
             can(PREP, course_extra={"previous_course_end": "2022-07-28"}), "2022-09-22", True,
             expect={"us-ipledge.window": "info"}, absent=("us-ipledge.second-course",),
             window=(CONFIRM, "2022-09-26"),
             doc="Exactly 8 weeks after the previous course's last dose the new one may "
                 "start."),
    Scenario("us 2021 not enrolled", can(without(PREP, "enrollment")), CONFIRM, False,
             expect={"us-ipledge.enrollment": "block"}, due={"enrollment": CONFIRM},
             doc="Nothing is dispensed to a patient who is not enrolled in iPLEDGE."),
    Scenario("us 2021 no signed consent", can(without(PREP, "risk_acknowledgement")),
             CONFIRM, False, expect={"us-ipledge.consent": "block"},
             doc="The signed informed consent must be on file."),
    Scenario("us 2021 prescription for 31 days",
             can([*without(PREP, "prescription"), ev.prescription(CONFIRM, days_supply=31)]),
             CONFIRM, False, expect={"us-ipledge.prescription-limits": "block"},
             doc="At most 30 days' supply may be prescribed (30 passes in the rows above)."),
    Scenario("us 2021 prescription with a refill",
             can([*without(PREP, "prescription"), ev.prescription(CONFIRM, refills=1)]),
             CONFIRM, False, expect={"us-ipledge.prescription-limits": "block"},
             doc="iPLEDGE prescriptions carry no refills."),
    Scenario("us 2021 comprehension questions failed",
             can([*without(PREP, "comprehension"), ev.comprehension(CONFIRM, passed=False)]),
             CONFIRM, False, expect={"us-ipledge.comprehension": "block"},
             due={"comprehension": CONFIRM},
             doc="The comprehension questions must be passed before the fill."),
    Scenario("us 2021 no counselling", can(without(PREP, "counseling")), CONFIRM, False,
             expect={"us-ipledge.counseling": "block"}, due={"counseling": CONFIRM},
             doc="The prescriber's counselling must be documented before the first fill."),
    # --- during treatment -------------------------------------------------------------
    Scenario("us 2021 second fill in the same window", can(TREATED), FILL, False,
             expect={"us-ipledge.monthly-test": "block", "us-ipledge.new-prescription": "block",
                     "us-ipledge.counseling": "block", "us-ipledge.comprehension": "block"},
             window=None, due={"pregnancy_test": "2022-10-21"},
             doc="A window serves one fill: after the first fill, another needs a new test, "
                 "counselling, comprehension and prescription, due by the supply's last day."),
    Scenario("us 2021 mid-supply", can(TREATED), "2022-10-10", False,
             expect={"us-ipledge.monthly-test": "block", "us-ipledge.blood-donation": "info"},
             due={"pregnancy_test": "2022-10-21", "counseling": "2022-10-21",
                  "comprehension": "2022-10-21"},
             doc="Halfway through the supply the next month's steps are due by 21 October; "
                 "no blood donation during treatment."),
    Scenario("us 2021 second month on day 7", can(MONTH2), "2022-10-24", True,
             expect={"us-ipledge.window": "info"}, absent=BLOCKERS,
             window=(NEXT, "2022-10-24"),
             doc="The monthly lab test of 18 October opens a window to Day 7, 24 October."),
    Scenario("us 2021 second month on day 8 has no lockout", can(MONTH2), "2022-10-25", False,
             expect={"us-ipledge.window": "block"}, absent=("us-ipledge.lockout",),
             window=None, due={"pregnancy_test": "2022-10-25"},
             doc="A missed later window needs a new test, which may be done at once."),
    Scenario("us 2021 monthly test in the office is refused",
             can([*TREATED, *month(NEXT, "office")]), NEXT, False,
             expect={"us-ipledge.home-tests": "warning", "us-ipledge.monthly-test": "block"},
             doc="Before October 2023 monthly tests had to be done in a CLIA lab."),
    Scenario("us 2021 monthly home test is refused",
             can([*TREATED, *month(NEXT, "home")]), NEXT, False,
             expect={"us-ipledge.home-tests": "warning", "us-ipledge.monthly-test": "block"},
             doc="Home tests did not count under the 2021 rules."),
    Scenario("us 2021 positive test during treatment",
             can([*TREATED, ev.test(NEXT, result="positive")]), NEXT, False,
             expect={"us-ipledge.positive-test": "urgent"},
             doc="A positive test: stop isotretinoin, refer, report to the iPLEDGE pregnancy "
                 "registry."),
    # --- after the last dose ----------------------------------------------------------
    Scenario("us 2021 course end without the end test", can(ENDED), END, False,
             expect={"us-ipledge.course-ended": "block",
                     "us-ipledge.post-course-tests": "warning",
                     "us-ipledge.blood-donation": "info"},
             due={"pregnancy_test": END}, window=None,
             doc="After the last dose nothing more is dispensed; a test at the end of the "
                 "course is required."),
    Scenario("us 2021 the day before the one-month test", can(ENDED_TESTED), "2023-01-19",
             False, expect={"us-ipledge.post-course-tests": "info"},
             due={"pregnancy_test": "2023-01-20"},
             doc="With the end-of-course test done, the next is due one month after the "
                 "last dose."),
    Scenario("us 2021 one-month test not on file on its day", can(ENDED_TESTED), "2023-01-20",
             False, expect={"us-ipledge.post-course-tests": "warning",
                            "us-ipledge.blood-donation": "info"},
             doc="On the day it is due the one-month test is missing; blood donation is "
                 "barred until the end of that day."),
    Scenario("us 2021 post-course tests complete",
             can([*ENDED_TESTED, ev.test("2023-01-20")]), "2023-01-21", False,
             expect={"us-ipledge.course-ended": "block"},
             absent=("us-ipledge.post-course-tests", "us-ipledge.blood-donation"),
             doc="Both post-course tests are on file, and a month and a day after the last "
                 "dose blood may be donated again."),
    Scenario("us 2021 contraception stopped within a month of the end",
             can([*ENDED_TESTED, ev.contraception("2022-12-21")]), "2023-01-20", False,
             expect={"us-ipledge.contraception": "warning"},
             doc="Contraception must continue for one month after the last dose."),
    Scenario("us 2021 contraception stopped, a month and a day after the end",
             can([*ENDED_TESTED, ev.contraception("2022-12-21")]), "2023-01-21", False,
             expect={"us-ipledge.course-ended": "block"}, absent=("us-ipledge.contraception",),
             doc="From one month and a day after the last dose contraception is no longer "
                 "required by iPLEDGE."),
    # --- the October 2023 overlay -----------------------------------------------------
    Scenario("us 2023 home test on the last day before the overlay", can(ACROSS),
             "2023-09-30", False,
             expect={"us-ipledge.home-tests": "warning", "us-ipledge.monthly-test": "block"},
             rule_set=A,
             doc="On 30 September 2023 a home monthly test still did not count."),
    Scenario("us 2023 home test on the overlay's first day", can(ACROSS), "2023-10-01", True,
             expect={"us-ipledge.home-tests": "info", "us-ipledge.window": "info"},
             window=("2023-09-28", "2023-10-04"), rule_set=OVERLAY,
             doc="From October 2023 (date UNCONFIRMED, taken as the 1st) FDA enforcement "
                 "discretion accepts home tests during treatment."),
    Scenario("us 2024 monthly home test counts",
             can([*PREP24, ev.dispense(FILL24), *month(NEXT24, "home")]), NEXT24, True,
             expect={"us-ipledge.home-tests": "info"}, absent=BLOCKERS,
             window=(NEXT24, "2024-04-24"), rule_set=OVERLAY,
             doc="Under the 2023 discretion a home test during treatment opens the window, "
                 "without a prescriber's opt-in."),
    Scenario("us 2024 monthly office test counts",
             can([*PREP24, ev.dispense(FILL24), *month(NEXT24, "office")]), "2024-04-24", True,
             expect={"us-ipledge.window": "info"},
             absent=("us-ipledge.home-tests", "us-ipledge.monthly-test"),
             window=(NEXT24, "2024-04-24"), rule_set=OVERLAY,
             doc="A non-CLIA office test during treatment counts too; Day 7 is the last day."),
    Scenario("us 2024 home confirmation test is refused",
             can(prep(S24, C24, confirm_setting="home")), C24, False,
             expect={"us-ipledge.pretreatment-tests": "block",
                     "us-ipledge.home-tests": "warning"}, rule_set=OVERLAY,
             doc="The discretion covers tests during and after treatment, not the "
                 "confirmation test before the first dose."),
    Scenario("us 2024 lockout still applies", can(PREP24), "2024-03-27", False,
             expect={"us-ipledge.lockout": "block"}, due={"pregnancy_test": "2024-04-08"},
             rule_set=OVERLAY,
             doc="The 19-day lockout after a missed first window stays until the 2026 rules."),
]
