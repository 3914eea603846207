"""Spec table: the US iPLEDGE REMS in three versions.

``us-ipledge@2021-12-13`` (rule set A, assessed in 2022), the October 2023 enforcement
discretion on pregnancy tests (``us-ipledge@2023-10``, assessed in 2023–2024) and the
modification approved on 9 February 2026 (``us-ipledge@2026-08-08``, assessed from
8 August 2026, and with its go-live moved to 15 November 2026). The rows live in
``us_ipledge_table_a`` (patients who can get pregnant, rule set A and the overlay) and
``us_ipledge_table_b`` (the 2026 rules, patients who cannot get pregnant, moved go-live);
every window and date boundary is tested on its last allowed day and the day after.
"""

from __future__ import annotations

import pytest

from isocourse.rules.output import assessment_to_json
from tests.spec import us_ipledge_table_a, us_ipledge_table_b
from tests.spec.harness import Scenario, evaluate, run_scenario, scenario_id

SCENARIOS: list[Scenario] = [*us_ipledge_table_a.SCENARIOS, *us_ipledge_table_b.SCENARIOS]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=scenario_id)
def test_us_ipledge(scenario: Scenario) -> None:
    run_scenario(scenario)


def test_scenario_names_are_unique() -> None:
    names = [scenario_id(s) for s in SCENARIOS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if not s.dispense_allowed],
                         ids=scenario_id)
def test_each_refusal_comes_from_an_ipledge_rule(scenario: Scenario) -> None:
    """A refused row is refused by the programme, not only by the monitoring pack."""
    findings = assessment_to_json(evaluate(scenario))["findings"]
    assert any(f["rule_id"].startswith("us-ipledge.") and f["severity"] in ("block", "urgent")
               for f in findings), findings


def test_rows_assert_only_ipledge_rules() -> None:
    for scenario in SCENARIOS:
        assert all(r.startswith("us-ipledge.") for r in [*scenario.expect, *scenario.absent])
        assert scenario.doc, scenario.name
