"""The rule-pack format, the library of versions, and the engine's aggregation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import isocourse.rules.kinds  # noqa: F401  (registers the kinds)
from isocourse.domain.errors import InvalidInput, RuleDataError
from isocourse.domain.record import parse_record
from isocourse.rules.engine import assess
from isocourse.rules.library import RuleLibrary
from isocourse.rules.output import assessment_to_json
from isocourse.rules.parse import build_library, parse_pack

BASE = """
format = "isocourse-rules/1"
programme = "us-ipledge"
version = "2021-12-13"
title = "base"
effective_from = 2021-12-13

[sources.R7]
document = "Sotret label"
reliability = "P"

[sources.R8]
document = "MedlinePlus"
reliability = "S"

[[rules]]
id = "us-ipledge.enrollment"
kind = "document-on-file"
title = "Enrolled"
source = "R7"
section = "§1.2"
params.event = "enrollment"
params.what = "programme enrollment"

[[rules]]
id = "us-ipledge.limits"
kind = "prescription-limits"
title = "30 days, no refills"
source = "R8"
params.max_days_supply = 30
params.max_refills = { value = 0, source = "R7", unconfirmed = true, note = "check" }
"""

LATER = """
format = "isocourse-rules/1"
programme = "us-ipledge"
version = "2026-08-08"
title = "later"
effective_from = 2026-08-08
extends = "us-ipledge@2021-12-13"

[[overrides]]
rule = "us-ipledge.limits"
params.max_days_supply = 28

[[overrides]]
rule = "us-ipledge.enrollment"
remove = true
"""


def library(*texts: str) -> RuleLibrary:
    return RuleLibrary(build_library(parse_pack(t, origin=f"pack{i}") for i, t in
                                     enumerate(texts)))


def record(events: list[dict[str, Any]]) -> Any:
    return parse_record({
        "format": "isocourse-course/1",
        "patient": {"id": "p-1", "birth_date": "2000-01-01", "can_get_pregnant": False,
                    "weight_kg": 60},
        "course": {"jurisdiction": "us-ipledge", "product": "us-conventional"},
        "events": events,
    })


def test_the_version_in_force_is_chosen_by_date_at_both_edges() -> None:
    lib = library(BASE, LATER)
    assert lib.in_force("us-ipledge", dt.date(2026, 8, 7)).version == "2021-12-13"
    assert lib.in_force("us-ipledge", dt.date(2026, 8, 8)).version == "2026-08-08"
    assert lib.last_day(lib.versions("us-ipledge")[0]) == dt.date(2026, 8, 7)
    with pytest.raises(InvalidInput, match="no version of us-ipledge is in force on 2021-12-12"):
        lib.in_force("us-ipledge", dt.date(2021, 12, 12))


def test_a_go_live_date_can_be_moved() -> None:
    lib = library(BASE, LATER).with_effective_dates(
        {"us-ipledge@2026-08-08": dt.date(2026, 11, 15)})
    assert lib.in_force("us-ipledge", dt.date(2026, 11, 14)).version == "2021-12-13"
    assert lib.in_force("us-ipledge", dt.date(2026, 11, 15)).version == "2026-08-08"
    with pytest.raises(RuleDataError, match="unknown pack"):
        lib.with_effective_dates({"us-ipledge@1999": dt.date(2026, 1, 1)})


def test_extends_copies_rules_and_applies_overrides_and_removals() -> None:
    later = library(BASE, LATER).in_force("us-ipledge", dt.date(2026, 9, 1))
    assert [r.id for r in later.rules] == ["us-ipledge.limits"]
    limits = later.rule("us-ipledge.limits")
    assert limits is not None
    assert limits.value("max_days_supply") == 28
    assert limits.params["max_refills"].unconfirmed
    assert limits.params["max_refills"].source is not None
    assert limits.params["max_refills"].source.key == "R7"


def test_the_engine_blocks_and_explains_with_the_rules_of_the_day() -> None:
    lib = library(BASE, LATER)
    rec = record([{"type": "prescription", "date": "2026-08-01", "daily_mg": 60,
                   "days_supply": 29}])
    early = assessment_to_json(assess(rec, on=dt.date(2026, 8, 7), library=lib))
    assert early["rule_set"] == "us-ipledge@2021-12-13"
    assert early["dispense_allowed"] is False
    assert [f["rule_id"] for f in early["findings"]] == ["us-ipledge.enrollment"]
    assert early["findings"][0]["source"] == "Sotret label, §1.2 [R7]"
    assert early["due"][0]["item"] == "enrollment"
    late = assessment_to_json(assess(rec, on=dt.date(2026, 8, 8), library=lib))
    assert late["rule_set"] == "us-ipledge@2026-08-08"
    assert [(f["rule_id"], f["severity"]) for f in late["findings"]] == [
        ("us-ipledge.limits", "block")]


def test_events_after_the_as_of_date_are_ignored() -> None:
    lib = library(BASE)
    rec = record([{"type": "enrollment", "date": "2026-09-01"}])
    assert not assess(rec, on=dt.date(2026, 8, 31), library=lib).dispense_allowed
    assert assess(rec, on=dt.date(2026, 9, 1), library=lib).dispense_allowed


def test_a_superseded_event_no_longer_counts() -> None:
    lib = library(BASE)
    rec = record([
        {"type": "enrollment", "date": "2026-09-01", "id": "e1"},
        {"type": "prescription", "date": "2026-09-02", "daily_mg": 60, "days_supply": 45,
         "id": "rx1"},
        {"type": "prescription", "date": "2026-09-02", "daily_mg": 60, "days_supply": 30,
         "supersedes": "rx1", "reason": "typed 45 for 30"},
    ])
    assert assess(rec, on=dt.date(2026, 9, 3), library=lib).dispense_allowed


BAD_PACKS = [
    ('format = "isocourse-rules/1"', 'format = "x"', "format"),
    ("effective_from = 2021-12-13", 'effective_from = "soon"', "effective_from"),
    ('reliability = "P"', 'reliability = "Z"', "reliability"),
    ('source = "R8"', 'source = "R99"', "is not a key of \\[sources\\]"),
    ('kind = "prescription-limits"', 'kind = "no-such-kind"', "unknown rule kind"),
    ("params.max_days_supply = 30", 'params.max_days_supply = "thirty"', "wrong type"),
    ("params.max_days_supply = 30", "params.max_day_supply = 30", "unknown parameter"),
    ('id = "us-ipledge.limits"', 'id = "us-ipledge.enrollment"', "rule ids repeat"),
    ('title = "base"', 'title = "base"\nsurprise = 1', "unknown key"),
]


@pytest.mark.parametrize(("old", "new", "message"), BAD_PACKS)
def test_a_bad_pack_fails_at_load_with_a_named_error(old: str, new: str, message: str) -> None:
    assert old in BASE
    with pytest.raises(RuleDataError, match=message):
        library(BASE.replace(old, new, 1))


def test_extends_must_name_a_known_pack() -> None:
    with pytest.raises(RuleDataError, match="extends unknown pack"):
        library(LATER)
