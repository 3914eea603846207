"""A course as the card rules see it: the stored course, its assessment on the hook's date
and the rules that were in force, with the few derived facts several cards need."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from isocourse.domain.cumulative import CumulativeBasis
from isocourse.domain.products import Product
from isocourse.domain.record import PregnancyTest, PregnancyTestResult
from isocourse.rules.engine import MONITORING
from isocourse.rules.facts import CourseFacts
from isocourse.rules.library import RuleLibrary
from isocourse.rules.model import Assessment, Finding, RuleSpec, Severity
from isocourse.services.assessments import assess_loaded
from isocourse.services.course_store import LoadedCourse
from isocourse.services.ports import Rulebook

__all__ = [
    "LIMITS_KIND",
    "POSITIVE_TEST_KIND",
    "TEST_KINDS",
    "WINDOW_KINDS",
    "CourseView",
    "course_view",
    "one_decimal",
    "rules_in_force",
]

#: Rule kinds (in the packs) whose findings the cards single out.
LIMITS_KIND = "prescription-limits"
POSITIVE_TEST_KIND = "positive-pregnancy-test"
#: A window that closed unused (or its waiting period): the "missed window" of the REMS.
WINDOW_KINDS = frozenset({"ipledge-pickup-window", "ipledge-lockout", "ipledge-visit-window",
                          "ppp-dispensing-window"})
#: No negative test on file that counts for the next fill.
TEST_KINDS = frozenset({"ipledge-monthly-test", "ipledge-pretreatment-tests",
                        "ipledge-test-settings", "ppp-initial-pregnancy-test",
                        "ppp-repeat-pregnancy-test"})


def rules_in_force(library: RuleLibrary, jurisdiction: str,
                   on: dt.date) -> tuple[str, dict[str, RuleSpec]]:
    """The programme pack's name and every rule in force on ``on`` (programme and
    monitoring), by id, as the engine applied them."""
    programme = library.in_force(jurisdiction, on)
    specs = {spec.id: spec for spec in programme.rules}
    if library.versions(MONITORING):
        specs.update({spec.id: spec for spec in library.in_force(MONITORING, on).rules})
    return programme.name, specs


def one_decimal(value: Decimal | Fraction) -> str:
    """A mg/kg figure for display: one decimal place, halves rounded up (display only;
    every comparison is made on the exact value)."""
    exact = Decimal(value.numerator) / Decimal(value.denominator) \
        if isinstance(value, Fraction) else value
    return str(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class CourseView:
    course: LoadedCourse
    assessment: Assessment
    specs: Mapping[str, RuleSpec]
    pack: str
    product: Product | None

    @property
    def on(self) -> dt.date:
        return self.assessment.as_of

    @property
    def active(self) -> bool:
        return self.course.header.ended_on is None

    @property
    def plan(self) -> Mapping[str, Any] | None:
        return self.course.header.plan

    @property
    def source(self) -> str:
        return f"isocourse · {self.pack}"

    def kind(self, finding: Finding) -> str | None:
        spec = self.specs.get(finding.rule_id)
        return None if spec is None else spec.kind

    def blocking(self, assessment: Assessment | None = None) -> tuple[Finding, ...]:
        found = (assessment or self.assessment).findings
        return tuple(f for f in found if f.severity.stops_dispensing)

    def urgent_positive(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.assessment.findings if f.severity is Severity.URGENT
                     and self.kind(f) == POSITIVE_TEST_KIND)

    def latest_positive_test(self) -> PregnancyTest | None:
        tests = [t for t in self.course.record.events_of(PregnancyTest)
                 if t.result is PregnancyTestResult.POSITIVE and t.date <= self.on]
        return tests[-1] if tests else None

    def facts(self) -> CourseFacts:
        return CourseFacts(self.course.record, self.on, self.product, self.basis)

    @property
    def basis(self) -> CumulativeBasis:
        return CumulativeBasis(self.assessment.cumulative.basis)

    def target_mg_per_kg(self) -> Decimal | None:
        """The cumulative target of the course's plan, if it was planned by isocourse."""
        if self.plan is None or "target_mg_per_kg" not in self.plan:
            return None
        return Decimal(str(self.plan["target_mg_per_kg"]))

    def planned_daily_mg(self) -> frozenset[int]:
        """Every daily total the plan uses (titration, maintenance, alternating days)."""
        totals: set[int] = set()
        for phase in (self.plan or {}).get("phases", ()):
            totals.add(int(phase["daily_mg"]))
            if isinstance(phase.get("alternate_day"), Mapping):
                totals.add(int(phase["alternate_day"]["daily_mg"]))
        return frozenset(totals)


def course_view(course: LoadedCourse, on: dt.date, rules: Rulebook) -> CourseView:
    """The course assessed by the engine on ``on``, with the rules in force that day."""
    assessment = assess_loaded(course, on, rules)
    pack, specs = rules_in_force(rules.library, assessment.jurisdiction, on)
    return CourseView(course, assessment, specs, pack,
                      rules.catalog.products.get(course.record.course.product))
