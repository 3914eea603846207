"""Spec table: the monitoring rules shared by every programme (labs, mood, side effects).

Patients who cannot get pregnant, mostly in the EU programme, so that the programme's own
rules add nothing that stops dispensing; the iPLEDGE rows carry the enrollment, consent,
counselling and prescription that programme needs, and the one UK row expects a block
anyway. Behaviour already pinned by a unit test (tests/unit/rules/test_labs.py,
test_mood.py, test_side_effects.py) is not repeated here. Rows assert only ``monitoring.`` rules.
The course starts on 2026-10-03; baseline labs are from 2026-09-20 unless a row says
otherwise. The rows' ``doc`` sentences appear in the generated rule reference.
"""

from __future__ import annotations

import pytest

from isocourse.rules.output import assessment_to_json
from tests.spec.harness import Scenario, ev, evaluate, run_scenario, scenario_id
from tests.spec.monitoring_records import (
    BASELINE,
    START,
    baseline,
    effect_row,
    eu,
    lab_row,
    phq9_items,
    started,
    uk,
    us,
)

LABS = "monitoring.lab-schedule"
EU, US, CONSENSUS = f"{LABS}.eu-smpc", f"{LABS}.us-label", f"{LABS}.consensus-2022"
TG, CHOL, LIVER = "monitoring.triglycerides", "monitoring.cholesterol", "monitoring.liver-enzymes"
PHQ9, PHQ2, SELF_HARM = "monitoring.phq9", "monitoring.phq2", "monitoring.self-harm"
EFFECTS, FLAG = "monitoring.side-effects", "monitoring.red-flags"

SCENARIOS: list[Scenario] = [
    # --- profiles and schedules ------------------------------------------------------------
    Scenario("eu default profile blocks first dispense without baseline labs", eu(),
             "2026-10-01", False, expect={EU: "block"}, due={"lab": START},
             doc="An EU course follows the SmPC: liver enzymes and lipids before treatment; "
                 "without them the first dispense is blocked and the labs are due by the start."),
    Scenario("baseline exactly one month before the start counts", eu(*baseline("2026-09-03")),
             START, True, absent=[EU], due={"lab": "2026-11-03"},
             doc="A baseline from the same day of the previous month is in time; the first "
                 "follow-up is then listed for one month after the start."),
    Scenario("baseline one day older than a month blocks", eu(*baseline("2026-09-02")), START,
             False, expect={EU: "block"},
             doc="One day older than the 1-month limit and the baseline no longer counts."),
    Scenario("first follow-up due one month after the start is not overdue on the day",
             started(), "2026-11-03", True, absent=[EU], due={"lab": "2026-11-03"},
             doc="The SmPC's check one month after starting is due on that day, not before."),
    Scenario("first follow-up overdue the day after", started(), "2026-11-04", True,
             expect={EU: "warning"}, due={"lab": "2026-11-03"},
             doc="An overdue follow-up is a warning: the results, not the calendar, decide "
                 "whether treatment stops."),
    Scenario("after the one month check the next is three months later",
             started(*baseline("2026-11-03")), "2027-02-03", True, absent=[EU],
             due={"lab": "2027-02-03"},
             doc="After the one-month check the SmPC asks for labs every 3 months."),
    Scenario("the three monthly check is overdue the day after",
             started(*baseline("2026-11-03")), "2027-02-04", True, expect={EU: "warning"},
             doc="A day after the 3-monthly date the labs are overdue."),
    Scenario("a start on the 31st has its follow-up on the last day of february",
             eu(*baseline("2027-01-20"), ev.dispense("2027-01-31"), start="2027-01-31"),
             "2027-03-01", True, expect={EU: "warning"}, due={"lab": "2027-02-28"},
             doc="One month after 31 January is 28 February, as the calendar counts months."),
    Scenario("a started course without any labs warns and asks for them today",
             eu(ev.dispense(START)), "2026-10-20", True, expect={EU: "warning"},
             due={"lab": "2026-10-20"},
             doc="Once treatment has begun a missing baseline can no longer block the first "
                 "fill; it is a warning and the tests are due at once."),
    Scenario("iPLEDGE default profile is the US label and needs a baseline", us(), START,
             False, expect={US: "block"}, due={"lab": START},
             doc="A US course follows the US label: fasting lipids and liver tests before "
                 "starting; without them the first fill is blocked."),
    Scenario("iPLEDGE course with a baseline may start", us(*baseline()), START, True,
             absent=[US], due={"lab": "2026-11-03"},
             doc="With the baseline on file the first fill is allowed and the first "
                 "follow-up is listed (monthly, a design default: the label says 'periodically')."),
    Scenario("UK default profile is the SmPC and needs a baseline", uk(), START, False,
             expect={EU: "block"}, due={"lab": START},
             doc="A UK course follows the SmPC too: without liver enzymes and lipids before "
                 "treatment the first dispense is blocked."),
    Scenario("us label profile repeats labs monthly",
             started(*baseline("2026-11-03"), profile="us-label"), "2026-12-04", True,
             expect={US: "warning"}, due={"lab": "2026-12-03"},
             doc="Any course may choose a profile; under the US label the labs come monthly "
                 "(a configurable default), so a day after the month they are overdue."),
    Scenario("consensus profile needs only ALT and triglycerides before the start",
             eu(*baseline(BASELINE, "alt", "triglycerides"), profile="consensus-2022"), START,
             True, absent=[CONSENSUS], due={"lab": "2026-11-03"},
             doc="The 2022 consensus checks ALT and triglycerides within 1 month before start, "
                 "and nothing else."),
    Scenario("consensus profile without triglycerides blocks",
             eu(*baseline(BASELINE, "alt"), profile="consensus-2022"), START, False,
             expect={CONSENSUS: "block"},
             doc="Under the consensus profile triglycerides are still needed before starting."),
    Scenario("consensus peak dose check overdue at a constant dose",
             eu(*baseline(BASELINE, "alt", "triglycerides"), ev.dispense(START),
                profile="consensus-2022"), "2026-11-04", True,
             expect={CONSENSUS: "warning"}, due={"lab": "2026-11-03"},
             doc="At a constant dose the peak dose is the starting dose: the check is due a "
                 "month later (a design default for 'at peak dose')."),
    Scenario("consensus peak check moves with a dose increase",
             eu(*baseline(BASELINE, "alt", "triglycerides"), ev.dispense(START, 40),
                *baseline("2026-10-25", "alt", "triglycerides"), ev.dispense("2026-11-02", 60),
                profile="consensus-2022"), "2026-12-02", True, absent=[CONSENSUS],
             due={"lab": "2026-12-02"},
             doc="Labs taken on the lower dose do not count: the check is due a month after "
                 "the highest dose is first dispensed."),
    Scenario("consensus peak check overdue after a dose increase",
             eu(*baseline(BASELINE, "alt", "triglycerides"), ev.dispense(START, 40),
                ev.dispense("2026-11-02", 60), profile="consensus-2022"), "2026-12-03", True,
             expect={CONSENSUS: "warning"},
             doc="A day after the peak-dose date the check is overdue."),
    Scenario("consensus asks nothing more after normal peak labs",
             eu(*baseline(BASELINE, "alt", "triglycerides"), ev.dispense(START, 40),
                ev.dispense("2026-11-02", 60), *baseline("2026-12-01", "alt", "triglycerides"),
                profile="consensus-2022"), "2027-03-01", True, absent=[CONSENSUS],
             doc="Normal results at peak dose end the consensus schedule: no monthly labs."),
    Scenario("an unknown lab profile blocks before the first dose", eu(*baseline(),
             profile="us-lable"), START, False, expect={"monitoring.lab-profile": "block"},
             doc="A profile name isocourse does not know means the baseline cannot be "
                 "checked, so the first dispense waits for the record to be corrected."),
    Scenario("an unknown lab profile warns during the course", started(profile="monthly"),
             "2026-10-20", True, expect={"monitoring.lab-profile": "warning"},
             doc="During the course an unknown profile is a warning: labs are not being checked."),
    # --- triglycerides ----------------------------------------------------------------------
    lab_row("TG 499 mg/dL is silent", ev.lab("2026-10-15", "triglycerides", 499, "mg/dL"), TG,
            None, "Below 500 mg/dL nothing is said."),
    lab_row("TG 500 mg/dL warns", ev.lab("2026-10-15", "triglycerides", 500, "mg/dL"), TG,
            "warning", "At 500 mg/dL (unconfirmed design default): reduce the dose, recheck."),
    lab_row("TG 520 mg/dL is a warning not a block",
            ev.lab("2026-10-15", "triglycerides", 520, "mg/dL"), TG, "warning",
            "Example 6: 520 mg/dL = 5.876 mmol/L, above the warning level but below the hold; "
            "a recheck is due 14 days after the result (a design default).",
            due={"lab": "2026-10-29"}),
    lab_row("TG 799 mg/dL still only warns",
            ev.lab("2026-10-15", "triglycerides", 799, "mg/dL"), TG, "warning",
            "One below the hold threshold is a warning."),
    lab_row("TG 800 mg/dL blocks", ev.lab("2026-10-15", "triglycerides", 800, "mg/dL"), TG,
            "block", "At 800 mg/dL (unconfirmed design default) hold: pancreatitis risk."),
    lab_row("TG 5.64 mmol/L is silent", ev.lab("2026-10-15", "triglycerides", 5.64, "mmol/L"),
            TG, None, "500 mg/dL × 0.0113 = 5.65 mmol/L: 5.64 is below it."),
    lab_row("TG 5.65 mmol/L warns", ev.lab("2026-10-15", "triglycerides", 5.65, "mmol/L"), TG,
            "warning", "The same thresholds apply to results in mmol/L, exactly at the edge."),
    lab_row("TG 9.03 mmol/L warns", ev.lab("2026-10-15", "triglycerides", 9.03, "mmol/L"), TG,
            "warning", "800 mg/dL × 0.0113 = 9.04 mmol/L: 9.03 is below the hold."),
    lab_row("TG 9.04 mmol/L blocks", ev.lab("2026-10-15", "triglycerides", 9.04, "mmol/L"), TG,
            "block", "9.04 mmol/L is the hold threshold in mmol/L."),
    Scenario("a later normal TG clears an earlier high one",
             started(ev.lab("2026-10-15", "triglycerides", 900, "mg/dL"),
                     ev.lab("2026-10-25", "triglycerides", 180, "mg/dL")), "2026-10-26", True,
             absent=[TG], doc="Only the latest result counts."),
    # --- liver enzymes ------------------------------------------------------------------------
    lab_row("ALT at the ULN is silent", ev.lab("2026-10-15", "alt", 40, "U/L", 40), LIVER, None,
            "A result at the upper limit of normal is normal."),
    lab_row("ALT 120 with ULN 40 is grade 1", ev.lab("2026-10-15", "alt", 120, "U/L", 40), LIVER,
            "info", "Example 6: exactly 3.0×ULN is still grade 1 (grade 2 starts above 3×)."),
    lab_row("ALT 130 with ULN 40 is grade 2", ev.lab("2026-10-15", "alt", 130, "U/L", 40), LIVER,
            "warning", "Example 6: 3.25×ULN is grade 2: recheck, consider reducing the dose."),
    lab_row("ALT 200 with ULN 40 is grade 2", ev.lab("2026-10-15", "alt", 200, "U/L", 40), LIVER,
            "warning", "Example 6: exactly 5.0×ULN is still grade 2."),
    lab_row("ALT 210 with ULN 40 is grade 3", ev.lab("2026-10-15", "alt", 210, "U/L", 40), LIVER,
            "block", "Example 6: 5.25×ULN is grade 3: hold isotretinoin."),
    lab_row("AST 108 without a ULN is grade 1", ev.lab("2026-10-15", "ast", 108, "U/L"), LIVER,
            "info", "Without a lab ULN the default AST ULN of 36 U/L applies: 108 is 3.0×."),
    lab_row("AST 109 without a ULN is grade 2", ev.lab("2026-10-15", "ast", 109, "U/L"), LIVER,
            "warning", "Just above 3× the default ULN is grade 2."),
    # --- cholesterol -------------------------------------------------------------------------
    lab_row("total cholesterol 239 mg/dL is silent",
            ev.lab("2026-10-15", "total-cholesterol", 239, "mg/dL"), CHOL, None,
            "Below the 240 mg/dL high-risk reference nothing is said."),
    lab_row("total cholesterol 240 mg/dL is information",
            ev.lab("2026-10-15", "total-cholesterol", 240, "mg/dL"), CHOL, "info",
            "240 mg/dL is a reference value, not an isotretinoin action threshold."),
    lab_row("total cholesterol 6.22 mmol/L is information",
            ev.lab("2026-10-15", "total-cholesterol", 6.22, "mmol/L"), CHOL, "info",
            "240 mg/dL × 0.0259 = 6.216 mmol/L: 6.22 is at or above it."),
    # --- mood -----------------------------------------------------------------------------------
    lab_row("PHQ-9 of 4 is silent", ev.phq9("2026-10-15", *phq9_items(4)), PHQ9, None,
            "A minimal score (0–4) raises nothing."),
    lab_row("PHQ-9 of 5 is mild", ev.phq9("2026-10-15", *phq9_items(5)), PHQ9, "info",
            "5–9 is mild (Kroenke 2001): information."),
    lab_row("PHQ-9 of 9 is still mild", ev.phq9("2026-10-15", *phq9_items(9)), PHQ9, "info",
            "One below the moderate band."),
    lab_row("PHQ-9 of 10 warns", ev.phq9("2026-10-15", *phq9_items(10)), PHQ9, "warning",
            "10 or more (moderate; sensitivity and specificity 88%) needs a clinician's review."),
    lab_row("PHQ-9 item 9 answered is urgent", ev.phq9("2026-10-15", *phq9_items(1, item9=1)),
            SELF_HARM, "urgent",
            "Any answer but 'not at all' to item 9 (self-harm) needs a clinician now, "
            "whatever the total (a design rule)."),
    Scenario("a later PHQ-9 without item 9 clears the urgent flag",
             started(ev.phq9("2026-10-15", *phq9_items(3, item9=1)),
                     ev.phq9("2026-10-19", *phq9_items(2))), "2026-10-20", True,
             absent=[SELF_HARM], due={"phq9": "2026-11-19"},
             doc="The latest PHQ-9 counts; the next one is due a month later."),
    Scenario("a PHQ-9 is due before the first dose", eu(*baseline()), "2026-09-25", True,
             absent=[PHQ9], due={"phq9": START},
             doc="The label asks for a mood assessment before starting: a PHQ-9 by the start."),
    lab_row("PHQ-2 of 2 is negative", ev.phq2("2026-10-15", 1, 1), PHQ2, None,
            "Below the cut-off of 3 nothing is said (2 is the more sensitive alternative)."),
    Scenario("PHQ-2 of 3 asks for a PHQ-9", started(ev.phq2("2026-10-15", 2, 1)),
             "2026-10-20", True, expect={PHQ2: "warning"}, due={"phq9": "2026-10-15"},
             doc="A positive PHQ-2 (3 or more, Arroll 2010) is followed by a PHQ-9."),
    # --- side effects --------------------------------------------------------------------------
    effect_row("dry lips get advice", [("2026-10-20", "cheilitis", 1)], {EFFECTS: "info"},
               "Each reported effect brings its practical advice (here: lip balm) as "
               "information."),
    effect_row("grade 2 joint pain is reviewed", [("2026-10-20", "arthralgia", 2)],
               {EFFECTS: "warning"}, "Grade 2 or more is a warning: review at this visit."),
    effect_row("a report 30 days old still counts", [("2026-10-02", "dry-eyes", 1)],
               {EFFECTS: "info"},
               "A report 30 days old still counts (the 30-day window is a design default)."),
    effect_row("a report 31 days old no longer counts", [("2026-10-01", "dry-eyes", 1)], {},
               "A report 31 days old no longer counts.", absent=(EFFECTS,)),
    effect_row("headache with visual disturbance is urgent",
               [("2026-10-20", "headache", 1), ("2026-10-22", "visual-disturbance", 1)],
               {f"{FLAG}.intracranial-pressure": "urgent"},
               "Headache with a visual disturbance may be raised intracranial pressure: stop, "
               "examine for papilloedema today."),
    effect_row("a severe headache alone is reviewed not urgent",
               [("2026-10-20", "headache", 3)], {EFFECTS: "warning"},
               "Without a visual disturbance a headache is reviewed, not a red flag.",
               absent=(f"{FLAG}.intracranial-pressure",)),
    effect_row("severe abdominal pain is urgent", [("2026-10-20", "abdominal-pain", 3)],
               {f"{FLAG}.pancreatitis": "urgent"},
               "Severe abdominal pain may be pancreatitis: stop and assess today."),
    effect_row("moderate abdominal pain is reviewed", [("2026-10-20", "abdominal-pain", 2)],
               {EFFECTS: "warning"}, "Grade 2 abdominal pain is reviewed, not a red flag.",
               absent=(f"{FLAG}.pancreatitis",)),
    effect_row("severe rash is urgent", [("2026-10-20", "rash", 3)],
               {f"{FLAG}.severe-rash": "urgent"},
               "A severe rash may be a serious skin reaction (EM, SJS, TEN): stop and assess."),
    effect_row("severe mood change is urgent", [("2026-10-20", "mood-change", 3)],
               {f"{FLAG}.mood": "urgent"},
               "A severe mood change: stop and have a clinician assess mood and safety today."),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=scenario_id)
def test_monitoring(scenario: Scenario) -> None:
    run_scenario(scenario)


def test_monitoring_messages_never_name_the_patient() -> None:
    for scenario in SCENARIOS:
        patient = scenario.record["patient"]
        output = assessment_to_json(evaluate(scenario))
        texts = [f["message"] for f in output["findings"]
                 if f["rule_id"].startswith("monitoring.")]
        texts += [d.get("reason", "") for d in output["due"]
                  if d["rule_id"].startswith("monitoring.")]
        for text in texts:
            assert patient["id"] not in text and patient["birth_date"] not in text, text
