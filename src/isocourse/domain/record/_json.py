"""Exact numbers and opaque JSON data at the edge of the course-record format.

The format's promise is a lossless round trip: a record written by :func:`record_to_json`
and read back by :func:`parse_record` is equal to the one written. JSON numbers are IEEE
doubles in practice, so a :class:`~decimal.Decimal` can be written as a JSON number only
when a double carries it exactly. :func:`json_number` decides that, and both the parser
(which refuses a Decimal that could not be written back) and the serializer use it, so the
two cannot disagree.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

__all__ = ["MAX_DEPTH", "NotJson", "json_copy", "json_number", "to_decimal"]

#: Extensions are opaque, but not unbounded: deeper nesting than this is refused so that a
#: hostile document cannot exhaust the stack.
MAX_DEPTH = 64


#: The largest power of ten a double reaches (1.8e308).
_MAX_ADJUSTED_EXPONENT = 308


class NotJson(ValueError):
    """A value that is not JSON data (or nests deeper than :data:`MAX_DEPTH`)."""


def json_number(value: Decimal) -> int | float | None:
    """The JSON number that re-parses to exactly ``value``, or ``None`` if there is none.

    Rule: a whole number is written as an ``int`` (JSON integers are exact at any size in
    Python); any other number as the ``float`` whose shortest repr equals it numerically
    (``Decimal("0.1")`` → ``0.1``, which reads back as ``Decimal("0.1")``). Every number of
    up to 15 significant digits qualifies; longer ones only if a double happens to hold them.
    Non-finite values have no JSON form. Equality is numeric: ``Decimal("58.0")`` is
    written ``58`` and reads back as ``Decimal("58")``, which equals it.
    """
    if not value.is_finite():
        return None
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    if math.isfinite(as_float) and Decimal(repr(as_float)) == value:
        return as_float
    return None


def _as_float(value: Decimal) -> float:
    as_float = float(value) if value.is_finite() else math.nan
    if not math.isfinite(as_float) or Decimal(repr(as_float)) != value:
        raise NotJson
    return as_float


def to_decimal(value: object) -> Decimal | None:
    """A finite Decimal from a JSON number (``int``, ``float`` or ``Decimal``), else ``None``.

    Floats are read through their shortest repr, so ``0.1`` becomes ``Decimal("0.1")`` and
    not the binary value's 55 digits. Booleans are not numbers, although Python says so.
    A Decimal beyond a double's range (``parse_float=Decimal`` on ``1e400``) is refused, as
    the float reading (``inf``) is; Python ints are taken at any size, since they cost no
    more than the digits they arrived as.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, Decimal):
        # Beyond a double's range a number is not interchangeable JSON (RFC 8259 §6), and a
        # Decimal such as 1E+999999 would cost a million-digit int to check: refuse it early.
        if not value.is_finite() or value.adjusted() > _MAX_ADJUSTED_EXPONENT:
            return None
        return value
    return None


def json_copy(value: object, depth: int = 0) -> Any:
    """A deep copy of JSON data made of plain dicts, lists and scalars; raises :class:`NotJson`.

    Used for ``extensions``: isocourse does not read them, but they must survive a round trip,
    so they must be data a JSON writer can write. A Decimal here came from
    ``parse_float=Decimal``, so it stands for a JSON *float* and becomes the float that
    reads back to it (``2.5e16`` stays a float, not an int), or is refused.
    """
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotJson
        return value
    if isinstance(value, Decimal):
        return _as_float(value)
    if depth >= MAX_DEPTH:
        raise NotJson
    if isinstance(value, list | tuple):
        return [json_copy(item, depth + 1) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise NotJson
        return {key: json_copy(item, depth + 1) for key, item in value.items()}
    raise NotJson
