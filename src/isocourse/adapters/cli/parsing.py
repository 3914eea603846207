"""Reading option values typed on the command line, with one clear message per mistake.

Options are taken as text and parsed here (not by the option parser), so that a weight of
"abc" is refused in the same words as a weight of 400.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from isocourse.domain.errors import InvalidInput
from isocourse.domain.units import parse_decimal


def decimal_option(text: str, option: str) -> Decimal:
    return parse_decimal(text, field=option)


def int_option(text: str, option: str) -> int:
    value = parse_decimal(text, field=option)
    if value != value.to_integral_value():
        raise InvalidInput(f"{option}: expected a whole number", field=option)
    return int(value)


def date_option(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{option}: expected a date as YYYY-MM-DD", field=option) from None


def today() -> dt.date:
    """Today's date in this machine's local time zone (the clinic's)."""
    return dt.datetime.now(dt.UTC).astimezone().date()

