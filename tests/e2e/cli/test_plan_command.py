"""``isocourse plan`` and ``isocourse products`` as a person and a script use them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from isocourse.adapters.cli.main import main

SPEC_ARGS = ["plan", "--weight", "60", "--product", "us-conventional", "--mg-per-kg", "1.0",
             "--start-mg-per-kg", "0.5", "--start-days", "28", "--start-date", "2026-01-05"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_output_is_exactly_the_spec_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *SPEC_ARGS, "--format", "json")
    assert code == 0
    plan = json.loads(out)
    expected = {
        "product": "us-conventional",
        "weight_kg": 60.0,
        "phases": [
            {"start_day": 1, "days": 28, "daily_mg": 30, "mg_per_kg": 0.5,
             "am": [{"strength_mg": 10, "count": 1}], "pm": [{"strength_mg": 20, "count": 1}]},
            {"start_day": 29, "days": 106, "daily_mg": 60, "mg_per_kg": 1.0,
             "am": [{"strength_mg": 30, "count": 1}], "pm": [{"strength_mg": 30, "count": 1}]},
        ],
        "target_mg_per_kg": 120,
        "target_mg": 7200,
        "cumulative_basis": "raw",
        "days_to_target": 134,
        "start_date": "2026-01-05",
        "end_date": "2026-05-18",
        "warnings": [],
    }
    assert {key: plan[key] for key in expected} == expected


def test_every_phase_capsule_sum_is_its_daily_total(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "plan", "--weight", "110", "--product", "us-conventional",
                    "--mg-per-kg", "2", "--severe", "--format", "json")
    for phase in json.loads(out)["phases"]:
        total = sum(c["strength_mg"] * c["count"] for c in phase["am"] + phase["pm"])
        assert total == phase["daily_mg"]


def test_pounds_and_the_micronized_basis_option(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "plan", "--weight", "132.277", "--unit", "lb", "--product",
                    "us-absorica-ld", "--mg-per-kg", "0.8", "--ld-basis", "raw",
                    "--format", "json")
    plan = json.loads(out)
    assert plan["weight_kg"] == 60.0
    assert plan["cumulative_basis"] == "raw"
    assert plan["phases"][0]["daily_mg"] == 48


def test_the_table_shows_capsules_milestones_and_warnings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "plan", "--weight", "72", "--product", "us-conventional",
                       "--mg-per-kg", "0.5", "--start-date", "2026-01-05")
    assert code == 0
    assert "1 × 20 mg" in out
    assert "Cumulative milestones" in out and "25 %" in out and "100 %" in out
    assert "Target reached on day 216" in out
    assert "alternate days" in out
    assert "warning [alternating-pattern-available]" in out


def test_the_alternating_choice_shows_both_days(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "plan", "--weight", "72", "--product", "us-conventional",
                    "--mg-per-kg", "0.5", "--alternate", "--format", "json")
    phase = json.loads(out)["phases"][0]
    assert phase["daily_mg"] == 30 and phase["alternate_day"]["daily_mg"] == 40
    assert phase["average_daily_mg"] == 35


BAD = [
    (["--weight", "0"], "weight must be between 20 and 250 kg"),
    (["--weight", "-3"], "weight must be between 20 and 250 kg"),
    (["--weight", "400"], "weight must be between 20 and 250 kg"),
    (["--weight", "abc"], "--weight: 'abc' is not a number"),
    (["--weight", "nan"], "not a finite number"),
    (["--product", "accutane-xl"], "unknown product 'accutane-xl'"),
    (["--mg-per-kg", "2.5", "--severe"], "above the label maximum"),
    (["--mg-per-kg", "1.5"], "--severe"),
    (["--mg-per-kg", "0"], "must be positive"),
    (["--start-mg-per-kg", "0.5", "--start-days", "500"], "titration"),
    (["--start-days", "2.5", "--start-mg-per-kg", "0.5"], "whole number"),
    (["--start-date", "2026-02-30"], "YYYY-MM-DD"),
    (["--unit", "stone"], "--unit"),
    (["--age", "9"], "not indicated under 12"),
    (["--target", "x"], "--target"),
]


@pytest.mark.parametrize(("change", "message"), BAD)
def test_bad_input_is_one_line_and_exit_status_2(
    capsys: pytest.CaptureFixture[str], change: list[str], message: str
) -> None:
    args = {"--weight": "60", "--product": "us-conventional", "--mg-per-kg": "1.0"}
    extra: list[str] = []
    for index in range(0, len(change), 2):
        if change[index] in args:
            args[change[index]] = change[index + 1]
        else:
            extra += change[index:index + 2]
    flat = [item for pair in args.items() for item in pair]
    code, out, err = run(capsys, "plan", *flat, *extra)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and message in err
    assert "Traceback" not in err


def test_a_missing_required_option_is_one_line_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "plan", "--weight", "60", "--product", "us-conventional")
    assert code == 2 and err.count("\n") == 1 and "--mg-per-kg" in err


def test_the_installed_command_exits_2_without_a_traceback() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "isocourse", "plan", "--weight", "abc", "--product",
         "us-conventional", "--mg-per-kg", "1"],
        capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert done.stderr.strip() == "isocourse: error: --weight: 'abc' is not a number"
    assert "Traceback" not in done.stderr


def test_products_lists_the_catalog_as_json_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "products", "--format", "json")
    products = {p["id"]: p for p in json.loads(out)}
    assert products["us-absorica-ld"]["strengths_mg"] == [8, 16, 20, 24, 28, 32]
    assert products["uk-generic"]["sources"]["ceiling_mg_per_kg"]["status"] == "unconfirmed"
    _, table, _ = run(capsys, "products")
    assert "ca-absorica-ld" in table and "micronized" in table
