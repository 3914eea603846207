"""US iPLEDGE spec rows: the 2026 modification (assessed after 8 August 2026 and with its
go-live moved to 15 November 2026), and patients who cannot get pregnant under every
version.

The 2026 model course: screening test in the office on 14 September 2026, confirmation test
in a lab on 3 October (window to 9 October), first fill on 5 October.
"""

from __future__ import annotations

from tests.spec.harness import Scenario, ev
from tests.spec.us_ipledge_records import (
    baseline_labs,
    can,
    cannot,
    enrolled,
    month,
    prep,
    visit,
    without,
)

A, OVERLAY, B = "us-ipledge@2021-12-13", "us-ipledge@2023-10", "us-ipledge@2026-08-08"
MOVED = {B: "2026-11-15"}

S26, C26, W26 = "2026-09-14", "2026-10-03", "2026-10-09"
PREP = prep(S26, C26)
TREATED = [*PREP, ev.dispense("2026-10-05")]
# Missed first window across the 2026 go-live: window 29 July – 4 August, lab retest 7 August.
ACROSS = [*prep("2026-07-10", "2026-07-29"), ev.test("2026-08-07")]
PREGNANCY_RULES = ("us-ipledge.window", "us-ipledge.monthly-test", "us-ipledge.lockout",
                   "us-ipledge.pretreatment-tests", "us-ipledge.contraception",
                   "us-ipledge.comprehension", "us-ipledge.counseling")

# Visit on 1 October 2026 (30-day window to 30 October), labs repeated on 10 November.
LATE_VISIT = [*enrolled("2026-10-01"), *visit("2026-10-01"), *baseline_labs("2026-11-10")]
V = "2022-09-01"
CANNOT_A = [*enrolled(V), *visit(V)]
V26 = "2026-09-01"
CANNOT_B = [*enrolled(V26), *visit(V26), ev.dispense("2026-09-02")]

SCENARIOS: list[Scenario] = [
    # --- 2026, patients who can get pregnant ------------------------------------------
    Scenario("us 2026 first fill on day 7", can(PREP), W26, True,
             expect={"us-ipledge.window": "info", "us-ipledge.authorization": "info"},
             window=(C26, W26), due={"pregnancy_test": "2026-10-10"}, rule_set=B,
             doc="The 7-day window stays under the 2026 rules: the test of 3 October may be "
                 "used up to 9 October; pharmacies now reverse unclaimed authorizations."),
    Scenario("us 2026 first window missed on day 8, no lockout", can(PREP), "2026-10-10",
             False, expect={"us-ipledge.window": "block"}, absent=("us-ipledge.lockout",),
             window=None, due={"pregnancy_test": "2026-10-10"}, rule_set=B,
             doc="The window of the test of 3 October closed on 9 October; with the 19-day "
                 "lockout removed, a repeat test in a medical setting may be done at once."),
    Scenario("us 2026 repeat office test the next day",
             can([*PREP, ev.test("2026-10-10", setting="office")]), "2026-10-10", True,
             expect={"us-ipledge.window": "info"}, window=("2026-10-10", "2026-10-16"),
             doc="A repeat test in the prescriber's office the day after the missed window "
                 "opens a new window at once."),
    Scenario("us 2026 repeat home test before the first dose is refused",
             can([*PREP, ev.test("2026-10-10", setting="home")], home_tests_allowed=True),
             "2026-10-10", False,
             expect={"us-ipledge.home-tests": "warning", "us-ipledge.window": "block"},
             window=None,
             doc="Before the first dose a test must be in a medical setting, even where the "
                 "prescriber permits home tests."),
    Scenario("us 2026 confirmation test in the office",
             can(prep(S26, C26, confirm_setting="office")), C26, True,
             expect={"us-ipledge.pretreatment-tests": "info"}, window=(C26, W26),
             doc="The CLIA requirement is gone: an office confirmation test counts."),
    Scenario("us 2026 home screening test is refused",
             can(prep(S26, C26, screen_setting="home")), C26, False,
             expect={"us-ipledge.pretreatment-tests": "block"}, window=None,
             due={"pregnancy_test": "2026-10-22"},
             doc="Pre-treatment tests, the screening test included, are done in a medical "
                 "setting: a home screening test does not count, so the lab test of "
                 "3 October becomes the screening test and confirmation is due 19 days later."),
    Scenario("us 2026 home monthly test with the prescriber's permission",
             can([*TREATED, *month("2026-11-01", "home")], home_tests_allowed=True),
             "2026-11-07", True, expect={"us-ipledge.home-tests": "info"},
             window=("2026-11-01", "2026-11-07"),
             doc="During treatment a home test counts where the prescriber permits it; Day 7 "
                 "is the last day of its window."),
    Scenario("us 2026 home monthly test without permission",
             can([*TREATED, *month("2026-11-01", "home")]), "2026-11-01", False,
             expect={"us-ipledge.home-tests": "warning", "us-ipledge.monthly-test": "block"},
             doc="Without the prescriber's permission a home test does not count."),
    Scenario("us 2026 positive test before the first dose",
             can([*PREP, ev.test("2026-10-05", result="positive")]), "2026-10-05", False,
             expect={"us-ipledge.positive-test": "urgent"},
             doc="A positive test is urgent under every version."),
    # --- the 2026 go-live and its moved date ------------------------------------------
    Scenario("us lockout on the last day before the 2026 rules", can(ACROSS), "2026-08-07",
             False, expect={"us-ipledge.lockout": "block"}, window=None, rule_set=OVERLAY,
             doc="On 7 August 2026 a retest 9 days after a missed first window is too early."),
    Scenario("us no lockout on the first day of the 2026 rules", can(ACROSS), "2026-08-08",
             True, expect={"us-ipledge.window": "info"}, absent=("us-ipledge.lockout",),
             window=("2026-08-07", "2026-08-13"), rule_set=B,
             doc="From 8 August 2026 the same retest opens a window: there is no lockout."),
    Scenario("us 2026 rules moved to 15 November: lockout in October", can(PREP),
             "2026-10-10", False, expect={"us-ipledge.lockout": "block"},
             due={"pregnancy_test": "2026-10-22"}, rule_set=OVERLAY, effective_dates=MOVED,
             doc="If the 2026 go-live moves to 15 November (UNCONFIRMED), the 2023 rules and "
                 "their lockout still apply in October."),
    Scenario("us 2026 rules moved to 15 November: in force that day",
             cannot(LATE_VISIT), "2026-11-15", True,
             expect={"us-ipledge.authorization": "info"},
             absent=("us-ipledge.cannot-get-pregnant-window",), window=None, rule_set=B,
             effective_dates=MOVED,
             doc="With the moved go-live, the 2026 rules apply from 15 November."),
    Scenario("us 2026 rules moved: 30-day window closed the day before",
             cannot(LATE_VISIT), "2026-11-14", False,
             expect={"us-ipledge.cannot-get-pregnant-window": "block"}, rule_set=OVERLAY,
             effective_dates=MOVED,
             doc="On 14 November the old 30-day window still applies, and it has closed."),
    # --- patients who cannot get pregnant ---------------------------------------------
    Scenario("us 2021 cannot get pregnant: day 30 of the visit window", cannot(CANNOT_A),
             "2022-09-30", True,
             expect={"us-ipledge.cannot-get-pregnant-window": "info"},
             absent=PREGNANCY_RULES, window=(V, "2022-09-30"), rule_set=A,
             due={"counseling": "2022-10-01"},
             doc="No pregnancy tests or comprehension questions; the fill is within 30 days "
                 "of the office visit (Day 30 = visit + 29; counting UNCONFIRMED)."),
    Scenario("us 2021 cannot get pregnant: day 31", cannot(CANNOT_A), "2022-10-01", False,
             expect={"us-ipledge.cannot-get-pregnant-window": "block"}, window=None,
             due={"counseling": "2022-10-01"},
             doc="On Day 31 the window has closed: a new office visit is needed."),
    Scenario("us 2021 cannot get pregnant: no counselling",
             cannot(without(CANNOT_A, "counseling")), V, False,
             expect={"us-ipledge.cannot-get-pregnant-counseling": "block"},
             doc="Counselling at an office visit must be documented before the fill."),
    Scenario("us 2021 cannot get pregnant: next fill needs a new visit",
             cannot([*CANNOT_A, ev.dispense("2022-09-05")]), "2022-10-01", False,
             expect={"us-ipledge.cannot-get-pregnant-counseling": "block",
                     "us-ipledge.new-prescription": "block"},
             due={"counseling": "2022-10-04"},
             doc="Monthly counselling: after a fill the next one needs a new visit and a new "
                 "prescription, due by the supply's last day."),
    Scenario("us 2021 cannot get pregnant: monthly visit opens a new window",
             cannot([*CANNOT_A, ev.dispense("2022-09-05"), *visit("2022-10-03")]),
             "2022-10-03", True, expect={"us-ipledge.cannot-get-pregnant-window": "info"},
             window=("2022-10-03", "2022-11-01"),
             doc="The visit of 3 October opens a window to 1 November."),
    Scenario("us 2024 cannot get pregnant: 30-day window still applies",
             cannot([*enrolled("2024-03-01"), *visit("2024-03-01")]), "2024-03-31", False,
             expect={"us-ipledge.cannot-get-pregnant-window": "block"}, rule_set=OVERLAY,
             doc="The 2023 overlay changes only pregnancy tests: Day 31 is still too late."),
    Scenario("us 2026 cannot get pregnant: counselling at enrollment is enough",
             cannot([*CANNOT_B, ev.prescription("2026-10-01")]), "2026-10-01", True,
             expect={"us-ipledge.authorization": "info"},
             absent=("us-ipledge.cannot-get-pregnant-counseling",
                     "us-ipledge.cannot-get-pregnant-window", *PREGNANCY_RULES),
             window=None, rule_set=B,
             doc="Under the 2026 rules counselling is documented at enrollment only and the "
                 "30-day window no longer applies: a new prescription is what the next fill "
                 "needs (the window's replacement is UNCONFIRMED)."),
    Scenario("us 2026 cannot get pregnant: months after the visit",
             cannot([*CANNOT_B, ev.prescription("2027-01-04")]), "2027-01-04", True,
             absent=("us-ipledge.cannot-get-pregnant-window",), window=None, rule_set=B,
             expect={"us-ipledge.blood-donation": "info"},
             doc="No window is counted from the enrollment visit."),
    Scenario("us 2026 cannot get pregnant: no counselling on file",
             cannot([*enrolled(V26), ev.prescription(V26)]), V26, False,
             expect={"us-ipledge.cannot-get-pregnant-counseling": "block"},
             doc="Counselling must still be documented once, at enrollment."),
    Scenario("us 2026 cannot get pregnant: second fill on one prescription",
             cannot(CANNOT_B), "2026-10-01", False,
             expect={"us-ipledge.new-prescription": "block"},
             doc="No refills: each fill needs a new prescription."),
    Scenario("us 2026 cannot get pregnant: course ended",
             cannot([*CANNOT_B, ev.end("2026-10-01")]), "2026-10-01", False,
             expect={"us-ipledge.course-ended": "block"},
             absent=("us-ipledge.post-course-tests",),
             doc="Nothing is dispensed after the last dose; no post-course tests are needed "
                 "for a patient who cannot get pregnant."),
]
