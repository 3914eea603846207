"""The dose diary (``/me/diary``): each day's morning and evening dose, taken or missed.

One standing ``dose`` event per day (see :func:`patient_view.diary_entry`): recording the
other dose of a day records a new entry that supersedes the day's earlier one, so the engine
counts exactly what was taken. A missed dose is skipped, never doubled, and the page says so
(the ABSORICA / ABSORICA LD label's missed-dose instruction, clinical.md §1.2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from isocourse.adapters.api.deps import Ports
from isocourse.adapters.web import patient_view as view
from isocourse.adapters.web.forms import Form, empty_form, read_form
from isocourse.adapters.web.pages.patient import (
    Mine,
    absorb,
    find_event,
    load_mine,
    record_one,
    see_other,
)
from isocourse.adapters.web.ports import WebPorts
from isocourse.adapters.web.rendering import render
from isocourse.adapters.web.signed_in import WebUserDep
from isocourse.domain.errors import Conflict, InvalidInput, RecordError
from isocourse.domain.record import Dispense, Dose, Prescription

router = APIRouter(include_in_schema=False)

_MARK_WORDS = {"taken": "Taken", "missed": "Missed"}


@dataclass(frozen=True, slots=True)
class DiaryRow:
    date: dt.date
    entry: view.DiaryDay | None

    def cell(self, slot: str) -> str:
        """What the table shows for one dose of the day."""
        if self.entry is None:
            return "—"
        mark = self.entry.mark(slot)
        if mark is not None:
            return _MARK_WORDS[mark]
        if not self.entry.slots:  # recorded as a whole day (not on these pages)
            return "Taken" if self.entry.taken else "Missed"
        return "Not recorded"

    @property
    def counted_mg(self) -> int:
        return self.entry.mg if self.entry is not None and self.entry.taken else 0


def _columns(regimen: view.DailyRegimen | None, rows: list[DiaryRow]) -> list[str]:
    used = {t.slot for t in regimen.times} if regimen is not None else set()
    for row in rows:
        if row.entry is not None:
            used |= set(row.entry.slots)
    if not used:
        used = {"am", "pm"}
    return [slot for slot in view.SLOT_NAMES if slot in used]


def _page(request: Request, mine: Mine, ports: Ports, form: Form, *, status: int = 200,
          saved: view.DiaryDay | None = None) -> HTMLResponse:
    today = mine.today
    regimen = None
    rows: list[DiaryRow] = []
    if mine.current is not None:
        regimen = view.regimen_on(mine.record, mine.plan, today, ports.clinic.rules.catalog)
        since = _first_day(mine, today)
        entries = view.diary_days(mine.record, since)
        rows = [DiaryRow(today - dt.timedelta(days=n), entries.get(today - dt.timedelta(days=n)))
                for n in range((today - since).days + 1)]
    today_entry = rows[0].entry if rows else None
    slots = [(t.slot, f"{t.label} dose ({t.mg} mg)") for t in regimen.times] if regimen \
        and regimen.times else [("once", "The day's dose")] if regimen else []
    flash = None
    missed = False
    if saved is not None:
        flash = {"kind": "ok", "text": f"Saved for {view_day(saved.date, today)}: "
                 + _summary(saved) + "."}
        missed = "missed" in saved.slots.values() or not saved.taken
    return render(request, "patient/diary.html", {
        "mine": mine, "regimen": regimen, "rows": rows, "today_entry": today_entry,
        "columns": [(slot, view.SLOT_NAMES[slot]) for slot in _columns(regimen, rows)],
        "slots": slots, "form": form, "flash": flash, "missed": missed,
        "earliest": today - dt.timedelta(days=view.DIARY_DAYS - 1),
    }, status_code=status)


def _first_day(mine: Mine, today: dt.date) -> dt.date:
    """The first day the diary lists: 30 days back, or the course's first prescription,
    supply or diary entry if later (days before the course have nothing to record)."""
    earliest = today - dt.timedelta(days=view.DIARY_DAYS - 1)
    dated = [e.date for e in mine.record.effective_events()
             if isinstance(e, Prescription | Dispense | Dose)]
    first = min(dated, default=today)
    return max(earliest, min(first, today))


def view_day(day: dt.date, today: dt.date) -> str:
    if day == today:
        return "today"
    if day == today - dt.timedelta(days=1):
        return "yesterday"
    return f"{day:%a} {day.day} {day:%b}"


def _summary(entry: view.DiaryDay) -> str:
    if not entry.slots:
        return "dose taken" if entry.taken else "dose missed"
    parts = []
    for slot, name in view.SLOT_NAMES.items():
        mark = entry.slots.get(slot)
        if mark is not None:
            mg = entry.slot_mg.get(slot)
            amount = f" ({mg} mg)" if mg is not None else ""
            parts.append(f"{name.lower()} dose{amount} {mark}")
    return "; ".join(parts)


@router.get("/me/diary")
def diary(request: Request, user: WebUserDep, ports: WebPorts) -> HTMLResponse:
    mine = load_mine(ports)
    return _page(request, mine, ports, empty_form(day=mine.today.isoformat()))


@router.get("/me/diary/{event_id}")
def diary_saved(event_id: str, request: Request, user: WebUserDep,
                ports: WebPorts) -> HTMLResponse:
    """The diary after an entry was saved, confirming what it now says for that day."""
    mine = load_mine(ports)
    event, _ = find_event(mine, event_id, Dose)
    assert isinstance(event, Dose)
    saved = view.diary_days(mine.record, event.date).get(event.date)
    return _page(request, mine, ports, empty_form(day=mine.today.isoformat()),
                 saved=saved)


@router.post("/me/diary")
async def record_dose(request: Request, user: WebUserDep, ports: WebPorts) -> Response:
    form = await read_form(request)
    mine = load_mine(ports)
    today = mine.today
    day = form.date("day", not_after=today)
    earliest = today - dt.timedelta(days=view.DIARY_DAYS - 1)
    if day is not None and day < earliest:
        form.error("day", f"Choose a day in the last {view.DIARY_DAYS} days.")
        day = None
    slot = form.choice("slot", view.SLOT_NAMES, message="Choose which dose.")
    mark = form.choice("mark", ("taken", "missed"),
                       message="Choose whether you took this dose or missed it.")
    regimen = None
    if mine.current is None:
        form.summary = "You do not have a course on record, so there is no dose to record."
    elif day is not None:
        regimen = view.regimen_on(mine.record, mine.plan, day, ports.clinic.rules.catalog)
        if regimen is None:
            form.error("day", "There is no dose on your record for this day.")
        elif slot is not None and regimen.times and regimen.time(slot) is None:
            names = " or ".join(t.label.lower() for t in regimen.times)
            form.error("slot", f"On this day your doses are: {names}. Choose one of them.")
    if not form.ok or day is None or slot is None or mark is None or regimen is None:
        return _page(request, mine, ports, form, status=422)
    existing = view.diary_days(mine.record, day).get(day)
    event = view.diary_entry(day, slot, mark, regimen, existing)
    if event is None:  # already recorded just so
        assert existing is not None and existing.event_id is not None
        return see_other(f"/me/diary/{existing.event_id}")
    try:
        stored = record_one(mine, ports, event)
    except (InvalidInput, RecordError, Conflict) as error:
        absorb(form, error, {"date": "day", "mg": "slot", "taken": "mark"})
        return _page(request, mine, ports, form, status=422)
    return see_other(f"/me/diary/{stored.event_id}")

