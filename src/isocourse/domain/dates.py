"""Calendar arithmetic written as the sources write it.

"Day 1 is the specimen date, the window ends on Day 7" is ``day_n(specimen, 7)``;
"one month after stopping" is ``add_months(stop, 1)`` (the same day of the next month, or
that month's last day when it is shorter: 31 January + 1 month = 28/29 February).
"""

from __future__ import annotations

import calendar
import datetime as dt

__all__ = [
    "FIRST_DATE",
    "LAST_DATE",
    "add_months",
    "age_on",
    "day_n",
    "days_between",
    "supported",
]


def day_n(day_1: dt.date, n: int) -> dt.date:
    """The date of Day ``n`` when Day 1 is ``day_1`` (Day 7 = Day 1 + 6 days)."""
    return day_1 + dt.timedelta(days=n - 1)


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def days_between(earlier: dt.date, later: dt.date) -> int:
    return (later - earlier).days


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Whole years of age on a date."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


#: The calendar dates isocourse accepts anywhere (records, API dates): a limit of the
#: format, not a clinical fact. It keeps date arithmetic (windows, months ahead) far from
#: the ends of :class:`datetime.date`.
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2200, 12, 31)


def supported(day: dt.date) -> bool:
    """Whether ``day`` is within :data:`FIRST_DATE` .. :data:`LAST_DATE`."""
    return FIRST_DATE <= day <= LAST_DATE
