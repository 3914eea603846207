"""``isocourse check``, ``rules`` and ``schema`` as a pharmacist's script would use them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from isocourse.adapters.cli.main import main
from tests.spec.harness import course, ev

RECORD = course(
    jurisdiction="eu-ppp", can_get_pregnant=False, start_date="2026-10-03",
    events=[ev.consent("2026-09-20"), ev.prescription("2026-10-02"),
            ev.dispense("2026-10-03")],
)
SPEC_KEYS = {"as_of", "jurisdiction", "rule_set", "dispense_allowed", "window", "cumulative",
             "findings", "due"}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, document: Any, name: str = "record.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    return str(path)


def test_check_json_has_the_spec_shape(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", write(tmp_path, RECORD), "--on", "2026-10-08",
                       "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert set(result) >= SPEC_KEYS
    assert result["as_of"] == "2026-10-08"
    assert result["jurisdiction"] == "eu-ppp"
    assert result["rule_set"].startswith("eu-ppp@")
    assert result["cumulative"]["mg"] == 6 * 60  # six days of 60 mg taken by 8 October
    for finding in result["findings"]:
        assert set(finding) >= {"rule_id", "severity", "message", "source"}
        assert finding["severity"] in {"info", "warning", "block", "urgent"}
    blocking = [f for f in result["findings"] if f["severity"] in ("block", "urgent")]
    assert result["dispense_allowed"] is (not blocking)
    for item in result["due"]:
        assert set(item) >= {"item", "due_date"}


def test_check_table_states_the_verdict_and_the_rules_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "check", write(tmp_path, RECORD), "--on", "2026-10-08")
    assert code == 0
    assert out.splitlines()[0].split(" on ")[0] in {"DISPENSE ALLOWED", "DO NOT DISPENSE"}
    assert "eu-ppp@" in out.splitlines()[0]
    assert "Cumulative dose: 360 mg" in out


def test_a_bad_record_names_every_problem_by_path_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = json.loads(json.dumps(RECORD))
    bad["events"].append({"type": "pregnancy_test", "date": "2026-10-04", "result": "maybe",
                          "setting": "lab"})
    bad["patient"]["weight_kg"] = "heavy"
    code, out, err = run(capsys, "check", write(tmp_path, bad), "--on", "2026-10-08")
    assert code == 2
    assert out == ""
    assert "events[3].result" in err
    assert "patient.weight_kg" in err
    assert "maybe" not in err and "heavy" not in err  # values are never echoed
    assert "Traceback" not in err


def test_invalid_json_is_refused_with_its_position_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "check", write(tmp_path, '{"patient": "Ann Example",'),
                       "--on", "2026-10-08")
    assert code == 2
    assert "not valid JSON" in err and "line 1" in err
    assert "Ann" not in err


def test_a_missing_file_and_a_bad_date_are_one_line_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "check", str(tmp_path / "nope.json"), "--on", "2026-10-08")
    assert (code, err.count("\n")) == (2, 1)
    code, _, err = run(capsys, "check", write(tmp_path, RECORD), "--on", "2026-13-01")
    assert (code, err.count("\n")) == (2, 1)
    assert "YYYY-MM-DD" in err


def test_a_date_before_any_rule_set_is_refused_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "check", write(tmp_path, RECORD), "--on", "2001-01-01")
    assert code == 2
    assert "no version of eu-ppp is in force on 2001-01-01" in err


def test_the_installed_command_reports_record_problems_without_a_traceback(
    tmp_path: Path,
) -> None:
    bad = json.loads(json.dumps(RECORD))
    bad["events"][0]["type"] = "consultation"
    done = subprocess.run([sys.executable, "-m", "isocourse", "check", write(tmp_path, bad),
                           "--on", "2026-10-08"], capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "events[0].type" in done.stderr
    assert "Traceback" not in done.stderr


def test_rules_list_and_show_name_versions_sources_and_parameters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "rules", "list", "--format", "json")
    assert code == 0
    packs = json.loads(out)
    assert packs, "no rule packs are packaged"
    first_rule = packs[0]["rules"][0]
    assert {"id", "rule_set", "source", "params", "effective_from"} <= set(first_rule)
    code, out, _ = run(capsys, "rules", "show", first_rule["id"], "--format", "json")
    assert code == 0
    assert json.loads(out)[0]["id"] == first_rule["id"]
    code, out, _ = run(capsys, "rules", "list", "--jurisdiction", "eu-ppp", "--on",
                       "2026-10-08")
    assert code == 0 and "eu-ppp@" in out
    code, _, err = run(capsys, "rules", "show", "no.such-rule")
    assert code == 2 and "no rule 'no.such-rule'" in err
    code, _, err = run(capsys, "rules", "list", "--jurisdiction", "atlantis")
    assert code == 2 and "unknown programme" in err


def test_schema_course_prints_a_schema_the_spec_example_satisfies(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "schema", "course")
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(RECORD, schema)


def test_a_repeated_key_is_refused_not_silently_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = json.dumps(RECORD).replace(
        '"type": "risk_acknowledgement"', '"type": "risk_acknowledgement", "type": "dose"')
    code, _, err = run(capsys, "check", write(tmp_path, text), "--on", "2026-10-08")
    assert code == 2
    assert "appears twice" in err


EXAMPLE = str(Path(__file__).parents[3] / "examples" / "us-ipledge-course.json")


def test_the_readme_example_opens_a_window_that_closes_after_day_7(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(capsys, "check", EXAMPLE, "--on", "2026-10-07", "--format", "json")
    day_7 = json.loads(out)
    assert day_7["dispense_allowed"] is True
    assert day_7["window"]["start"] == "2026-10-01" and day_7["window"]["end"] == "2026-10-07"
    _, out, _ = run(capsys, "check", EXAMPLE, "--on", "2026-10-08", "--format", "json")
    day_8 = json.loads(out)
    assert day_8["dispense_allowed"] is False
    assert {"rule_id": "us-ipledge.window", "severity": "block"}.items() <= next(
        f for f in day_8["findings"] if f["rule_id"] == "us-ipledge.window").items()
