"""Reports: what the web pages and the PDF show beyond text, and the reminder feed.

* :func:`cumulative_chart` and :func:`lab_charts` draw server-side SVG charts (accessible,
  responsive, printable), each returned as a :class:`Chart` with its data as table rows;
  :func:`lab_thresholds` reads the lab thresholds in force from the rule packs.
* :func:`reminder_calendar` writes a course's due items as an iCalendar feed.

These functions are pure given their inputs (no clock, no database): a face passes the
course record, its plan, the assessment and the date. See
docs/explanation/charts-and-reminders.md.
"""

from __future__ import annotations

from isocourse.adapters.reports.charts import (
    Chart,
    LabThresholds,
    cumulative_chart,
    lab_charts,
    lab_thresholds,
)
from isocourse.adapters.reports.ics import reminder_calendar

__all__ = [
    "Chart",
    "LabThresholds",
    "cumulative_chart",
    "lab_charts",
    "lab_thresholds",
    "reminder_calendar",
]
