"""The EU PPP and UK MHRA packs as data, and the parameters a clinic may change.

The spec tables (tests/spec/test_eu_ppp.py, test_uk_mhra.py) test the packaged defaults;
these tests change the unconfirmed defaults through a clinic's own pack version and check
that the kinds follow, and check the packs' own hygiene (ids, notes, docstrings).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from importlib import resources
from typing import Any

import pytest

from isocourse.catalog import load_catalog, load_rule_library
from isocourse.domain.errors import RuleDataError
from isocourse.domain.record import parse_record
from isocourse.rules.engine import assess
from isocourse.rules.library import RuleLibrary
from isocourse.rules.model import Assessment
from isocourse.rules.parse import build_library, parse_pack
from isocourse.rules.registry import lookup
from tests.spec.ppp_records import ended, first_supply, record, second_month

OWN = ("eu-ppp", "uk-mhra")
CATALOG = load_catalog()
PACKS = [p for p in load_rule_library().packs if p.programme in OWN]


def clinic_library(overrides: str, base: str = "eu-ppp@2018-06-21") -> RuleLibrary:
    """The packaged EU/UK packs plus a clinic's version from 1 February 2026 that
    changes ``overrides`` (TOML ``[[overrides]]`` tables)."""
    folder = resources.files("isocourse.rules").joinpath("packs")
    documents = [parse_pack(f.read_text(encoding="utf-8"), origin=f.name)
                 for f in folder.iterdir() if f.name.startswith(("eu-ppp", "uk-mhra"))]
    programme = base.split("@")[0]
    documents.append(parse_pack(
        f'format = "isocourse-rules/1"\nprogramme = "{programme}"\nversion = "clinic"\n'
        f'title = "a clinic\'s local practice"\neffective_from = 2026-02-01\n'
        f'extends = "{base}"\n{overrides}', origin="clinic.toml"))
    return RuleLibrary(build_library(documents))


def run(doc: dict[str, Any], on: str, library: RuleLibrary) -> Assessment:
    rec = parse_record(json.loads(json.dumps(doc)), known_products=CATALOG.products)
    return assess(rec, on=dt.date.fromisoformat(on), library=library, catalog=CATALOG)


def severities(result: Assessment, rule_id: str) -> set[str]:
    return {f.severity.value for f in result.findings if f.rule_id == rule_id}


def test_every_rule_id_names_its_programme() -> None:
    for pack in PACKS:
        assert all(r.id.startswith(f"{pack.programme}.") for r in pack.rules), pack.name


def test_a_rule_id_keeps_its_kind_and_patients_in_every_version() -> None:
    seen: dict[str, tuple[str, str]] = {}
    for pack in PACKS:
        for rule in pack.rules:
            meaning = (rule.kind, rule.applies_to.value)
            assert seen.setdefault(rule.id, meaning) == meaning, rule.id


def test_every_unconfirmed_parameter_says_why() -> None:
    for pack in PACKS:
        for rule in pack.rules:
            for param in rule.params.values():
                if param.unconfirmed:
                    assert param.note.strip(), f"{rule.id}.{param.name}"


def test_every_kind_the_packs_use_is_documented() -> None:
    for kind in {r.kind for pack in PACKS for r in pack.rules}:
        assert len(lookup(kind).doc) > 40, kind


def test_the_uk_versions_follow_each_other_without_gaps() -> None:
    library = load_rule_library()
    versions = [p.version for p in library.versions("uk-mhra")]
    assert versions == ["2018-06-21", "2023-10-31", "2025-10-27", "2026-01-22"]
    assert library.in_force("uk-mhra", dt.date(2026, 1, 21)).version == "2025-10-27"
    assert library.in_force("eu-ppp", dt.date(2018, 6, 21)).version == "2018-06-21"


def test_monthly_tests_can_be_left_to_local_practice() -> None:
    doc = record("eu-ppp", second_month("2026-02-06", "2026-03-06", test=None))
    packaged = run(doc, "2026-03-06", load_rule_library())
    assert severities(packaged, "eu-ppp.monthly-pregnancy-test") == {"block"}
    local = run(doc, "2026-03-06", clinic_library(
        '[[overrides]]\nrule = "eu-ppp.monthly-pregnancy-test"\n'
        "params.monthly_tests = false\n"))
    assert severities(local, "eu-ppp.monthly-pregnancy-test") == {"info"}
    assert local.rule_set == "eu-ppp@clinic"


@pytest.mark.parametrize(("on", "expected"), [
    ("2026-04-11", {"info"}), ("2026-04-12", {"warning"})])
def test_the_final_test_can_follow_the_five_week_reading(on: str, expected: set[str]) -> None:
    doc = record("eu-ppp", ended("2026-02-06", "2026-03-07"))
    library = clinic_library('[[overrides]]\nrule = "eu-ppp.test-after-stopping"\n'
                             "params.after_months = 0\nparams.after_weeks = 5\n")
    result = run(doc, on, library)
    assert severities(result, "eu-ppp.test-after-stopping") == expected
    assert [d.due_date for d in result.due if d.rule_id == "eu-ppp.test-after-stopping"] == [
        dt.date(2026, 4, 11)]


def test_two_complementary_methods_can_replace_one_primary_method() -> None:
    doc = record("eu-ppp", first_supply("2026-02-06", methods=("male-condom", "diaphragm")))
    library = clinic_library('[[overrides]]\nrule = "eu-ppp.contraception"\n'
                             "params.min_methods = 2\nparams.min_primary = 0\n")
    assert not severities(run(doc, "2026-02-06", library), "eu-ppp.contraception")
    assert severities(run(doc, "2026-02-06", load_rule_library()),
                      "eu-ppp.contraception") == {"block"}


@pytest.mark.parametrize(("previous_end", "blocked"), [
    ("2025-12-12", False), ("2025-12-13", True)])
def test_a_second_course_waits_eight_weeks_after_the_previous_one(
        previous_end: str, blocked: bool) -> None:
    doc = record("uk-mhra", first_supply("2026-02-06", checks=True))
    rec = parse_record(json.loads(json.dumps(doc)), known_products=CATALOG.products)
    rec = dataclasses.replace(rec, course=dataclasses.replace(
        rec.course, previous_course_end=dt.date.fromisoformat(previous_end)))
    result = assess(rec, on=dt.date(2026, 2, 6), library=load_rule_library(), catalog=CATALOG)
    found = severities(result, "uk-mhra.second-course-interval")
    assert found == ({"block"} if blocked else set())


def test_a_pack_naming_an_unknown_assessment_fails_with_a_named_error() -> None:
    library = clinic_library('[[overrides]]\nrule = "uk-mhra.mental-health"\n'
                             'params.event = "phq9"\n', base="uk-mhra@2026-01-22")
    doc = record("uk-mhra", first_supply("2026-02-06", checks=True))
    with pytest.raises(RuleDataError, match=r"uk-mhra\.mental-health: event must be one of"):
        run(doc, "2026-02-06", library)
