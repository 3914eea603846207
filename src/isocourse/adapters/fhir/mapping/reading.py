"""Reading FHIR JSON on import: nodes that know their FHIR path, problems, record drafts.

Import never trusts a shape: every step checks the JSON type it expects and reports a
:class:`~isocourse.domain.errors.Problem` at the FHIR path (``Bundle.entry[3].resource.
valueQuantity.value``) instead of raising. Messages name elements and expected forms,
never values: the values are patient data.

A :class:`Draft` is the course-record JSON an import is building for one resource, with the
FHIR path of each record member, so that a problem the record parser finds
(``events[4].value: expected a number``) can be reported where it is in the Bundle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from isocourse.domain.errors import Problem

__all__ = ["Draft", "Node", "Report", "as_decimal"]

#: The largest power of ten a double reaches (1.8e308).
_MAX_ADJUSTED_EXPONENT = 308


@dataclass(frozen=True, slots=True)
class Node:
    """A JSON value at a FHIR path; ``value`` is ``None`` when the element is absent (FHIR
    JSON has no nulls, so a null counts as absent)."""

    value: Any
    path: str

    @property
    def present(self) -> bool:
        return self.value is not None

    def at(self, key: str) -> Node:
        """Member ``key`` (absent when this is not an object or lacks it)."""
        value = self.value.get(key) if isinstance(self.value, dict) else None
        return Node(value, f"{self.path}.{key}")

    def first(self, key: str) -> Node:
        """The first item of the array member ``key`` (FHIR 0..* elements), else absent."""
        items = self.at(key).items()
        return items[0] if items else Node(None, f"{self.path}.{key}[0]")

    def items(self) -> list[Node]:
        """The items of an array (none when this is not an array)."""
        if not isinstance(self.value, list):
            return []
        return [Node(v, f"{self.path}[{i}]") for i, v in enumerate(self.value)]

    def text(self) -> str | None:
        return self.value if isinstance(self.value, str) else None


class Report:
    """The problems found so far, in the order found."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def __bool__(self) -> bool:
        return bool(self.problems)


@dataclass(slots=True)
class Draft:
    """Course-record JSON in the making for one resource, with the FHIR path of each member.

    ``retracted``: the path of an ``entered-in-error`` status, which is accepted only when
    another entry supersedes this event (checked once every entry is read).
    """

    resource: Node
    data: dict[str, Any] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)
    retracted: str | None = None

    def take(self, member: str, node: Node) -> None:
        """The record member is the element's JSON value as it is (absent stays absent: the
        record parser then says the member is missing, at the element's path)."""
        self.paths[member] = node.path
        if node.present:
            self.data[member] = node.value

    def put(self, member: str, value: Any, path: str) -> None:
        self.paths[member] = path
        self.data[member] = value

    def where(self, member: str, path: str) -> None:
        """Where a member would come from, when it is missing."""
        self.paths[member] = path


def as_decimal(value: object) -> Decimal | None:
    """A JSON number (int, float through its shortest repr, or Decimal) as a Decimal;
    anything else (a string, a boolean, a non-finite or out-of-range number) is ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, Decimal):
        number = value
    else:
        return None
    # Beyond a double's range a number is not interchangeable JSON (RFC 8259 §6), and
    # arithmetic on 1E+999999 would overflow: the record parser refuses it anyway.
    if not number.is_finite() or number.adjusted() > _MAX_ADJUSTED_EXPONENT:
        return None
    return number
