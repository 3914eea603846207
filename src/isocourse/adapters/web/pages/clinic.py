"""The prescriber's dashboard (``/clinic``): what needs action today and this week, then the
clinic's courses; a search by the clinic's patient id (a POST: no patient id in a URL).

Everything shown comes from two use cases: ``due.due_list`` (urgent findings, blocked
dispensing, pick-up windows, what is due) and ``courses.list_courses`` (the course list).
The urgent banner is taken from the whole due list, never from a filtered one, so that no
filter can hide a patient who needs a clinician now. Filters are GET parameters that carry
no patient data: status, programme, due item, attention only, and a horizon in days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from isocourse.adapters.web.course_words import DUE_NAMES
from isocourse.adapters.web.forms import Form, read_form
from isocourse.adapters.web.ports import WebPorts
from isocourse.adapters.web.rendering import render
from isocourse.adapters.web.signed_in import WebUserDep
from isocourse.domain.errors import NotFound
from isocourse.domain.record import Jurisdiction
from isocourse.rules.model import DueItem, Finding, Severity, Window
from isocourse.services import courses, due
from isocourse.services.stored import CourseHeader, CourseListFilter, CourseStatus

__all__ = ["PROGRAMMES", "DueRow", "due_item_name", "due_when", "programme_name", "router"]

router = APIRouter(include_in_schema=False)

#: Courses per page of the course list.
PER_PAGE = 25
#: The due list is read whole for the banner and the badges (it is computed whole anyway).
_ALL = 10_000

PROGRAMMES: Mapping[str, str] = {
    Jurisdiction.US_IPLEDGE.value: "US iPLEDGE",
    Jurisdiction.EU_PPP.value: "EU Pregnancy Prevention Programme",
    Jurisdiction.UK_MHRA.value: "UK Pregnancy Prevention Programme (MHRA)",
}
_SHORT_PROGRAMMES = {"us-ipledge": "US iPLEDGE", "eu-ppp": "EU PPP", "uk-mhra": "UK MHRA"}

_ANALYTES = {"alt": "ALT", "ast": "AST", "triglycerides": "triglycerides",
             "total-cholesterol": "total cholesterol", "ldl": "LDL", "hdl": "HDL"}
#: The horizon choices of the "due within" filter (days; "all": any date).
_WITHIN = {"0": "Today and overdue", "7": "Within 7 days", "14": "Within 14 days",
           "30": "Within 30 days", "all": "Any date"}
_DEFAULT_WITHIN = "7"


def programme_name(code: str, *, short: bool = False) -> str:
    return (_SHORT_PROGRAMMES if short else PROGRAMMES).get(code, code)


def due_item_name(item: str, analytes: Sequence[str] = ()) -> str:
    name = DUE_NAMES.get(item, item.replace("_", " ").capitalize())
    if analytes:
        name += " (" + ", ".join(_ANALYTES.get(a, a) for a in analytes) + ")"
    return name


def due_when(due_date: dt.date, today: dt.date) -> tuple[str, str]:
    """How soon something is due: a badge kind and words (``overdue``, ``today``, ``soon``)."""
    days = (due_date - today).days
    if days < 0:
        return "overdue", f"Overdue by {-days} day{'s' if days != -1 else ''}"
    if days == 0:
        return "today", "Due today"
    if days == 1:
        return "soon", "Due tomorrow"
    return "soon", f"Due in {days} days"


@dataclass(frozen=True, slots=True)
class CourseRef:
    course_id: str
    number: int
    patient_id: str
    patient: str           # the clinic's (opaque) patient id
    programme: str


@dataclass(frozen=True, slots=True)
class AttentionRow:
    ref: CourseRef
    findings: tuple[Finding, ...]
    urgent: bool


@dataclass(frozen=True, slots=True)
class WindowRow:
    ref: CourseRef
    window: Window
    closes: str
    closes_today: bool
    dispense_allowed: bool


@dataclass(frozen=True, slots=True)
class DueRow:
    ref: CourseRef
    item: DueItem
    name: str
    kind: str
    when: str


def _ref(entry: due.DueEntry) -> CourseRef:
    header, patient = entry.course.header, entry.course.patient
    return CourseRef(header.id, header.number, patient.id, patient.external_id,
                     programme_name(header.info.jurisdiction.value, short=True))


def _rank(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: -f.severity.rank)


def within(entries: Iterable[due.DueEntry], horizon: dt.date | None) -> list[due.DueEntry]:
    """The whole due list narrowed to a horizon exactly as ``DueFilter(within_days=...)``
    narrows it (due items up to the horizon; a course stays while it has one, or a
    finding that needs attention), without assessing every course a second time."""
    if horizon is None:
        return list(entries)
    out = []
    for entry in entries:
        items = tuple(d for d in entry.due if d.due_date <= horizon)
        if items or entry.attention:
            out.append(due.DueEntry(entry.course, entry.assessment, items, entry.attention))
    return out


def attention_rows(entries: Iterable[due.DueEntry]) -> list[AttentionRow]:
    return [AttentionRow(_ref(e), tuple(_rank(e.attention)),
                         e.top_severity is Severity.URGENT) for e in entries if e.attention]


def window_rows(entries: Iterable[due.DueEntry], today: dt.date,
                horizon: dt.date | None) -> list[WindowRow]:
    """Open windows that close by the horizon (soonest first)."""
    rows = []
    for e in entries:
        window = e.assessment.window
        if window is None or window.end < today or (horizon and window.end > horizon):
            continue
        days = (window.end - today).days
        closes = "Closes today" if days == 0 else \
            "Closes tomorrow" if days == 1 else f"Closes in {days} days"
        rows.append(WindowRow(_ref(e), window, closes, days == 0, e.assessment.dispense_allowed))
    return sorted(rows, key=lambda r: (r.window.end, r.ref.patient))


def due_rows(entries: Iterable[due.DueEntry], today: dt.date) -> list[DueRow]:
    """Every due item of the entries, earliest first (overdue at the top)."""
    rows = []
    for e in entries:
        for item in e.due:
            kind, when = due_when(item.due_date, today)
            rows.append(DueRow(_ref(e), item, due_item_name(item.item, item.analytes), kind,
                               when))
    return sorted(rows, key=lambda r: (r.item.due_date, r.ref.patient, r.name))


def course_badges(header: CourseHeader, entry: due.DueEntry | None,
                  today: dt.date) -> list[tuple[str, str]]:
    """A course's status in badges (kind, text): urgent, dispensing blocked, window open,
    something overdue, or simply active / ended."""
    badges: list[tuple[str, str]] = []
    if entry is not None:
        severity = entry.top_severity
        if severity is Severity.URGENT:
            badges.append(("urgent", "Urgent"))
        elif severity is Severity.BLOCK:
            badges.append(("block", "Dispensing blocked"))
        window = entry.assessment.window
        if window is not None and window.start <= today <= window.end:
            badges.append(("ok", f"{window.kind.capitalize()} window open"))
        if any(d.due_date < today for d in entry.due):
            badges.append(("warning", "Overdue"))
    if header.ended_on is not None:
        badges.append(("neutral", "Ended"))
    elif header.info.start_date is None:
        badges.append(("neutral", "Not started"))
    elif not badges:
        badges.append(("ok", "Active"))
    return badges


@dataclass(frozen=True, slots=True)
class Filters:
    status: CourseStatus | None
    programme: str | None
    item: str | None
    attention: bool
    within: str

    @property
    def within_days(self) -> int | None:
        return None if self.within == "all" else int(self.within)

    def query(self, **changes: Any) -> str:
        """The query string of these filters (with ``changes``), defaults left out."""
        values = {"status": self.status.value if self.status else None,
                  "programme": self.programme, "item": self.item,
                  "attention": "1" if self.attention else None,
                  "within": None if self.within == _DEFAULT_WITHIN else self.within}
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})


def read_filters(params: Mapping[str, str]) -> tuple[Filters, Form]:
    """The filters of the query string; a value that is not one of the choices is noted
    next to its field and ignored."""
    form = Form(values={k: v for k, v in params.items() if k in _FILTER_FIELDS})
    status = form.choice("status", [s.value for s in CourseStatus], required=False)
    programme = form.choice("programme", PROGRAMMES, required=False)
    item = form.choice("item", DUE_NAMES, required=False)
    within = form.choice("within", _WITHIN, required=False) or _DEFAULT_WITHIN
    form.values.setdefault("within", within)
    return Filters(CourseStatus(status) if status else None, programme, item,
                   form.checkbox("attention"), within), form


_FILTER_FIELDS = ("status", "programme", "item", "attention", "within")


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or "1"), 100_000))
    except ValueError:
        return 1


@router.get("/clinic")
def dashboard(request: Request, user: WebUserDep, ports: WebPorts) -> Response:
    filters, form = read_filters(request.query_params)
    page = _page_number(request.query_params.get("page"))
    return _dashboard(request, ports, filters, form, page)


def _dashboard(request: Request, ports: WebPorts, filters: Filters, form: Form, page: int,
               *, search: Form | None = None, status_code: int = 200) -> Response:
    clinic = ports.clinic
    follow = clinic.settings.follow_up_days
    everything = due.due_list(due.DueFilter(), offset=0, limit=_ALL, follow_up_days=follow,
                              on=None, **ports.kw)
    today = everything.as_of
    chosen = due.DueFilter(within_days=filters.within_days, item=filters.item,
                           jurisdiction=filters.programme, attention=filters.attention)
    horizon = None if filters.within_days is None else \
        today + dt.timedelta(days=filters.within_days)
    if replace(chosen, within_days=None) == due.DueFilter():
        listed = within(everything.entries, horizon)
    else:
        listed = due.due_list(chosen, offset=0, limit=_ALL, follow_up_days=follow, on=None,
                              **ports.kw).entries
    urgent = [r for r in attention_rows(everything.entries) if r.urgent]
    attention = attention_rows(listed)
    windows = window_rows(listed, today, horizon)
    due_items = due_rows(listed, today)
    course_page = courses.list_courses(
        CourseListFilter(status=filters.status, jurisdiction=filters.programme),
        offset=(page - 1) * PER_PAGE, limit=PER_PAGE, **ports.read)
    by_course = {e.course.header.id: e for e in everything.entries}
    rows = [(header, patient, course_badges(header, by_course.get(header.id), today))
            for header, patient in course_page.courses]
    pages = max(1, -(-course_page.total // PER_PAGE))
    return render(request, "prescriber/dashboard.html", {
        "filters": filters, "form": form, "search": search or Form(),
        "urgent": urgent, "attention": attention, "windows": windows, "due_rows": due_items,
        "counts": {
            "urgent": len(urgent),
            "blocked": sum(1 for r in attention if not r.urgent),
            "windows": len(windows),
            "overdue": sum(1 for r in due_items if r.kind == "overdue"),
            "today": sum(1 for r in due_items if r.kind == "today"),
            "due": len(due_items),
        },
        "within_text": _WITHIN[filters.within].lower(),
        "filtered": chosen != due.DueFilter(within_days=int(_DEFAULT_WITHIN))
        or filters.status is not None,
        "courses": rows, "total": course_page.total, "page": page, "pages": pages,
        "programmes": list(PROGRAMMES.items()),
        "statuses": [("active", "Active"), ("ended", "Ended")],
        "items": list(DUE_NAMES.items()),
        "within_choices": list(_WITHIN.items()),
        "programme_name": programme_name,
    }, status_code=status_code)


@router.post("/clinic/search")
async def search(request: Request, user: WebUserDep, ports: WebPorts) -> Response:
    """Find a patient by the clinic's patient id; the id travels in the form body only."""
    form = await read_form(request)
    external_id = form.text("patient", max_length=128)
    if external_id is not None:
        try:
            patient = courses.find_patient(external_id, **ports.read)
        except NotFound:
            form.error("patient", "There is no patient with that id in this clinic. Check "
                       "the id, or register the patient as a new patient.")
        else:
            return RedirectResponse(f"/patients/{patient.id}", status_code=303)
    filters, filter_form = read_filters({})
    return _dashboard(request, ports, filters, filter_form, 1, search=form,
                      status_code=404 if external_id is not None else 422)
