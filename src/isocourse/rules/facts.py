"""What a course record says as of a date: the facts every rule reads.

:class:`CourseFacts` only derives; it never stores state of its own. Only events dated on or
before ``on`` count (an assessment for a past date ignores what came later), and superseded
events never count. Everything is computed lazily and cached for one assessment.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from itertools import pairwise
from typing import TypeVar

from isocourse.domain.cumulative import (
    CumulativeBasis,
    CumulativeLedger,
    CumulativeTotals,
    DosePeriod,
)
from isocourse.domain.dates import age_on
from isocourse.domain.products import Product
from isocourse.domain.record import (
    Contraception,
    ContraceptionMethod,
    CourseEnd,
    CourseRecord,
    Dispense,
    Dose,
    Event,
    Lab,
    PregnancyTest,
    PregnancyTestResult,
    Prescription,
    Weight,
)

__all__ = ["CourseFacts", "Phase"]

_E = TypeVar("_E", bound=Event)


class Phase(StrEnum):
    """Where the course is on a date: before the first dose, during, or after the last."""

    BEFORE = "before"
    DURING = "during"
    AFTER = "after"


class CourseFacts:
    def __init__(self, record: CourseRecord, on: dt.date, product: Product | None = None,
                 basis: CumulativeBasis | None = None) -> None:
        self.record = record
        self.on = on
        self.patient = record.patient
        self.course = record.course
        self.product = product
        self.basis = basis or CumulativeBasis.RAW
        self._gathered: dict[type[Event], tuple[Event, ...]] = {}

    # -- events ------------------------------------------------------------------------
    @cached_property
    def events(self) -> tuple[Event, ...]:
        """Effective events dated on or before ``on``, in record (date) order."""
        return tuple(e for e in self.record.effective_events() if e.date <= self.on)

    @cached_property
    def _by_class(self) -> dict[type[Event], tuple[Event, ...]]:
        grouped: dict[type[Event], list[Event]] = {}
        for event in self.events:
            grouped.setdefault(type(event), []).append(event)
        return {cls: tuple(events) for cls, events in grouped.items()}

    def of(self, kind: type[_E]) -> tuple[_E, ...]:
        """The events of one class (events are grouped once per assessment: rules ask often)."""
        found = self._by_class.get(kind) or self._gathered.get(kind)
        if found is None:
            # A class with no events of its own, or a base class (such as Event itself)
            # that gathers its subclasses' events: worked out once per assessment.
            found = tuple(e for e in self.events if isinstance(e, kind))
            self._gathered[kind] = found
        return found  # type: ignore[return-value]  # grouped by (a subclass of) this class

    @cached_property
    def _dates_by_class(self) -> dict[type[Event], tuple[dt.date, ...] | None]:
        """The dates of each class's events, for a binary search; None for a class whose
        events are not in date order (a parsed record's standing events always are, but a
        record built in code need not be: :meth:`last` then scans)."""
        dates: dict[type[Event], tuple[dt.date, ...] | None] = {}
        for cls, events in self._by_class.items():
            days = tuple(e.date for e in events)
            ordered = all(a <= b for a, b in pairwise(days))
            dates[cls] = days if ordered else None
        return dates

    def last(self, kind: type[_E], *, on_or_before: dt.date | None = None,
             where: Callable[[_E], bool] | None = None) -> _E | None:
        """The last event of ``kind`` (in record order) dated on or before ``on_or_before``
        (default: the assessment date) for which ``where`` holds.

        Rules ask this very often (the weight on a day, the latest test, the latest
        contraception ...), so it finds the date bound by binary search and walks back
        from there instead of filtering the whole history each time."""
        limit = on_or_before or self.on
        events = self.of(kind)
        dates = self._dates_by_class.get(kind)
        if dates is None:  # a base class, or events out of date order
            candidates = (e for e in reversed(events) if e.date <= limit)
        else:
            end = bisect_right(dates, limit)
            candidates = (events[i] for i in range(end - 1, -1, -1))
        for event in candidates:
            if where is None or where(event):
                return event
        return None

    @property
    def can_get_pregnant(self) -> bool:
        return self.patient.can_get_pregnant

    @property
    def age(self) -> int:
        return age_on(self.patient.birth_date, self.on)

    # -- course timeline ---------------------------------------------------------------
    @cached_property
    def dispenses(self) -> tuple[Dispense, ...]:
        return self.of(Dispense)

    @cached_property
    def prescriptions(self) -> tuple[Prescription, ...]:
        return self.of(Prescription)

    @cached_property
    def pregnancy_tests(self) -> tuple[PregnancyTest, ...]:
        return self.of(PregnancyTest)

    @cached_property
    def labs(self) -> tuple[Lab, ...]:
        return self.of(Lab)

    @cached_property
    def first_dose_date(self) -> dt.date | None:
        """The course's start date if it is on or before ``on``; else the first dispense
        (a dispensed course has started even if the record has no start date yet)."""
        start = self.course.start_date
        if start is not None and start <= self.on:
            return start
        if start is None and self.dispenses:
            return self.dispenses[0].date
        return None

    @cached_property
    def course_end(self) -> CourseEnd | None:
        ends = self.of(CourseEnd)
        return ends[-1] if ends else None

    @property
    def last_dose_date(self) -> dt.date | None:
        return self.course_end.date if self.course_end else None

    @cached_property
    def phase(self) -> Phase:
        if self.course_end is not None:
            return Phase.AFTER
        if self.first_dose_date is None:
            return Phase.BEFORE
        return Phase.DURING

    @property
    def started(self) -> bool:
        return self.phase is not Phase.BEFORE

    @cached_property
    def awaiting_first_supply(self) -> bool:
        """True until the first supply has been handed over, the day of it included: a
        dispense on ``on`` is still the first one, so a record that already holds today's
        dispense is judged as before it. False once the course has ended."""
        if self.course_end is not None or any(d.date < self.on for d in self.dispenses):
            return False
        first = self.first_dose_date
        return first is None or first >= self.on

    # -- pregnancy tests ---------------------------------------------------------------
    @cached_property
    def positive_tests(self) -> tuple[PregnancyTest, ...]:
        return tuple(t for t in self.pregnancy_tests
                     if t.result is PregnancyTestResult.POSITIVE)

    @cached_property
    def negative_tests(self) -> tuple[PregnancyTest, ...]:
        return tuple(t for t in self.pregnancy_tests
                     if t.result is PregnancyTestResult.NEGATIVE)

    # -- contraception -----------------------------------------------------------------
    def contraception_on(self, day: dt.date) -> tuple[ContraceptionMethod, ...]:
        """The methods in use on ``day`` (the latest contraception event on or before it)."""
        latest = self.last(Contraception, on_or_before=day)
        return latest.methods if latest else ()

    def contraception_meeting_since(
        self, meets: Callable[[tuple[ContraceptionMethod, ...]], bool]
    ) -> dt.date | None:
        """The first day of the unbroken stretch, ending on ``on``, during which the methods
        in use met ``meets``; None when they do not meet it on ``on``."""
        since: dt.date | None = None
        for event in self.of(Contraception):
            # A stretch starts at the first event that meets it and ends at one that does not.
            since = (since or event.date) if meets(event.methods) else None
        return since

    # -- weight and cumulative dose ----------------------------------------------------
    def weight_on(self, day: dt.date) -> Decimal:
        latest = self.last(Weight, on_or_before=day)
        return latest.kg if latest else self.patient.weight_kg

    @property
    def weight_kg(self) -> Decimal:
        return self.weight_on(self.on)

    @cached_property
    def ledger(self) -> CumulativeLedger:
        """Dose periods from the dose diary when there is one, else from dispenses.

        Dispensed supply is taken in order: each dispense's days start the day after the
        previous supply runs out (or on its own date, if later), and nothing is counted after
        the last dose. Each period counts at the weight recorded when it starts.
        """
        factor = self.product.equivalence_factor if self.product else Decimal(1)
        end = self.last_dose_date
        periods: list[DosePeriod] = []
        diary = [d for d in self.of(Dose) if d.taken and d.mg > 0]
        if diary:
            periods = [DosePeriod(d.date, 1, Decimal(d.mg), self.weight_on(d.date))
                       for d in diary if end is None or d.date <= end]
        else:
            next_free: dt.date | None = None
            for dispense in self.dispenses:
                start = max(dispense.date, next_free) if next_free else dispense.date
                days = dispense.days_supply
                if end is not None:
                    days = min(days, (end - start).days + 1)
                if days > 0:
                    periods.append(DosePeriod(start, days, Decimal(dispense.daily_mg),
                                              self.weight_on(start)))
                next_free = start + dt.timedelta(days=max(days, 0))
        return CumulativeLedger(tuple(periods), basis=self.basis, equivalence_factor=factor)

    @cached_property
    def cumulative(self) -> CumulativeTotals:
        return self.ledger.totals(self.on)
