"""Where a newly recorded event goes in a course record.

A record keeps its events in date order, with each correction after the event it corrects
(``parse_record`` checks both). Events are not recorded in that order: a lab result comes
back and is typed in after a dispense dated later, a wrong test date is corrected by an event
dated earlier. :func:`place` puts a new event where the record stays valid, moving as little
as possible:

1. An event that is itself corrected stands outside the date order: it goes at the end.
2. Otherwise it goes just before the first standing (not corrected) event dated after it,
   or at the end when there is none: after everything of its own day.
3. If that puts a correction before the event it corrects, or breaks the date order, the
   corrected event - with the chain of events it corrected in turn - moves to sit just
   before the correction, placed as in step 2.

Appending the events of a valid record one by one, in its order, gives back that order
exactly, so a record imported and exported again is unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
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


def valid_order(heads: Sequence[Head], also_superseded: Collection[str] = ()) -> bool:
    """The order rules of ``parse_record``: a correction follows what it corrects, and the
    events that stand are in date order. ``also_superseded``: ids corrected by events not
    in ``heads`` yet (they stand outside the date order already)."""
    seen: set[str] = set()
    superseded: set[str] = set(also_superseded)
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


def place(items: Sequence[_T], new: _T, head: Callable[[_T], Head],
          superseded: Collection[str] | None = None) -> list[_T]:
    """``items`` (a valid order) with ``new`` inserted as the module docstring describes.

    ``superseded``: the ids known to be corrected, including by events not yet placed
    (:func:`order_events` knows them all); by default, those corrected within ``items`` and
    by ``new``. When ``new`` corrects an event that is not in ``items`` the result is not
    valid; the record parser reports that."""
    new_head = head(new)
    if superseded is None:
        known = {h.supersedes for h in map(head, items) if h.supersedes is not None}
        if new_head.supersedes is not None:
            known.add(new_head.supersedes)
        superseded = known
    if new_head.id is not None and new_head.id in superseded:
        return [*items, new]  # a corrected event stands outside the date order

    def position(seq: Sequence[_T]) -> int:
        """Just before the first standing event dated after the new one (or the end)."""
        for index, item in enumerate(seq):
            h = head(item)
            if (h.id is None or h.id not in superseded) and h.date > new_head.date:
                return index
        return len(seq)

    p = position(items)
    candidate = [*items[:p], new, *items[p:]]
    target = new_head.supersedes
    if target is None or valid_order([head(i) for i in candidate], superseded):
        return candidate
    chain_ids = _chain(items, target, head)
    if not chain_ids:
        return candidate
    chain = [i for i in items if head(i).id in chain_ids]
    rest = [i for i in items if head(i).id not in chain_ids]
    p = position(rest)
    return [*rest[:p], *chain, new, *rest[p:]]


def order_events(items: Sequence[_T], head: Callable[[_T], Head]) -> list[_T]:
    """The record order of events given in the order they were recorded. Appending the
    events of a valid record in its own order gives that order back."""
    superseded = {h.supersedes for h in map(head, items) if h.supersedes is not None}
    ordered: list[_T] = []
    for item in items:
        ordered = place(ordered, item, head, superseded)
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
