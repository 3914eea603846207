"""Assessments per second of a year-long course record, in-process, on one core
(issue 8's goal: ≥ 2,000/s).

Run: uv run python bench/assessments_per_second.py [--seconds S]

The record is a year of a US iPLEDGE course for a patient who can get pregnant: monthly
tests, counselling, comprehension, prescriptions and dispenses, labs every month, a PHQ-9
every month and a few side effects (about 120 events). Each assessment parses nothing: it is
``assess(record, on=…)`` on an already-parsed record, on a different date each time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from typing import Any

from isocourse.catalog import load_catalog, load_rule_library
from isocourse.domain.record import parse_record
from isocourse.rules.engine import assess


def year_long_record() -> dict[str, Any]:
    start = dt.date(2026, 1, 5)
    events: list[dict[str, Any]] = [
        {"type": "enrollment", "date": "2025-11-20"},
        {"type": "risk_acknowledgement", "date": "2025-11-20"},
        {"type": "contraception", "date": "2025-11-20", "methods": ["iud", "male-condom"]},
        {"type": "pregnancy_test", "date": "2025-11-20", "result": "negative",
         "setting": "office"},
    ]
    for month in range(12):
        day = start + dt.timedelta(days=30 * month) - dt.timedelta(days=2)
        iso = day.isoformat()
        events += [
            {"type": "lab", "date": iso, "analyte": "alt", "value": 24, "unit": "U/L",
             "uln": 40},
            {"type": "lab", "date": iso, "analyte": "triglycerides", "value": 140,
             "unit": "mg/dL"},
            {"type": "phq9", "date": iso, "items": [0, 1, 0, 0, 0, 0, 0, 0, 0]},
            {"type": "counseling", "date": iso},
            {"type": "comprehension", "date": iso, "passed": True},
            {"type": "pregnancy_test", "date": iso, "result": "negative", "setting": "lab"},
            {"type": "prescription", "date": iso, "daily_mg": 60, "days_supply": 30},
            {"type": "dispense", "date": (day + dt.timedelta(days=2)).isoformat(),
             "daily_mg": 60, "days_supply": 30},
            {"type": "side_effect", "date": (day + dt.timedelta(days=10)).isoformat(),
             "kind": "cheilitis", "grade": 1},
        ]
    events.sort(key=lambda e: e["date"])
    return {"format": "isocourse-course/1",
            "patient": {"id": "p-bench", "birth_date": "2000-01-01", "can_get_pregnant": True,
                        "weight_kg": 60},
            "course": {"jurisdiction": "us-ipledge", "product": "us-conventional",
                       "start_date": start.isoformat()},
            "events": events}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    catalog, library = load_catalog(), load_rule_library()
    record = parse_record(year_long_record(), known_products=catalog.products)
    days = [dt.date(2026, 1, 5) + dt.timedelta(days=d) for d in range(0, 365, 7)]
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < args.seconds:
        for day in days:
            assess(record, on=day, library=library, catalog=catalog)
            done += 1
    rate = done / (time.perf_counter() - started)
    print(f"events in the record: {len(record.events)}")
    print(f"assess():               {rate:,.0f} assessments/s")


if __name__ == "__main__":
    main()
