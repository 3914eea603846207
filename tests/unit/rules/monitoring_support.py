"""Assess records against the packaged monitoring pack alone.

Each jurisdiction gets an empty programme pack, so these unit tests see only the monitoring
rules and do not change when a programme pack does. ``override`` edits a parameter the way a
clinic's pack would, to show that a configurable default really is configurable.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from typing import Any

import isocourse.rules.kinds  # noqa: F401  (registers the kinds)
from isocourse.domain.record import Jurisdiction, parse_record
from isocourse.rules.engine import assess
from isocourse.rules.library import RuleLibrary
from isocourse.rules.model import RulePack, RuleSpec
from isocourse.rules.output import assessment_to_json
from isocourse.rules.parse import build_library, parse_pack
from tests.spec.harness import course

PACK_FILE = "monitoring-2018-01-01.toml"


def monitoring_text() -> str:
    folder = resources.files("isocourse.rules").joinpath("packs")
    return folder.joinpath(PACK_FILE).read_text(encoding="utf-8")


def _empty_programme(jurisdiction: str) -> str:
    return (f'format = "isocourse-rules/1"\nprogramme = "{jurisdiction}"\n'
            f'version = "2018-01-01"\ntitle = "empty"\neffective_from = 2018-01-01\n')


def library(extra: str = "") -> RuleLibrary:
    """The monitoring pack (plus ``extra`` TOML appended, e.g. ``[[overrides]]`` of a
    derived version) beside empty programme packs."""
    texts = [_empty_programme(j.value) for j in Jurisdiction]
    texts.append(monitoring_text())
    if extra:
        texts.append('format = "isocourse-rules/1"\nprogramme = "monitoring"\n'
                     'version = "2030-01-01"\ntitle = "clinic"\neffective_from = 2018-01-02\n'
                     'extends = "monitoring@2018-01-01"\n' + extra)
    return RuleLibrary(build_library(parse_pack(t, origin=f"pack{i}")
                                     for i, t in enumerate(texts)))


def packaged() -> RulePack:
    return library().in_force("monitoring", dt.date(2026, 1, 1))


def rule(rule_id: str) -> RuleSpec:
    spec = packaged().rule(rule_id)
    assert spec is not None, rule_id
    return spec


def check(on: str, events: list[dict[str, Any]], *, lib: RuleLibrary | None = None,
          **course_fields: Any) -> dict[str, Any]:
    """The assessment (spec JSON) of a course of a patient who cannot get pregnant."""
    fields: dict[str, Any] = {"jurisdiction": "eu-ppp", "can_get_pregnant": False}
    fields.update(course_fields)
    document = course(events=events, **fields)
    record = parse_record(json.loads(json.dumps(document)))
    return assessment_to_json(assess(record, on=dt.date.fromisoformat(on),
                                     library=lib or library()))


def findings(output: dict[str, Any], prefix: str) -> list[tuple[str, str, str]]:
    """(rule id, severity, message) of the findings whose rule id starts with ``prefix``."""
    return [(f["rule_id"], f["severity"], f["message"]) for f in output["findings"]
            if f["rule_id"].startswith(prefix)]


def due(output: dict[str, Any], rule_prefix: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """(item, due date, analytes) of the due items of rules starting with ``rule_prefix``."""
    return [(d["item"], d["due_date"], tuple(d.get("analytes", ())))
            for d in output["due"] if d["rule_id"].startswith(rule_prefix)]
