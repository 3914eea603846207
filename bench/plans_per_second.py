"""Plans per second, in-process, on one core (goal: ≥ 10,000/s).

Run: make bench   (or: uv run python bench/plans_per_second.py [--seconds S])

A fixed mix of requests (every catalog product, weights 40-120 kg, doses across the usual
range, a titration on every third) is planned repeatedly; the capsule tables are warm, as in
a running server. Prints plans/s for plan_course alone and with the JSON rendering.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import time
from decimal import Decimal

from isocourse.catalog import load_catalog
from isocourse.domain.errors import InvalidInput
from isocourse.domain.plan_json import plan_to_json
from isocourse.domain.planner import PlanRequest, plan_course


def requests() -> list[PlanRequest]:
    catalog = load_catalog()
    mix = []
    for index, (product, weight, dose) in enumerate(itertools.product(
        catalog.products.values(), range(40, 121, 7), ("0.5", "0.6", "0.75", "0.8", "1.0"),
    )):
        mg_per_kg = min(Decimal(dose), product.usual_max_mg_per_kg)
        titrate = index % 3 == 0
        mix.append(PlanRequest(
            product_id=product.id, weight=Decimal(weight), mg_per_kg=mg_per_kg,
            start_date=dt.date(2026, 1, 5),
            start_mg_per_kg=product.usual_min_mg_per_kg if titrate else None,
            start_days=28 if titrate else None,
        ))
    return mix


def measure(seconds: float, render: bool) -> float:
    catalog = load_catalog()
    mix = requests()
    for request in mix:  # warm the capsule tables, as a running server would have them
        plan_course(request, catalog)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for request in mix:
            try:
                plan = plan_course(request, catalog)
            except InvalidInput:
                continue
            if render:
                plan_to_json(plan)
            done += 1
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    print(f"requests in the mix: {len(requests())}")
    print(f"plan_course:            {measure(args.seconds, render=False):,.0f} plans/s")
    print(f"plan_course + JSON:     {measure(args.seconds, render=True):,.0f} plans/s")


if __name__ == "__main__":
    main()
