"""Reading the ``events`` array: each event on its own, then the rules across events.

The per-type fields are a table (:data:`EVENT_FIELDS`), not code per type: adding an event
type is a dataclass in ``events.py``, a row here and a branch in the JSON Schema.

Rules across events, all reported at once with the other problems:

- ids are unique;
- ``supersedes`` names an event *earlier in the array* and comes with a ``reason``; an event
  is corrected at most once (a second correction corrects the first correction instead);
- dates are in non-decreasing order, counting only the events that still stand. A corrected
  event is out of the ordering, so a correction can move a fact to its true date: the
  correction sits where its date belongs, after the event it corrects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from isocourse.domain.errors import Problem
from isocourse.domain.record._read import (
    Field,
    at,
    expected_one_of,
    index,
    read_bool,
    read_date,
    read_decimal,
    read_enum,
    read_enum_list,
    read_extensions,
    read_fields,
    read_scores,
    read_text,
    read_whole,
)
from isocourse.domain.record.events import EVENT_CLASSES, Event
from isocourse.domain.record.vocabulary import (
    ContraceptionMethod,
    EventType,
    LabAnalyte,
    LabUnit,
    PregnancyTestResult,
    PregnancyTestSetting,
    SideEffectKind,
)
from isocourse.domain.units import MAX_WEIGHT_KG, MIN_WEIGHT_KG

__all__ = ["EVENT_FIELDS", "EventHead", "check_sequence", "read_event"]

_MG = "a whole number of mg"
# Upper bounds are limits of the format, not clinical limits (those live in the catalog and
# the rule packs): they keep an impossible value (10**23 days) from reaching the arithmetic.
MAX_DAILY_MG = 1000
MAX_DAYS_SUPPLY = 366
MAX_REFILLS = 12
MAX_LAB_VALUE = Decimal(1_000_000)
MIN_ULN = Decimal("0.001")
_DAILY_MG = Field("daily_mg", read_whole(1, MAX_DAILY_MG, what=_MG))
_DAYS_SUPPLY = Field("days_supply", read_whole(1, MAX_DAYS_SUPPLY,
                                                what="a whole number of days"))
_SCORE = (0, 3)

#: The members every event may have besides ``type`` and ``extensions``.
COMMON_FIELDS = (
    Field("date", read_date),
    Field("id", read_text, required=False),
    Field("note", read_text, required=False),
    Field("supersedes", read_text, required=False),
    Field("reason", read_text, required=False),
)

#: The members of each event type (beyond the common ones).
EVENT_FIELDS: dict[EventType, tuple[Field, ...]] = {
    EventType.ENROLLMENT: (),
    EventType.RISK_ACKNOWLEDGEMENT: (),
    EventType.COUNSELING: (),
    EventType.COMPREHENSION: (Field("passed", read_bool),),
    EventType.CONTRACEPTION: (Field("methods", read_enum_list(ContraceptionMethod)),),
    EventType.PREGNANCY_TEST: (
        Field("result", read_enum(PregnancyTestResult)),
        Field("setting", read_enum(PregnancyTestSetting)),
        Field("verified_by", read_text, required=False),
    ),
    EventType.LAB: (
        Field("analyte", read_enum(LabAnalyte)),
        Field("value", read_decimal(Decimal(0), MAX_LAB_VALUE)),
        Field("unit", read_enum(LabUnit)),
        Field("uln", read_decimal(MIN_ULN, MAX_LAB_VALUE), required=False),
    ),
    EventType.WEIGHT: (Field("kg", read_decimal(MIN_WEIGHT_KG, MAX_WEIGHT_KG, unit="kg")),),
    EventType.PRESCRIPTION: (
        _DAILY_MG,
        _DAYS_SUPPLY,
        Field("refills", read_whole(0, MAX_REFILLS, what="a whole number of refills"),
              required=False),
        Field("product", read_text, required=False),
    ),
    EventType.DISPENSE: (_DAILY_MG, _DAYS_SUPPLY),
    EventType.DOSE: (Field("mg", read_whole(0, MAX_DAILY_MG, what=_MG)),
                     Field("taken", read_bool)),
    EventType.PHQ2: (Field("items", read_scores(2, *_SCORE)),),
    EventType.PHQ9: (Field("items", read_scores(9, *_SCORE)),),
    EventType.SIDE_EFFECT: (
        Field("kind", read_enum(SideEffectKind)),
        Field("grade", read_whole(1, 3, what="a whole-number grade")),
    ),
    EventType.SEXUAL_FUNCTION_CHECK: (Field("concern", read_bool),),
    EventType.MENTAL_HEALTH_CHECK: (Field("concern", read_bool),),
    EventType.PRESCRIBER_AGREEMENT: (Field("prescriber", read_text),),
    EventType.COURSE_END: (),
}


@dataclass(frozen=True, slots=True)
class EventHead:
    """What the rules across events need of one event, kept even when its body is wrong,
    so that one bad field does not hide an ordering or id problem elsewhere."""

    date: dt.date | None
    id: str | None
    supersedes: str | None


def _unit_message(analyte: LabAnalyte) -> str:
    kind = "a liver enzyme" if analyte.is_enzyme else "a lipid"
    return f"{expected_one_of([u.value for u in analyte.units])} for {kind}"


def read_event(
    raw: object, path: str, problems: list[Problem], known_products: Collection[str] | None
) -> tuple[Event | None, EventHead]:
    """One event: its object, type, common and type-specific members, and the checks
    between its own members (unit for the analyte, reason with supersedes, product id)."""
    if not isinstance(raw, dict):
        problems.append(Problem(path, "expected an object"))
        return None, EventHead(None, None, None)
    before = len(problems)
    kind: EventType | None = None
    if "type" not in raw:
        problems.append(Problem(at(path, "type"), "missing required field"))
    else:
        kind = read_enum(EventType)(raw["type"], at(path, "type"), problems)
    # Of an event of unknown type only the common members can be checked: the others
    # belong to a type we cannot name, so they are not reported as unknown.
    fields = COMMON_FIELDS + (EVENT_FIELDS[kind] if kind is not None else ())
    extra = ("type", "extensions") if kind is not None else tuple(map(str, raw))
    values = read_fields(raw, path, problems, fields, extra=extra)
    extensions = None
    if "extensions" in raw:
        extensions = read_extensions(raw["extensions"], at(path, "extensions"), problems)
    if "supersedes" in raw and "reason" not in raw:
        problems.append(Problem(at(path, "reason"), 'required when "supersedes" is set'))
    analyte, unit = values.get("analyte"), values.get("unit")
    if isinstance(analyte, LabAnalyte) and isinstance(unit, LabUnit) and unit not in analyte.units:
        problems.append(Problem(at(path, "unit"), _unit_message(analyte)))
    product = values.get("product")
    if known_products is not None and product is not None and product not in known_products:
        problems.append(Problem(at(path, "product"), expected_one_of(sorted(known_products))))
    head = EventHead(values.get("date"), values.get("id"), values.get("supersedes"))
    if kind is None or len(problems) > before:
        return None, head
    return EVENT_CLASSES[kind](**values, extensions=extensions), head


def check_sequence(heads: Sequence[EventHead], path: str, problems: list[Problem]) -> None:
    """The rules across events (module docstring): ids, corrections, date order."""
    first_with_id: dict[str, int] = {}
    corrected_by: dict[str, int] = {}
    for i, head in enumerate(heads):
        here = index(path, i)
        if head.supersedes is not None:
            if head.supersedes not in first_with_id:
                problems.append(Problem(at(here, "supersedes"),
                                        "expected the id of an earlier event"))
            elif head.supersedes in corrected_by:
                earlier = index(path, corrected_by[head.supersedes])
                problems.append(Problem(at(here, "supersedes"),
                                        f"{earlier} already supersedes the same event"))
            else:
                corrected_by[head.supersedes] = i
        if head.id is not None:
            if head.id in first_with_id:
                problems.append(Problem(at(here, "id"), f"duplicate id: "
                                        f"{index(path, first_with_id[head.id])} has the same id"))
            else:
                first_with_id[head.id] = i
    latest: dt.date | None = None
    for i, head in enumerate(heads):
        if head.date is None or (head.id is not None and head.id in corrected_by):
            continue
        if latest is not None and head.date < latest:
            problems.append(Problem(at(index(path, i), "date"),
                                    "events must be in date order: this date is before "
                                    "the date of an earlier event"))
            return
        latest = head.date
