"""Forms: what was typed, read into typed values, with an error next to each field.

A page reads a submitted form with :func:`read_form`, takes each value with a typed
reader (which notes a plain-words error against the field and returns None), and when
:attr:`Form.ok` is false renders the same page again with :attr:`Form.values` (what the
person typed, kept) and :attr:`Form.errors`. Errors the services raise for a field
(:class:`InvalidInput` with ``field``, :class:`RecordError` problems) are put against the
matching field by :meth:`Form.absorb`, so the person sees them in the same place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from fastapi import Request

from isocourse.domain.errors import InvalidInput, IsocourseError, RecordError

__all__ = ["Form", "empty_form", "read_form"]

_MAX_FIELD = 2000


@dataclass
class Form:
    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    #: An error about the whole form (shown above it).
    summary: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and self.summary is None

    def value(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def chosen(self, name: str) -> list[str]:
        return self.lists.get(name, [])

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    # -- typed readers: each returns None (and notes an error) when the value is unusable --

    def text(self, name: str, *, required: bool = True, max_length: int = 200) -> str | None:
        raw = self.value(name).strip()
        if not raw:
            if required:
                self.error(name, "Enter a value.")
            return None
        if len(raw) > max_length:
            self.error(name, f"Use at most {max_length} characters.")
            return None
        return raw

    def integer(self, name: str, *, low: int, high: int, required: bool = True) -> int | None:
        raw = self.value(name).strip()
        if not raw:
            if required:
                self.error(name, "Enter a whole number.")
            return None
        try:
            number = int(raw)
        except ValueError:
            self.error(name, "Enter a whole number, like 30.")
            return None
        if not low <= number <= high:
            self.error(name, f"Enter a number from {low} to {high}.")
            return None
        return number

    def decimal(self, name: str, *, low: Decimal, high: Decimal, places: int = 2,
                required: bool = True, unit: str = "") -> Decimal | None:
        raw = self.value(name).strip().replace(",", ".")
        if not raw:
            if required:
                self.error(name, "Enter a number.")
            return None
        try:
            number = Decimal(raw)
        except InvalidOperation:
            self.error(name, "Enter a number, like 62.5.")
            return None
        if not number.is_finite() or not low <= number <= high:
            self.error(name, f"Enter a number from {low} to {high}{unit}.")
            return None
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            self.error(name, f"Use at most {places} decimal places.")
            return None
        return number

    def date(self, name: str, *, required: bool = True,
             not_after: dt.date | None = None) -> dt.date | None:
        raw = self.value(name).strip()
        if not raw:
            if required:
                self.error(name, "Enter a date.")
            return None
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            self.error(name, "Enter a date as year-month-day, like 2026-11-22.")
            return None
        if not_after is not None and day > not_after:
            self.error(name, f"The date cannot be after {not_after.isoformat()}.")
            return None
        return day

    def choice(self, name: str, options: Iterable[str], *, required: bool = True,
               message: str = "Choose one of the options.") -> str | None:
        raw = self.value(name).strip()
        if not raw:
            if required:
                self.error(name, message)
            return None
        if raw not in set(options):
            self.error(name, message)
            return None
        return raw

    def choices(self, name: str, options: Iterable[str]) -> list[str]:
        allowed = set(options)
        picked = [v for v in self.chosen(name) if v in allowed]
        if len(picked) != len(self.chosen(name)):
            self.error(name, "Choose from the options listed.")
        return picked

    def checkbox(self, name: str) -> bool:
        return self.value(name) in {"on", "true", "1", "yes"}

    def absorb(self, error: IsocourseError, fields: Mapping[str, str] | None = None,
               *, default: str | None = None) -> None:
        """Put a service's error next to its field: ``fields`` maps the service's field
        names (or JSON path endings) to form field names; anything else goes above the
        form (or against ``default``)."""
        fields = fields or {}

        def place(path: str | None, message: str) -> None:
            for key, form_field in fields.items():
                if path and (path == key or path.endswith("." + key)
                             or path.endswith("/" + key)):
                    self.error(form_field, message)
                    return
            if default is not None:
                self.error(default, message)
            elif self.summary is None:
                self.summary = message

        if isinstance(error, RecordError):
            for problem in error.problems:
                place(problem.path, problem.message)
        elif isinstance(error, InvalidInput):
            place(error.field, error.message)
        else:
            place(None, error.message)


def empty_form(**defaults: str) -> Form:
    return Form(values=dict(defaults))


async def read_form(request: Request) -> Form:
    """The submitted form: single values (the last of each name, trimmed to a bound) and
    every value of names sent more than once (check boxes)."""
    data = await request.form()
    values: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    for key, raw in data.multi_items():
        if not isinstance(raw, str) or key == "csrf_token":
            continue
        text = raw[:_MAX_FIELD]
        values[key] = text
        lists.setdefault(key, []).append(text)
    return Form(values=values, lists=lists)
