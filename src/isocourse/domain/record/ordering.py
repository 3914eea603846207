"""Where a newly recorded event goes in a course record.

A record keeps its events in date order, with each correction after the event it corrects
(``parse_record`` checks both). Events are not recorded in that order: a lab result comes
back and is typed in after a dispense dated later, a wrong test date is corrected by an event
dated earlier. :func:`place` puts a new event where the record stays valid, moving as little
as possible:

1. From the end, step left past every event dated after the new one and every event
   already corrected (superseded events are outside the date order), but never past the
   event the new one corrects. Insert there.
2. If that breaks the date order (a correction dated before events that lie between it and
   what it corrects), move the corrected event - with the chain of events it corrected in
   turn - to sit just before the correction, placed as in step 1.

Appending the events of a valid record one by one, in its order, gives back that order
exactly, so a record imported and exported again is unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["Head", "order_events", "place", "valid_order"]

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Head:
    """What ordering needs of an event: its date, its id and what it supersedes."""

    date: dt.date
    id: str | None = None
    supersedes: str | None = None


def valid_order(heads: Sequence[Head]) -> bool:
    """The order rules of ``parse_record``: a correction follows what it corrects, and the
    events that stand are in date order."""
    seen: set[str] = set()
    superseded: set[str] = set()
    for head in heads:
        if head.supersedes is not None:
            if head.supersedes not in seen:
                return False
            superseded.add(head.supersedes)
        if head.id is not None:
            seen.add(head.id)
    latest: dt.date | None = None
    for head in heads:
        if head.id is not None and head.id in superseded:
            continue
        if latest is not None and head.date < latest:
            return False
        latest = head.date
    return True


def place(items: Sequence[_T], new: _T, head: Callable[[_T], Head]) -> list[_T]:
    """``items`` (a valid order) with ``new`` inserted as the module docstring describes.
    When ``new`` corrects an event that is not in ``items`` the result is not valid; the
    record parser reports that."""
    new_head = head(new)
    superseded = {h.supersedes for h in map(head, items) if h.supersedes is not None}
    if new_head.supersedes is not None:
        superseded.add(new_head.supersedes)
    target = new_head.supersedes

    def position(seq: Sequence[_T], stop_at_target: bool) -> int:
        p = len(seq)
        while p > 0:
            h = head(seq[p - 1])
            if stop_at_target and target is not None and h.id == target:
                break
            stands = h.id is None or h.id not in superseded
            if stands and h.date <= new_head.date:
                break
            p -= 1
        return p

    p = position(items, stop_at_target=True)
    candidate = [*items[:p], new, *items[p:]]
    if target is None or valid_order([head(i) for i in candidate]):
        return candidate
    chain_ids = _chain(items, target, head)
    if not chain_ids:
        return candidate
    chain = [i for i in items if head(i).id in chain_ids]
    rest = [i for i in items if head(i).id not in chain_ids]
    p = position(rest, stop_at_target=False)
    return [*rest[:p], *chain, new, *rest[p:]]


def order_events(items: Sequence[_T], head: Callable[[_T], Head]) -> list[_T]:
    """The record order of events given in the order they were recorded."""
    ordered: list[_T] = []
    for item in items:
        ordered = place(ordered, item, head)
    return ordered


def _chain(items: Sequence[_T], target: str, head: Callable[[_T], Head]) -> set[str]:
    """``target`` and, transitively, every event it superseded."""
    by_id = {h.id: h for h in map(head, items) if h.id is not None}
    chain: set[str] = set()
    current: str | None = target
    while current is not None and current in by_id and current not in chain:
        chain.add(current)
        current = by_id[current].supersedes
    return chain
