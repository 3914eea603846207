"""Server-side SVG charts for the web pages and the PDF: the cumulative dose and the labs.

Each function returns a :class:`Chart`: inline SVG markup plus the same data as table rows::

    chart = cumulative_chart(course.record, course.header.plan, on=today,
                             catalog=rules.catalog)
    charts = lab_charts(course.record, lab_thresholds(course.record, rules.library,
                                                      on=today), on=today)
"""

from __future__ import annotations

from isocourse.adapters.reports.charts.cumulative import cumulative_chart
from isocourse.adapters.reports.charts.labs import lab_charts
from isocourse.adapters.reports.charts.model import Chart
from isocourse.adapters.reports.charts.thresholds import LabThresholds, lab_thresholds

__all__ = ["Chart", "LabThresholds", "cumulative_chart", "lab_charts", "lab_thresholds"]
