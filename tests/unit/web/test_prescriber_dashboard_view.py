"""The dashboard's view logic: how soon something is due, the filters of the query string,
and each course's status badges."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast
from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isocourse.adapters.web.pages.clinic import (
    Filters,
    course_badges,
    due_item_name,
    due_when,
    read_filters,
)
from isocourse.domain.record import CourseInfo, Jurisdiction
from isocourse.rules.model import Assessment, Cumulative, DueItem, Finding, Severity, Window
from isocourse.services.due import DueEntry
from isocourse.services.stored import CourseHeader, CourseStatus

TODAY = dt.date(2026, 11, 21)


@given(st.integers(-400, 400))
def test_how_soon_is_overdue_before_today_due_today_on_it_and_soon_after(days: int) -> None:
    kind, words = due_when(TODAY + dt.timedelta(days=days), TODAY)
    assert kind == ("overdue" if days < 0 else "today" if days == 0 else "soon")
    if days < 0:
        assert words == f"Overdue by {-days} day{'s' if days != -1 else ''}"
    elif days > 1:
        assert words == f"Due in {days} days"


def test_due_items_are_named_in_plain_words_with_their_analytes() -> None:
    assert due_item_name("lab", ("alt", "triglycerides")) == "Blood tests (ALT, triglycerides)"
    assert due_item_name("pregnancy_test") == "Pregnancy test"
    assert due_item_name("new_item_kind") == "New item kind"


filter_values = st.fixed_dictionaries({
    "status": st.sampled_from(["", "active", "ended"]),
    "programme": st.sampled_from(["", "us-ipledge", "eu-ppp", "uk-mhra"]),
    "item": st.sampled_from(["", "lab", "pregnancy_test", "phq9"]),
    "attention": st.sampled_from(["", "1"]),
    "within": st.sampled_from(["0", "7", "14", "30", "all"]),
})


@given(filter_values, st.integers(1, 50))
def test_the_filters_go_round_the_query_string_unchanged(values: dict[str, str],
                                                         page: int) -> None:
    filters, form = read_filters(values)
    assert form.ok
    query = dict(parse_qsl(filters.query(page=page)))
    assert set(query) <= {"status", "programme", "item", "attention", "within", "page"}
    again, _ = read_filters(query)
    assert again == filters
    assert query["page"] == str(page)
    assert "within" not in query or query["within"] != "7"  # the default is left out


@pytest.mark.parametrize(("name", "value"), [
    ("status", "deleted"), ("programme", "mars"), ("item", "<script>"), ("within", "5")])
def test_a_filter_value_that_is_not_a_choice_is_noted_and_ignored(name: str,
                                                                  value: str) -> None:
    filters, form = read_filters({name: value, "patient": "demo-001"})
    assert name in form.errors
    assert filters == Filters(None, None, None, False, "7")
    assert "patient" not in form.values  # only the filters' own names are read


def _header(*, start: dt.date | None = TODAY, ended: dt.date | None = None) -> CourseHeader:
    info = CourseInfo(jurisdiction=Jurisdiction.US_IPLEDGE, product="us-conventional",
                      start_date=start)
    return CourseHeader(id="c-1", patient_id="p-1", clinic_id="k", number=1, info=info,
                        weight_kg=Decimal(60), version=1,
                        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), created_by="u",
                        ended_on=ended)


def _entry(*, severities: tuple[Severity, ...] = (), window: Window | None = None,
           due: tuple[int, ...] = ()) -> DueEntry:
    findings = tuple(Finding(f"r{i}", s, "message", "source")
                     for i, s in enumerate(severities))
    items = tuple(DueItem("lab", TODAY + dt.timedelta(days=d), "rule") for d in due)
    assessment = Assessment(
        as_of=TODAY, jurisdiction="us-ipledge", rule_set="x", rule_sets=(),
        dispense_allowed=not severities, window=window,
        cumulative=Cumulative(mg=Decimal(0), mg_per_kg=Decimal(0), basis="raw"),
        findings=findings, due=items)
    return DueEntry(cast(Any, None), assessment, items,
                    tuple(f for f in findings if f.severity.stops_dispensing))


@pytest.mark.parametrize(("header", "entry", "expected"), [
    (_header(), None, [("ok", "Active")]),
    (_header(start=None), None, [("neutral", "Not started")]),
    (_header(ended=TODAY), None, [("neutral", "Ended")]),
    (_header(), _entry(severities=(Severity.BLOCK, Severity.URGENT)), [("urgent", "Urgent")]),
    (_header(), _entry(severities=(Severity.BLOCK,), due=(-2,)),
     [("block", "Dispensing blocked"), ("warning", "Overdue")]),
    (_header(), _entry(window=Window(TODAY, TODAY + dt.timedelta(days=6))),
     [("ok", "Pick-up window open")]),
    (_header(), _entry(window=Window(TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(7)),
                       due=(3,)), [("ok", "Active")]),
])
def test_each_course_gets_badges_for_its_state(header: CourseHeader, entry: DueEntry | None,
                                                expected: list[tuple[str, str]]) -> None:
    assert course_badges(header, entry, TODAY) == expected


def test_the_status_filter_reads_as_the_course_status() -> None:
    filters, _ = read_filters({"status": "ended"})
    assert filters.status is CourseStatus.ENDED
