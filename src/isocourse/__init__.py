"""isocourse: plan and run isotretinoin courses.

The public Python API (used by the CLI, the server and other programs)::

    from isocourse import PlanRequest, load_catalog, plan_course, plan_to_json
"""

from __future__ import annotations

from isocourse.catalog import load_catalog
from isocourse.domain.cumulative import (
    CumulativeBasis,
    CumulativeLedger,
    DosePeriod,
)
from isocourse.domain.errors import IsocourseError
from isocourse.domain.plan_json import plan_to_json
from isocourse.domain.planner import Plan, PlanRequest, plan_course
from isocourse.domain.units import WeightUnit

__all__ = [
    "CumulativeBasis",
    "CumulativeLedger",
    "DosePeriod",
    "IsocourseError",
    "Plan",
    "PlanRequest",
    "WeightUnit",
    "load_catalog",
    "plan_course",
    "plan_to_json",
]
